// stub_tool.exe: stands in for a Windows command (fltmc, pnputil, sc, reg, certutil, tasklist,
// powershell, wmic) when the Wine tests run inf/install.cmd and inf/uninstall.cmd. A copy is
// named after each command and put first on PATH. It
//   * appends "<command> <args>" to %STUB_LOG% (the call log the test asserts on);
//   * reads %STUB_DIR%\<command>.rules, lines "<args prefix>|<transcript>|<exit code>" ('#'
//     starts a comment; prefix "*" matches any arguments, "-" only none; matching ignores case
//     and quotes; the code may be hex, 0xE0000247);
//   * answers with the first rule whose prefix starts the arguments: prints the transcript file
//     (%STUB_DIR%\<transcript>, "-" for none) to stdout and exits with the code. When several
//     lines share the matching prefix, the n-th call with it gets the n-th line (the last one
//     repeats), so a case can script "not loaded, then loaded".
// A command without a rule exits 9009 with a message, so an unexpected call fails the case.
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <cwctype>
#include <string>
#include <vector>

namespace {

std::wstring env(const wchar_t* name) {
  wchar_t buf[4096];
  const DWORD n = GetEnvironmentVariableW(name, buf, 4096);
  return n > 0 && n < 4096 ? std::wstring(buf, n) : std::wstring();
}

std::wstring lower(std::wstring s) {
  for (wchar_t& c : s) c = static_cast<wchar_t>(std::towlower(c));
  return s;
}

std::wstring command_name() {
  wchar_t path[MAX_PATH];
  const DWORD n = GetModuleFileNameW(nullptr, path, MAX_PATH);
  std::wstring p(path, n);
  const size_t slash = p.find_last_of(L"\\/");
  if (slash != std::wstring::npos) p = p.substr(slash + 1);
  const size_t dot = p.rfind(L'.');
  if (dot != std::wstring::npos) p = p.substr(0, dot);
  return lower(p);
}

std::vector<std::string> read_lines(const std::wstring& path) {
  std::vector<std::string> lines;
  FILE* f = _wfopen(path.c_str(), L"rb");
  if (!f) return lines;
  std::string line;
  for (int c; (c = std::fgetc(f)) != EOF;) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else if (c != '\r') {
      line.push_back(static_cast<char>(c));
    }
  }
  if (!line.empty()) lines.push_back(line);
  std::fclose(f);
  return lines;
}

std::wstring widen(const std::string& s) {
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, nullptr, 0);
  std::wstring w(n > 0 ? n - 1 : 0, L'\0');
  if (n > 1) MultiByteToWideChar(CP_UTF8, 0, s.c_str(), -1, &w[0], n);
  return w;
}

std::string narrow(const std::wstring& w) {
  const int n = WideCharToMultiByte(CP_UTF8, 0, w.c_str(), -1, nullptr, 0, nullptr, nullptr);
  std::string s(n > 0 ? n - 1 : 0, '\0');
  if (n > 1) WideCharToMultiByte(CP_UTF8, 0, w.c_str(), -1, &s[0], n, nullptr, nullptr);
  return s;
}

// The n-th call for this prefix: a counter file per (command, rule line of the prefix's first
// match) under %STUB_DIR%.
int next_call_index(const std::wstring& dir, const std::wstring& cmd, size_t first_line) {
  const std::wstring counter = dir + L"\\" + cmd + L".count." + std::to_wstring(first_line);
  int n = 0;
  if (FILE* f = _wfopen(counter.c_str(), L"rb")) {
    if (std::fscanf(f, "%d", &n) != 1) n = 0;
    std::fclose(f);
  }
  if (FILE* f = _wfopen(counter.c_str(), L"wb")) {
    std::fprintf(f, "%d", n + 1);
    std::fclose(f);
  }
  return n;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  const std::wstring cmd = command_name();
  const std::wstring dir = env(L"STUB_DIR");
  std::wstring args;
  for (int i = 1; i < argc; ++i) args += (i > 1 ? L" " : L"") + std::wstring(argv[i]);

  const std::wstring log = env(L"STUB_LOG");
  if (!log.empty()) {
    if (FILE* f = _wfopen(log.c_str(), L"ab")) {
      std::fprintf(f, "%s%s%s\n", narrow(cmd).c_str(), args.empty() ? "" : " ", narrow(args).c_str());
      std::fclose(f);
    }
  }

  std::wstring key = lower(args);
  std::wstring unquoted;
  for (wchar_t c : key)
    if (c != L'"') unquoted.push_back(c);

  struct Rule {
    size_t line;
    std::wstring prefix, transcript;
    int code;
  };
  std::vector<Rule> matching;
  const std::vector<std::string> lines = read_lines(dir + L"\\" + cmd + L".rules");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty() || lines[i][0] == '#') continue;
    const size_t a = lines[i].find('|'), b = lines[i].rfind('|');
    if (a == std::string::npos || b == a) continue;
    Rule r{i, lower(widen(lines[i].substr(0, a))), widen(lines[i].substr(a + 1, b - a - 1)),
           static_cast<int>(std::strtoul(lines[i].substr(b + 1).c_str(), nullptr, 0))};
    const bool match = r.prefix == L"*" ? true
                       : r.prefix == L"-" ? unquoted.empty()
                                          : unquoted.compare(0, r.prefix.size(), r.prefix) == 0;
    if (!match) continue;
    if (!matching.empty() && r.prefix != matching.front().prefix) continue;  // first prefix wins
    matching.push_back(r);
  }
  if (matching.empty()) {
    std::fprintf(stderr, "stub %s: no rule for \"%s\"\n", narrow(cmd).c_str(), narrow(args).c_str());
    return 9009;
  }
  const int n = next_call_index(dir, cmd, matching.front().line);
  const Rule& r = matching[static_cast<size_t>(n) < matching.size() ? n : matching.size() - 1];
  if (r.transcript != L"-") {
    FILE* f = _wfopen((dir + L"\\" + r.transcript).c_str(), L"rb");
    if (!f) {
      std::fprintf(stderr, "stub %s: transcript %s missing\n", narrow(cmd).c_str(), narrow(r.transcript).c_str());
      return 9009;
    }
    char buf[4096];
    for (size_t got; (got = std::fread(buf, 1, sizeof buf, f)) > 0;) std::fwrite(buf, 1, got, stdout);
    std::fclose(f);
    std::fflush(stdout);
  }
  return r.code;
}
