// One function per fact of the notes (N1-N13). Each works on its own files (n<k>*.txt) in the
// facts folder, checks what the fact claims through the Win32 (or NT) call an application would
// use, and stops at the first setup step that fails. FileBackup's own streams (`:backup*`,
// added by the driver when the folder is protected) are left out of stream listings.
#include "monitor/fbcheck/win/facts.h"

#include <windows.h>
#include <winternl.h>

#include <stdio.h>

#include "monitor/fbcheck/lib/catalogue.h"
#include "monitor/fbcheck/lib/judgement.h"
#include "monitor/fbcheck/win/files.h"

namespace fbcheck {
namespace {

// N4's numbers against mingw-w64's headers (winternl.h), so the table is not only ours.
static_assert(FILE_SUPERSEDE == disposition::kSupersede && FILE_OPEN == disposition::kOpen &&
                  FILE_CREATE == disposition::kCreate && FILE_OPEN_IF == disposition::kOpenIf &&
                  FILE_OVERWRITE == disposition::kOverwrite && FILE_OVERWRITE_IF == disposition::kOverwriteIf,
              "N4 dispositions");
static_assert(FILE_SUPERSEDED == create_information::kSuperseded && FILE_OPENED == create_information::kOpened &&
                  FILE_CREATED == create_information::kCreated &&
                  FILE_OVERWRITTEN == create_information::kOverwritten,
              "N4 create results");

class Fact {
 public:
  Fact(const std::wstring& dir, const char* id) : dir_(dir), info_(*find_check(id)) {}
  std::wstring path(const wchar_t* name) const { return dir_ + L"\\" + name; }
  Judgement& j() { return j_; }
  // A step that must work for the check to go on.
  bool step(const std::string& what, DWORD error) { return j_.expect_success(what, error == 0, error); }
  bool step_bool(const std::string& what, BOOL ok) { return j_.expect_success(what, ok != FALSE, ok ? 0 : GetLastError()); }
  void expect_content(const std::string& what, const std::wstring& p, const std::string& expected) {
    const ReadResult r = read_file(p);
    j_.expect(r.ok && r.content == expected, what + " = " + quote(expected), describe(r));
  }
  void expect_absent(const std::string& what, const std::wstring& p) {
    const std::string got = presence(p);
    j_.expect(got == "absent", what + " absent", got);
  }
  void expect_streams(const std::string& what, const std::wstring& p, const std::string& expected) {
    j_.expect_equal("streams of " + what, expected, stream_list(p));
  }
  Result result() const { return j_.result(info_); }

