// fbcheck.exe: makes a scratch folder, checks the NTFS facts there, then (with the driver
// loaded and the folder protected) plays the save stories as the driver's watcher; one line
// per check, a summary, and an exit code saying what happened (monitor/fbcheck/lib/report.h).
#include <windows.h>

#include <stdio.h>

#include <string>
#include <vector>

#include "monitor/fbcheck/lib/args.h"
#include "monitor/fbcheck/lib/catalogue.h"
#include "monitor/fbcheck/lib/report.h"
#include "monitor/fbcheck/win/facts.h"
#include "monitor/fbcheck/win/stories.h"
#include "monitor/win/console.h"
#include "monitor/win/win_util.h"

namespace fbcheck {
namespace {

void print_result(const Result& r) { fbmon::print_line(format_result(r)); }

// `<base>\fbcheck-YYYYMMDD-HHMMSS[-n]`, created; empty on failure (*error set).
std::wstring make_scratch(const std::wstring& base, DWORD* error) {
  SYSTEMTIME t;
  GetLocalTime(&t);
  wchar_t stamp[32];
  swprintf(stamp, 32, L"fbcheck-%04u%02u%02u-%02u%02u%02u", t.wYear, t.wMonth, t.wDay, t.wHour, t.wMinute, t.wSecond);
  std::wstring dir = base;
  if (!dir.empty() && dir.back() != L'\\') dir += L'\\';
  dir += stamp;
  for (int n = 2; n < 100; ++n) {
    if (CreateDirectoryW(dir.c_str(), nullptr)) return dir;
    *error = GetLastError();
    if (*error != ERROR_ALREADY_EXISTS) return L"";
    dir = dir.substr(0, dir.rfind(L"fbcheck-")) + stamp + L"-" + std::to_wstring(n);
  }
  return L"";
}

void skip_stories(const std::string& reason, std::vector<Result>& results) {
  for (const CheckInfo& story : stories()) {
    Result r;
    r.id = story.id;
    r.name = story.name;
    r.status = Status::kSkip;
    r.detail = reason;
    results.push_back(r);
    print_result(r);
  }
}

int run(const Options& options) {
  std::wstring base = options.folder.empty() ? L"." : fbmon::to_wide(options.folder);
  base = fbmon::full_path(base);
  DWORD attributes = GetFileAttributesW(base.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES || !(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    fbmon::print_error("fbcheck: " + fbmon::narrow(base) + " is not a folder (" +
                       win32_error_text(attributes == INVALID_FILE_ATTRIBUTES ? GetLastError() : ERROR_DIRECTORY) + ")");
    return kExitSetup;
  }
  DWORD error = 0;
  const std::wstring scratch = make_scratch(base, &error);
  const std::wstring facts_dir = scratch + L"\\facts";
  if (scratch.empty() || !CreateDirectoryW(facts_dir.c_str(), nullptr)) {
    if (!scratch.empty()) error = GetLastError();
    fbmon::print_error("fbcheck: cannot make a scratch folder in " + fbmon::narrow(base) + ": " +
                       win32_error_text(error));
    return kExitSetup;
  }
  fbmon::print_line("fbcheck: scratch folder " + fbmon::narrow(scratch) + " (kept for inspection)");
  if (fbmon::running_on_wine())
    fbmon::print_line("fbcheck: running under Wine, which keeps named streams as plain files: facts fail here");

  std::vector<Result> results = check_facts(facts_dir, print_result);
  StoriesOutcome outcome = StoriesOutcome::kFactsOnly;
  if (options.facts_only) {
    skip_stories(stories_skip_reason(outcome), results);
  } else {
    std::string reason;
    outcome = play_stories(scratch, results, print_result, &reason);
    if (outcome != StoriesOutcome::kRan) {
      fbmon::print_line("fbcheck: stories skipped: " + reason);
      skip_stories(stories_skip_reason(outcome), results);
    }
  }
  const Tally t = tally(results);
  fbmon::print_line(format_summary(t));
  return exit_code(t, outcome);
}

}  // namespace
}  // namespace fbcheck

int wmain(int argc, wchar_t** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.push_back(fbmon::narrow(argv[i]));
  const fbcheck::ParsedOptions parsed = fbcheck::parse_options(args);
  if (!parsed.ok) {
    fbmon::print_error(parsed.error);
    return fbcheck::kExitUsage;
  }
  if (parsed.options.help) {
    fbmon::print_out(fbcheck::help_text());
    return fbcheck::kExitAllPassed;
  }
  return fbcheck::run(parsed.options);
}
