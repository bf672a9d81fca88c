#include "monitor/lib/errors.h"

#include "common/protocol/protocol.h"
#include "monitor/lib/text.h"

namespace fbmon {
namespace {

std::string code_text(const char* kind, uint32_t code) {
  return code == 0 ? std::string() : std::string(" (") + kind + " " + format_hex32(code) + ")";
}

// Port errors default to HRESULT (what the Filter* calls return); file errors to Win32 errors.
std::string code_of(const ErrorInfo& e, const char* default_kind) {
  switch (e.code_kind) {
    case CodeKind::kHresult: return code_text("HRESULT", e.code);
    case CodeKind::kWin32: return code_text("error", e.code);
    case CodeKind::kNtStatus: return code_text("status", e.code);
    case CodeKind::kNone: break;
  }
  return code_text(default_kind, e.code);
}

std::string port_text(const ErrorInfo& e) { return "port " + port_name() + code_of(e, "HRESULT"); }

std::string file_code(const ErrorInfo& e) { return code_of(e, "error"); }

}  // namespace

std::string port_name() { return to_utf8(fb::Str16(fb::proto::kPortName, fb::proto::kPortNameUnits)); }

std::string error_line(const ErrorInfo& e) {
  std::string line = "fbmon: ";
  switch (e.failure) {
    case Failure::kUsage:
      // The one hint of the line: details never carry their own.
      return line + e.detail + " (see `fbmon " + (e.help_topic.empty() ? "" : e.help_topic + " ") + "--help`)";
    case Failure::kNotElevated:
      return line + "not elevated: " + (e.subject.empty() ? port_text(e) : e.subject + file_code(e)) +
             " refused access; run fbmon from an elevated prompt (Run as administrator)";
    case Failure::kAccessDenied:
      return line + "access denied: " + (e.subject.empty() ? port_text(e) : e.subject + file_code(e)) +
             "; only administrators and SYSTEM may use it, check the account and any security software";
    case Failure::kDriverNotLoaded:
      return line + "driver not loaded: " + port_text(e) + " not found; load it with `fltmc load FileBackup`";
    case Failure::kPortUnsupported:
      return line + "filter communication ports are not available here: " + port_text(e) +
             "; fbmon needs Windows with Filter Manager (Wine cannot host the driver)";
    case Failure::kProtocolMismatch: {
      const std::string driver =
          e.driver_protocol ? "driver speaks protocol " + std::to_string(e.driver_protocol)
                            : "driver speaks another protocol";
      return line + driver + ", this fbmon speaks " + std::to_string(e.our_protocol) + ": " + port_text(e) +
             " refused the connection; install the fbmon.exe shipped with the loaded driver";
    }
    case Failure::kWatcherBusy:
      return line + "another `fbmon watch` is connected to " + port_text(e) +
             ": the driver admits one watcher at a time; stop the other one (Ctrl+C in its window) or "
             "use `fbmon stats`, which needs no watcher slot";
    case Failure::kPortFailed:
      return line + "cannot talk to the driver: " + port_text(e) +
             (e.detail.empty() ? "" : " " + e.detail) + "; check `fltmc filters` lists FileBackup";
    case Failure::kDriverTooOld:
      return line + "the driver refused the command: " + port_text(e) +
             "; update the driver and fbmon together";
    case Failure::kNotNtfs:
      return line + e.subject + " is not on an NTFS volume" + (e.detail.empty() ? "" : " (" + e.detail + ")") +
             "; backups live in NTFS streams, so only NTFS files have them";
    case Failure::kNoBackup:
      return line + "no backup yet: " + e.subject + (e.detail.empty() ? "" : " " + e.detail) +
             "; FileBackup keeps one when a protected file is first modified (`fbmon config show` says what is protected)";
    case Failure::kNoSuchVersion:
      return line + e.subject + " has no backup " + std::to_string(e.version) + " (backups present: " + e.detail +
             "); pick one of those with --version N, `fbmon list " + e.subject + "` shows them";
    case Failure::kNotKept:
      return line + "not kept: " + e.subject + (e.detail.empty() ? "" : " " + e.detail) +
             "; `fbmon deleted` lists the deleted files it keeps";
    case Failure::kBackupCorrupt:
      return line + "backup is corrupt, refusing to restore it: " + e.subject +
             (e.detail.empty() ? "" : " (" + e.detail + ")") + "; pick another with `fbmon list` and --version N";
    case Failure::kBackupIncomplete:
      return line + "backup is incomplete, refusing to restore it: " + e.subject +
             (e.detail.empty() ? "" : " (" + e.detail + ")") + "; pick another with `fbmon list` and --version N";
    case Failure::kFileInUse:
      return line + "file in use by another program: " + e.subject + file_code(e) +
             "; it holds the file without sharing writes, close it and retry";
    case Failure::kFileNotFound:
      return line + "file not found: " + e.subject + file_code(e) + "; check the name";
    case Failure::kFolderNotFound:
      return line + "folder not found: " + e.subject + file_code(e) +
             (e.detail.empty() ? "; check the path" : "; " + e.detail);
    case Failure::kIsFolder:
      return line + e.subject + " is a folder" +
             (e.detail.empty() ? "; give a file (`fbmon list " + e.subject + "` shows the files in it with backups)"
                               : "; " + e.detail);
    case Failure::kReadOnly:
      return line + e.subject + " is read-only" + (e.detail.empty() ? "" : " (" + e.detail + ")") +
             "; clear the attribute with `attrib -r \"" + e.subject + "\"` and retry";
    case Failure::kFileAccessDenied:
      return line + "access denied: " + e.subject + file_code(e) + (e.detail.empty() ? "" : " (" + e.detail + ")") +
             "; your account may not open it this way: check its permissions (`icacls \"" + e.subject + "\"`)";
    case Failure::kOther:
      break;
  }
  return line + (e.subject.empty() ? "" : e.subject + ": ") + (e.detail.empty() ? "failed" : e.detail) +
         file_code(e);
}

int exit_code(Failure failure) {
  switch (failure) {
    case Failure::kUsage: return 2;
    case Failure::kDriverNotLoaded:
    case Failure::kPortUnsupported:
    case Failure::kProtocolMismatch:
    case Failure::kWatcherBusy:
    case Failure::kPortFailed:
    case Failure::kDriverTooOld: return 3;
    case Failure::kNotElevated:
    case Failure::kAccessDenied: return 4;
    case Failure::kNoBackup:
    case Failure::kNoSuchVersion:
    case Failure::kNotKept:
    case Failure::kBackupCorrupt:
    case Failure::kBackupIncomplete: return 5;
    case Failure::kFileInUse: return 6;
    case Failure::kNotNtfs:
    case Failure::kFileNotFound:
    case Failure::kFolderNotFound:
    case Failure::kIsFolder:
    case Failure::kReadOnly:
    case Failure::kFileAccessDenied:
    case Failure::kOther: return 1;
  }
  return 1;
}

Failure classify_port_hresult(uint32_t hresult, bool elevated) {
  switch (hresult) {
    case hr::kFileNotFound:
    case hr::kPathNotFound: return Failure::kDriverNotLoaded;
    case hr::kAccessDenied: return elevated ? Failure::kAccessDenied : Failure::kNotElevated;
    case hr::kNotImpl:
    case hr::kNotSupported: return Failure::kPortUnsupported;
    case hr::kRevisionMismatch:
    case hr::kNtRevisionMismatch: return Failure::kProtocolMismatch;
    case hr::kInvalidFunction: return Failure::kDriverTooOld;
    case hr::kConnectionCountLimit:
    case hr::kNtConnectionCountLimit: return Failure::kWatcherBusy;
    default: return Failure::kPortFailed;
  }
}

Failure classify_win32_error(uint32_t error, bool /*elevated*/) {
  switch (error) {
    case win32::kFileNotFound:
    case win32::kInvalidName: return Failure::kFileNotFound;
    case win32::kPathNotFound: return Failure::kFolderNotFound;
    case win32::kAccessDenied: return Failure::kFileAccessDenied;
    case win32::kSharingViolation:
    case win32::kLockViolation: return Failure::kFileInUse;
    default: return Failure::kOther;
  }
}

Failure classify_registry_error(uint32_t error, bool elevated) {
  if (error == win32::kAccessDenied) return elevated ? Failure::kAccessDenied : Failure::kNotElevated;
  return Failure::kOther;
}

Failure classify_status(int32_t status, bool /*elevated*/) {
  switch (static_cast<uint32_t>(status)) {
    case 0xC0000034:  // object name not found
    case 0xC000000F:  // no such file
    case 0xC0000033: return Failure::kFileNotFound;  // object name invalid
    case 0xC000003A: return Failure::kFolderNotFound;  // object path not found
    case 0xC0000022: return Failure::kFileAccessDenied;
    case 0xC00000BA: return Failure::kIsFolder;      // STATUS_FILE_IS_A_DIRECTORY
    case 0xC0000043:  // sharing violation
    case 0xC0000054: return Failure::kFileInUse;    // file lock conflict
    default: return Failure::kOther;
  }
}

std::string exit_codes_text() {
  return "exit status: 0 done; 1 a file error (not found, a folder, read-only, access denied, not NTFS, other);\n"
         "  2 bad command line; 3 driver or port unavailable; 4 not elevated or the port refused access;\n"
         "  5 no usable backup (none, no such version, corrupt or incomplete); 6 file in use by another program\n";
}

}  // namespace fbmon
