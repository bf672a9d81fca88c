#include "monitor/lib/errors.h"

#include <gtest/gtest.h>

namespace {

using fbmon::Failure;

TEST(MonitorErrors, PortHresultsAreClassified) {
  struct Case { uint32_t hr; bool elevated; Failure failure; };
  const Case cases[] = {
      {0x80070002, true, Failure::kDriverNotLoaded},
      {0x80070003, false, Failure::kDriverNotLoaded},
      {0x80070005, false, Failure::kNotElevated},
      {0x80070005, true, Failure::kAccessDenied},
      {0x80004001, true, Failure::kPortUnsupported},
      {0x8007051A, true, Failure::kProtocolMismatch},
      {0xD0000059, true, Failure::kProtocolMismatch},
      {0x80070001, true, Failure::kDriverTooOld},
      {0x8007000E, true, Failure::kPortFailed},
  };
  for (const Case& c : cases) EXPECT_EQ(fbmon::classify_port_hresult(c.hr, c.elevated), c.failure) << std::hex << c.hr;
}

TEST(MonitorErrors, Win32ErrorsAreClassified) {
  EXPECT_EQ(fbmon::classify_win32_error(32, true), Failure::kFileInUse);
  EXPECT_EQ(fbmon::classify_win32_error(33, true), Failure::kFileInUse);
  EXPECT_EQ(fbmon::classify_win32_error(2, true), Failure::kFileNotFound);
  EXPECT_EQ(fbmon::classify_win32_error(3, true), Failure::kFolderNotFound);
  // A file's access denied is never the port's ("only administrators and SYSTEM may use it").
  EXPECT_EQ(fbmon::classify_win32_error(5, false), Failure::kFileAccessDenied);
  EXPECT_EQ(fbmon::classify_win32_error(5, true), Failure::kFileAccessDenied);
  EXPECT_EQ(fbmon::classify_win32_error(1117, true), Failure::kOther);
  EXPECT_EQ(fbmon::classify_registry_error(5, false), Failure::kNotElevated);
  EXPECT_EQ(fbmon::classify_registry_error(5, true), Failure::kAccessDenied);
  EXPECT_EQ(fbmon::classify_status(static_cast<int32_t>(0xC0000022), true), Failure::kFileAccessDenied);
  EXPECT_EQ(fbmon::classify_status(static_cast<int32_t>(0xC00000BA), true), Failure::kIsFolder);
  EXPECT_EQ(fbmon::classify_status(static_cast<int32_t>(0xC000003A), true), Failure::kFolderNotFound);
}

TEST(MonitorErrors, EveryLineIsOneLineWithItsFix) {
  struct Case { fbmon::ErrorInfo error; const char* line; int exit; };
  auto info = [](Failure f, uint32_t code, std::string subject = "", std::string detail = "") {
    fbmon::ErrorInfo e;
    e.failure = f;
    e.code = code;
    e.subject = std::move(subject);
    e.detail = std::move(detail);
    return e;
  };
  fbmon::ErrorInfo no_such_version = info(Failure::kNoSuchVersion, 0, "C:\\a.txt", "1, 2");
  no_such_version.version = 4;
  fbmon::ErrorInfo restore_usage = info(Failure::kUsage, 0, "", "restore needs a FILE");
  restore_usage.help_topic = "restore";
  fbmon::ErrorInfo mismatch = info(Failure::kProtocolMismatch, 0x8007051A);
  mismatch.driver_protocol = 3;
  mismatch.our_protocol = 2;
  const Case cases[] = {
      {info(Failure::kDriverNotLoaded, 0x80070002),
       "fbmon: driver not loaded: port \\FileBackupPort (HRESULT 0x80070002) not found; load it with `fltmc load FileBackup`", 3},
      {info(Failure::kPortUnsupported, 0x80004001),
       "fbmon: filter communication ports are not available here: port \\FileBackupPort (HRESULT 0x80004001); "
       "fbmon needs Windows with Filter Manager (Wine cannot host the driver)", 3},
      {info(Failure::kNotElevated, 0x80070005),
       "fbmon: not elevated: port \\FileBackupPort (HRESULT 0x80070005) refused access; run fbmon from an elevated prompt (Run as administrator)", 4},
      {mismatch,
       "fbmon: driver speaks protocol 3, this fbmon speaks 2: port \\FileBackupPort (HRESULT 0x8007051A) refused the connection; "
       "install the fbmon.exe shipped with the loaded driver", 3},
      {info(Failure::kFileInUse, 32, "C:\\a.txt"),
       "fbmon: file in use by another program: C:\\a.txt (error 0x00000020); it holds the file without sharing writes, close it and retry", 6},
      {info(Failure::kNoBackup, 0, "C:\\a.txt"),
       "fbmon: no backup yet: C:\\a.txt; FileBackup keeps one when a protected file is first modified "
       "(`fbmon config show` says what is protected)", 5},
      {no_such_version,
       "fbmon: C:\\a.txt has no backup 4 (backups present: 1, 2); pick one of those with --version N, "
       "`fbmon list C:\\a.txt` shows them", 5},
      {info(Failure::kIsFolder, 0, "C:\\d"),
       "fbmon: C:\\d is a folder; give a file (`fbmon list C:\\d` shows the files in it with backups)", 1},
      {info(Failure::kReadOnly, 0, "C:\\out.txt"),
       "fbmon: C:\\out.txt is read-only; clear the attribute with `attrib -r \"C:\\out.txt\"` and retry", 1},
      {info(Failure::kFileAccessDenied, 5, "C:\\out.txt"),
       "fbmon: access denied: C:\\out.txt (error 0x00000005); your account may not open it this way: "
       "check its permissions (`icacls \"C:\\out.txt\"`)", 1},
      {info(Failure::kFolderNotFound, 3, "C:\\nope", "create it first or pick another --to"),
       "fbmon: folder not found: C:\\nope (error 0x00000003); create it first or pick another --to", 1},
      {info(Failure::kFileNotFound, 2, "C:\\none.txt"),
       "fbmon: file not found: C:\\none.txt (error 0x00000002); check the name", 1},
      {restore_usage, "fbmon: restore needs a FILE (see `fbmon restore --help`)", 2},
      {info(Failure::kBackupCorrupt, 0, "C:\\a.txt:backup", "SHA-256 differs"),
       "fbmon: backup is corrupt, refusing to restore it: C:\\a.txt:backup (SHA-256 differs); pick another with `fbmon list` and --version N", 5},
      {info(Failure::kNotNtfs, 0, "E:\\a.txt", "FAT32"),
       "fbmon: E:\\a.txt is not on an NTFS volume (FAT32); backups live in NTFS streams, so only NTFS files have them", 1},
      {info(Failure::kUsage, 0, "", "unknown command 'x'"), "fbmon: unknown command 'x' (see `fbmon --help`)", 2},
  };
  fbmon::ErrorInfo refused = info(Failure::kDriverTooOld, 0xC0000010);
  refused.code_kind = fbmon::CodeKind::kNtStatus;
  EXPECT_EQ(fbmon::error_line(refused),
            "fbmon: the driver refused the command: port \\FileBackupPort (status 0xC0000010); update the driver and fbmon together");
  for (const Case& c : cases) {
    const std::string line = fbmon::error_line(c.error);
    EXPECT_EQ(line, c.line);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.find("(see"), line.rfind("(see")) << "one hint at most";
    EXPECT_EQ(fbmon::exit_code(c.error.failure), c.exit);
  }
}

TEST(MonitorErrors, ExitCodesAreListed) {
  const std::string text = fbmon::exit_codes_text();
  for (const char* code : {"0 done", "1 a file error", "2 bad command line", "3 driver or port unavailable",
                           "4 not elevated", "5 no usable backup", "6 file in use"})
    EXPECT_NE(text.find(code), std::string::npos) << code;
  EXPECT_EQ(fbmon::exit_code(Failure::kNoSuchVersion), 5);
  EXPECT_EQ(fbmon::exit_code(Failure::kIsFolder), 1);
  EXPECT_EQ(fbmon::exit_code(Failure::kFileAccessDenied), 1);
}

}  // namespace