 private:
  std::wstring dir_;
  const CheckInfo& info_;
  Judgement j_;
};

Result n1(const std::wstring& dir) {
  Fact f(dir, "N1");
  const std::wstring file = f.path(L"n1.txt");
  if (!f.step("creating n1.txt", write_file(file, CREATE_NEW, "default")) ||
      !f.step("creating n1.txt:s", write_file(file + L":s", CREATE_NEW, "named s")) ||
      !f.step("creating n1.txt:t", write_file(file + L":t", CREATE_NEW, "named t")))
    return f.result();
  // A named stream overwritten (OVERWRITE_IF) leaves the other streams alone.
  if (!f.step("CREATE_ALWAYS on n1.txt:t", write_file(file + L":t", CREATE_ALWAYS, "t again"))) return f.result();
  f.expect_content("n1.txt:s after CREATE_ALWAYS on n1.txt:t", file + L":s", "named s");
  f.expect_content("n1.txt after CREATE_ALWAYS on n1.txt:t", file, "default");
  // The default stream overwritten: every named stream goes.
  if (!f.step("CREATE_ALWAYS on n1.txt", write_file(file, CREATE_ALWAYS, "new"))) return f.result();
  f.expect_absent("n1.txt:s after CREATE_ALWAYS on n1.txt", file + L":s");
  f.expect_absent("n1.txt:t after CREATE_ALWAYS on n1.txt", file + L":t");
  f.expect_streams("n1.txt after CREATE_ALWAYS", file, "::$DATA");
  f.expect_content("n1.txt after CREATE_ALWAYS", file, "new");
  return f.result();
}

Result n2(const std::wstring& dir) {
  Fact f(dir, "N2");
  const std::wstring file = f.path(L"n2.txt");
  if (!f.step("creating n2.txt", write_file(file, CREATE_NEW, "default")) ||
      !f.step("creating n2.txt:s", write_file(file + L":s", CREATE_NEW, "named")))
    return f.result();
  {
    DWORD error = 0;
    UniqueHandle h = open_file(file, GENERIC_WRITE, TRUNCATE_EXISTING, &error);
    if (!f.step("TRUNCATE_EXISTING on n2.txt", error)) return f.result();
  }
  f.expect_content("n2.txt after TRUNCATE_EXISTING", file, "");
  f.expect_content("n2.txt:s after TRUNCATE_EXISTING", file + L":s", "named");
  // The C runtime's fopen("w") (msvcrt, as a C program calls it) overwrites on open.
  FILE* crt = _wfopen(file.c_str(), L"w");
  if (!f.j().expect(crt != nullptr, "_wfopen(n2.txt, \"w\") to succeed", "errno " + std::to_string(errno)))
    return f.result();
  fputs("crt", crt);
  fclose(crt);
  f.expect_content("n2.txt after fopen(\"w\")", file, "crt");
  f.expect_absent("n2.txt:s after fopen(\"w\")", file + L":s");
  if (!f.step("recreating n2.txt:s", write_file(file + L":s", CREATE_NEW, "named"))) return f.result();
  if (!f.step("CREATE_ALWAYS on n2.txt", write_file(file, CREATE_ALWAYS, "always"))) return f.result();
  f.expect_absent("n2.txt:s after CREATE_ALWAYS", file + L":s");
  return f.result();
}

Result n3(const std::wstring& dir) {
  Fact f(dir, "N3");
  const std::wstring file = f.path(L"n3.txt");
  if (!f.step("creating n3.txt", write_file(file, CREATE_NEW, "default")) ||
      !f.step("creating n3.txt:s", write_file(file + L":s", CREATE_NEW, "named")))
    return f.result();
  DWORD error = 0;
  UniqueHandle stream = open_file(file + L":s", GENERIC_READ, OPEN_EXISTING, &error);
  if (!f.step("opening n3.txt:s", error)) return f.result();
  if (!f.step("CREATE_ALWAYS on n3.txt while n3.txt:s is open", write_file(file, CREATE_ALWAYS, "new")))
    return f.result();
  DWORD reopen_error = 0;
  {
    UniqueHandle again = open_file(file + L":s", GENERIC_READ, OPEN_EXISTING, &reopen_error);
    f.j().expect(!again.valid(), "n3.txt:s not openable by name while its old handle is open", "it opened");
  }
  stream.reset();
  f.expect_absent("n3.txt:s after its last handle closed", file + L":s");
  f.expect_streams("n3.txt at the end", file, "::$DATA");
  return f.result();
}

// NtCreateFile straight from ntdll: the dispositions and IoStatus.Information are NT's, which
// CreateFileW hides.
Result n4(const std::wstring& dir) {
  Fact f(dir, "N4");
  const std::wstring file = f.path(L"n4.txt");
  const std::wstring nt = nt_form(file);
  for (const DispositionCase& c : disposition_cases()) {
    DeleteFileW(file.c_str());
    if (c.file_exists && !f.step("creating n4.txt", write_file(file, CREATE_NEW, "content"))) return f.result();
    UNICODE_STRING name;
    name.Buffer = const_cast<PWSTR>(nt.c_str());
    name.Length = static_cast<USHORT>(nt.size() * sizeof(wchar_t));
    name.MaximumLength = name.Length;
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK io{};
    io.Information = 0xFFFF;
    HANDLE h = nullptr;
    const NTSTATUS status =
        NtCreateFile(&h, GENERIC_READ | GENERIC_WRITE | DELETE | SYNCHRONIZE, &attributes, &io, nullptr,
                     FILE_ATTRIBUTE_NORMAL, kShareAll, c.disposition,
                     FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, nullptr, 0);
    if (status >= 0) CloseHandle(h);
    const std::string what = std::string(c.disposition_name) + (c.file_exists ? " on an existing file" : " on no file");
    char got[64];
    if (status >= 0) snprintf(got, sizeof got, "Information %llu", static_cast<unsigned long long>(io.Information));
    else snprintf(got, sizeof got, "status 0x%08lX", static_cast<unsigned long>(status));
    if (c.succeeds) {
      f.j().expect(status >= 0 && io.Information == c.information,
                   what + " to report " + c.result_name + " (" + std::to_string(c.information) + ")", got);
    } else {
      f.j().expect(static_cast<uint32_t>(status) == c.failure_status, what + " to fail with " + c.result_name, got);
    }
  }
  DeleteFileW(file.c_str());
  return f.result();
}

Result n5(const std::wstring& dir) {
  Fact f(dir, "N5");
  const std::wstring target = f.path(L"n5.txt"), source = f.path(L"n5-new.txt"), source2 = f.path(L"n5-second.txt");
  if (!f.step("creating n5.txt", write_file(target, CREATE_NEW, "target")) ||
      !f.step("creating n5.txt:s", write_file(target + L":s", CREATE_NEW, "target stream")) ||
      !f.step("creating n5-new.txt", write_file(source, CREATE_NEW, "replacement")))
    return f.result();
  if (!f.step_bool("MoveFileExW(n5-new.txt, n5.txt, REPLACE_EXISTING)",
                   MoveFileExW(source.c_str(), target.c_str(), MOVEFILE_REPLACE_EXISTING)))
    return f.result();
  f.expect_content("n5.txt after the rename over it", target, "replacement");
  f.expect_absent("n5.txt:s after the rename over n5.txt", target + L":s");
  // With a stream of the target open, the rename is refused (ACCESS_DENIED).
  if (!f.step("creating n5.txt:s again", write_file(target + L":s", CREATE_NEW, "open stream")) ||
      !f.step("creating n5-second.txt", write_file(source2, CREATE_NEW, "second")))
    return f.result();
  DWORD error = 0;
  UniqueHandle held = open_file(target + L":s", GENERIC_READ, OPEN_EXISTING, &error);
  if (!f.step("opening n5.txt:s", error)) return f.result();
  UniqueHandle mover = open_file(source2, DELETE | SYNCHRONIZE, OPEN_EXISTING, &error);
  if (!f.step("opening n5-second.txt for DELETE", error)) return f.result();
  const DWORD renamed = rename_handle(mover.get(), nt_form(target), true);
  f.j().expect_error("FileRenameInfo(ReplaceIfExists) onto n5.txt while n5.txt:s is open", ERROR_ACCESS_DENIED,
                     renamed == 0, renamed);
  mover.reset();
  held.reset();
  f.expect_content("n5.txt after the refused rename", target, "replacement");
  f.expect_content("n5.txt:s after the refused rename", target + L":s", "open stream");
  return f.result();
}

Result n6(const std::wstring& dir) {
  Fact f(dir, "N6");
  const std::wstring file = f.path(L"n6.txt"), moved = f.path(L"n6-renamed.txt");
  if (!f.step("creating n6.txt", write_file(file, CREATE_NEW, "default")) ||
      !f.step("creating n6.txt:s", write_file(file + L":s", CREATE_NEW, "named")))
    return f.result();
  DWORD error = 0;
  UniqueHandle held = open_file(file + L":s", GENERIC_READ, OPEN_EXISTING, &error);
  if (!f.step("opening n6.txt:s", error)) return f.result();
  const BOOL refused = MoveFileExW(file.c_str(), moved.c_str(), 0);
  f.j().expect_error("MoveFileExW(n6.txt, n6-renamed.txt) while n6.txt:s is open", ERROR_ACCESS_DENIED,
                     refused != FALSE, refused ? 0 : GetLastError());
  held.reset();
  // The control: with the stream closed the same rename works.
  if (!refused) f.step_bool("MoveFileExW(n6.txt, n6-renamed.txt) once n6.txt:s is closed",
                            MoveFileExW(file.c_str(), moved.c_str(), 0));
  return f.result();
}

Result n7(const std::wstring& dir) {
  Fact f(dir, "N7");
  const std::wstring replaced = f.path(L"n7.txt"), replacement = f.path(L"n7-new.txt");
  if (!f.step("creating n7.txt", write_file(replaced, CREATE_NEW, "replaced")) ||
      !f.step("creating n7.txt:keep", write_file(replaced + L":keep", CREATE_NEW, "kept stream")) ||
      !f.step("creating n7-new.txt", write_file(replacement, CREATE_NEW, "replacement")))
    return f.result();
  if (!f.step_bool("ReplaceFileW(n7.txt, n7-new.txt)",
                   ReplaceFileW(replaced.c_str(), replacement.c_str(), nullptr, 0, nullptr, nullptr)))
    return f.result();
  f.expect_content("n7.txt after ReplaceFileW", replaced, "replacement");
  f.expect_content("n7.txt:keep after ReplaceFileW", replaced + L":keep", "kept stream");
  f.expect_absent("n7-new.txt after ReplaceFileW", replacement);
  return f.result();
}

Result n8(const std::wstring& dir) {
  Fact f(dir, "N8");
  const std::wstring file = f.path(L"n8.txt");
  if (!f.step("creating n8.txt (empty)", write_file(file, CREATE_NEW, "")) ||
      !f.step("creating n8.txt:a", write_file(file + L":a", CREATE_NEW, "stream a")) ||
      !f.step("creating n8.txt:c", write_file(file + L":c", CREATE_NEW, "stream c")))
    return f.result();
  DWORD error = 0;
  {
    UniqueHandle a = open_file(file + L":a", DELETE | SYNCHRONIZE, OPEN_EXISTING, &error);
    if (!f.step("opening n8.txt:a for DELETE", error)) return f.result();
    if (!f.step("renaming n8.txt:a to :b", rename_handle(a.get(), L":b", false))) return f.result();
  }
  f.expect_content("n8.txt:b after the rename", file + L":b", "stream a");
  f.expect_absent("n8.txt:a after the rename", file + L":a");
  {
    UniqueHandle b = open_file(file + L":b", DELETE | SYNCHRONIZE, OPEN_EXISTING, &error);
    if (!f.step("opening n8.txt:b for DELETE", error)) return f.result();
    DWORD e = rename_handle(b.get(), L":c", false);
    f.j().expect_error("renaming n8.txt:b onto the existing :c without ReplaceIfExists", ERROR_ALREADY_EXISTS,
                       e == 0, e);
    e = rename_handle(b.get(), L":c", true);
    f.j().expect_error("renaming n8.txt:b onto the non-empty :c with ReplaceIfExists", ERROR_INVALID_PARAMETER,
                       e == 0, e);
    // The default stream is empty and unopened: a rename onto it replaces it.
    e = rename_handle(b.get(), L"::$DATA", true);
    f.j().expect_success("renaming n8.txt:b to ::$DATA with ReplaceIfExists", e == 0, e);
  }
  f.expect_content("n8.txt after the rename to ::$DATA", file, "stream a");
  f.expect_content("n8.txt:c at the end", file + L":c", "stream c");
  f.expect_streams("n8.txt at the end", file, "::$DATA, :c:$DATA");
  return f.result();
}

Result n9(const std::wstring& dir) {
  Fact f(dir, "N9");
  const std::wstring file = f.path(L"n9.txt"), copy = f.path(L"n9-copy.txt");
  if (!f.step("creating n9.txt", write_file(file, CREATE_NEW, "content")) ||
      !f.step("creating n9.txt:s", write_file(file + L":s", CREATE_NEW, "named")))
    return f.result();
  if (f.step_bool("CopyFileW(n9.txt, n9-copy.txt)", CopyFileW(file.c_str(), copy.c_str(), TRUE))) {
    f.expect_content("n9-copy.txt", copy, "content");
    f.expect_content("n9-copy.txt:s", copy + L":s", "named");
  }
  if (!f.step_bool("DeleteFileW(n9.txt)", DeleteFileW(file.c_str()))) return f.result();
  f.expect_absent("n9.txt after the delete", file);
  if (!f.step("creating n9.txt again", write_file(file, CREATE_NEW, "again"))) return f.result();
  f.expect_absent("n9.txt:s of the new n9.txt", file + L":s");
  return f.result();
}

Result n10(const std::wstring& dir) {
  Fact f(dir, "N10");
  const std::wstring file = f.path(L"n10.txt"), link = f.path(L"n10-link.txt");
  if (!f.step("creating n10.txt", write_file(file, CREATE_NEW, "one")) ||
      !f.step("creating n10.txt:s", write_file(file + L":s", CREATE_NEW, "stream")))
    return f.result();
  if (!f.step_bool("CreateHardLinkW(n10-link.txt, n10.txt)", CreateHardLinkW(link.c_str(), file.c_str(), nullptr)))
    return f.result();
  f.j().expect_equal("link count of n10.txt", 2, link_count(file));
  f.expect_content("n10-link.txt:s", link + L":s", "stream");
  if (f.step("writing n10-link.txt", write_file(link, OPEN_EXISTING, "two")))
    f.expect_content("n10.txt after writing through the link", file, "two");
  if (f.step("creating n10-link.txt:t", write_file(link + L":t", CREATE_NEW, "through the link")))
    f.expect_content("n10.txt:t", file + L":t", "through the link");
  if (!f.step_bool("DeleteFileW(n10.txt)", DeleteFileW(file.c_str()))) return f.result();
  f.expect_absent("n10.txt after deleting that link", file);
  f.expect_content("n10-link.txt after deleting the other link", link, "two");
  f.expect_content("n10-link.txt:s after deleting the other link", link + L":s", "stream");
  f.j().expect_equal("link count of n10-link.txt", 1, link_count(link));
  return f.result();
}

Result n11(const std::wstring& dir) {
  Fact f(dir, "N11");
  const std::wstring pending = f.path(L"n11-pending.txt"), cancel = f.path(L"n11-cancel.txt"),
                     posix = f.path(L"n11-posix.txt"), on_close = f.path(L"n11-onclose.txt"),
                     readonly = f.path(L"n11-readonly.txt");
  DWORD error = 0;
  // Delete-pending: the name stays until the last handle closes.
  if (!f.step("creating n11-pending.txt", write_file(pending, CREATE_NEW, "pending"))) return f.result();
  {
    UniqueHandle deleter = open_file(pending, DELETE | GENERIC_READ, OPEN_EXISTING, &error);
    UniqueHandle other = open_file(pending, GENERIC_READ, OPEN_EXISTING, &error);
    if (!f.step("opening n11-pending.txt twice", error)) return f.result();
    if (!f.step("FileDispositionInfo(TRUE) on n11-pending.txt", set_delete(deleter.get(), true))) return f.result();
    deleter.reset();
    WIN32_FIND_DATAW found{};
    HANDLE find = FindFirstFileW(pending.c_str(), &found);
    f.j().expect(find != INVALID_HANDLE_VALUE, "n11-pending.txt still listed while another handle is open",
                 "not listed (" + win32_error_text(GetLastError()) + ")");
    if (find != INVALID_HANDLE_VALUE) FindClose(find);
    DWORD reopen = 0;
    UniqueHandle again = open_file(pending, GENERIC_READ, OPEN_EXISTING, &reopen);
    // STATUS_DELETE_PENDING reaches Win32 as ERROR_ACCESS_DENIED.
    f.j().expect_error("opening the delete-pending n11-pending.txt", ERROR_ACCESS_DENIED, again.valid(), reopen);
  }
  f.expect_absent("n11-pending.txt after its last handle closed", pending);
  // Cancelled before the last close: the file stays.
  if (!f.step("creating n11-cancel.txt", write_file(cancel, CREATE_NEW, "cancel"))) return f.result();
  {
    UniqueHandle h = open_file(cancel, DELETE | GENERIC_READ, OPEN_EXISTING, &error);
    if (!f.step("opening n11-cancel.txt", error)) return f.result();
    f.step("FileDispositionInfo(TRUE) on n11-cancel.txt", set_delete(h.get(), true));
    f.step("FileDispositionInfo(FALSE) on n11-cancel.txt", set_delete(h.get(), false));
  }
  f.expect_content("n11-cancel.txt after a cancelled delete", cancel, "cancel");
  // POSIX semantics: the name goes when the setting handle closes; the other handle keeps working.
  if (!f.step("creating n11-posix.txt", write_file(posix, CREATE_NEW, "posix"))) return f.result();
  {
    UniqueHandle deleter = open_file(posix, DELETE | GENERIC_READ, OPEN_EXISTING, &error);
    UniqueHandle other = open_file(posix, GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING, &error);
    if (!f.step("opening n11-posix.txt twice", error)) return f.result();
    if (f.step("FileDispositionInfoEx(DELETE | POSIX_SEMANTICS) on n11-posix.txt", set_delete_posix(deleter.get()))) {
      deleter.reset();
      f.expect_absent("n11-posix.txt once the deleting handle closed", posix);
      LARGE_INTEGER end{};
      SetFilePointerEx(other.get(), end, nullptr, FILE_END);
      f.step("writing through the remaining handle", write_handle(other.get(), "+more"));
      const ReadResult r = read_handle(other.get());
      f.j().expect(r.ok && r.content == "posix+more", "the remaining handle to read 'posix+more'", describe(r));
    }
  }
  // FILE_FLAG_DELETE_ON_CLOSE (FILE_DELETE_ON_CLOSE): gone at that handle's close.
  {
    UniqueHandle h = open_file(on_close, GENERIC_WRITE | DELETE, CREATE_NEW, &error,
                               FILE_ATTRIBUTE_NORMAL | FILE_FLAG_DELETE_ON_CLOSE);
    if (!f.step("creating n11-onclose.txt with FILE_FLAG_DELETE_ON_CLOSE", error)) return f.result();
    write_handle(h.get(), "temporary");
  }
  f.expect_absent("n11-onclose.txt after its handle closed", on_close);
  // A read-only file cannot be deleted (STATUS_CANNOT_DELETE, ERROR_ACCESS_DENIED in Win32).
  if (!f.step("creating n11-readonly.txt", write_file(readonly, CREATE_NEW, "read-only")) ||
      !f.step_bool("making n11-readonly.txt read-only", SetFileAttributesW(readonly.c_str(), FILE_ATTRIBUTE_READONLY)))
    return f.result();
  {
    UniqueHandle h = open_file(readonly, DELETE, OPEN_EXISTING, &error);
    if (f.step("opening n11-readonly.txt for DELETE", error)) {
      const DWORD e = set_delete(h.get(), true);
      f.j().expect_error("FileDispositionInfo(TRUE) on a read-only file", ERROR_ACCESS_DENIED, e == 0, e);
      if (e == 0) set_delete(h.get(), false);
    }
  }
  f.expect_content("n11-readonly.txt after the refused delete", readonly, "read-only");
  SetFileAttributesW(readonly.c_str(), FILE_ATTRIBUTE_NORMAL);
  return f.result();
}

Result never_checkable(const char* id) {
  const CheckInfo& info = *find_check(id);
  Result r;
  r.id = info.id;
  r.name = info.name;
  r.status = Status::kSkip;
  r.detail = info.never_checkable;
  return r;
}

}  // namespace

std::vector<Result> check_facts(const std::wstring& dir, void (*on_result)(const Result&)) {
  using Check = Result (*)(const std::wstring&);
  const Check checks[] = {n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11};
  std::vector<Result> results;
  for (const Check check : checks) {
    results.push_back(check(dir));
    on_result(results.back());
  }
  for (const CheckInfo& info : facts()) {
    if (info.never_checkable == nullptr) continue;
    results.push_back(never_checkable(info.id));
    on_result(results.back());
  }
  return results;
}

}  // namespace fbcheck
