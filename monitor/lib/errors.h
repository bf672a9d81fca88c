// Every failure fbmon reports is one line: what went wrong, the code behind it, and what to do.
// The Win32 glue classifies (HRESULT or Win32 error + context) and prints error_line().
#pragma once

#include <stdint.h>

#include <string>

namespace fbmon {

// The port's name for messages (fb::proto::kPortName, the one spelling, as UTF-8).
std::string port_name();

enum class Failure {
  kUsage,             // bad command line
  kNotElevated,       // port or registry refused and the process is not elevated
  kAccessDenied,      // refused although elevated
  kDriverNotLoaded,   // the port does not exist
  kPortUnsupported,   // Filter Manager ports are not implemented (Wine: E_NOTIMPL)
  kProtocolMismatch,  // the driver refused our hello
  kWatcherBusy,       // the driver admits one watcher, and another fbmon watch is connected
  kPortFailed,        // any other port error
  kNotNtfs,           // backups live in NTFS streams
  kNoBackup,          // the file has no backup at all
  kNoSuchVersion,     // the file has backups, but not the version asked for
  kNotKept,           // restore --deleted: no deleted file kept for that path (or id)
  kBackupCorrupt,     // data does not match its metadata
  kBackupIncomplete,  // data or metadata missing or short
  kFileInUse,         // sharing violation
  kFileNotFound,
  kFolderNotFound,    // a folder on the way to the file (or the --to destination's) is missing
  kIsFolder,          // a folder where a file is needed
  kReadOnly,          // the file to write has the read-only attribute
  kFileAccessDenied,  // the file system refused a file (permissions), as opposed to the port
  kDriverTooOld,      // connected, but the driver did not understand a command
  kOther,
};

// What `code` holds, so the line names it: "HRESULT 0x80070002", "error 0x00000020", "status 0xC0000043".
enum class CodeKind { kNone, kHresult, kWin32, kNtStatus };

struct ErrorInfo {
  Failure failure = Failure::kOther;
  uint32_t code = 0;              // see code_kind; 0 when there is none
  CodeKind code_kind = CodeKind::kNone;  // kNone: HRESULT for port errors, Win32 error otherwise
  std::string subject;            // the file, key or port concerned
  std::string detail;             // extra words for kUsage/kOther/kBackupCorrupt
  std::string help_topic;         // kUsage: the command whose --help the line points to ("" = overview)
  uint32_t version = 0;           // kNoSuchVersion: the version asked for (detail: the ones present)
  uint32_t driver_protocol = 0;   // kProtocolMismatch: what the driver speaks (0 = unknown)
  uint32_t our_protocol = 0;
};

// "fbmon: driver not loaded: port \FileBackupPort not found (HRESULT 0x80070002); load it with `fltmc load FileBackup` ..."
std::string error_line(const ErrorInfo& error);

// Process exit status for a failure (documented in docs/usage.md).
int exit_code(Failure failure);

// What a FilterConnectCommunicationPort / FilterSendMessage HRESULT means.
Failure classify_port_hresult(uint32_t hresult, bool elevated);
// What a Win32 error from a file call means (file errors never get the port's advice).
Failure classify_win32_error(uint32_t error, bool elevated);
// What a Win32 error from a registry call means (access denied: elevation).
Failure classify_registry_error(uint32_t error, bool elevated);
// What an NTSTATUS from the file-system layer (fb::FileSystem) means.
Failure classify_status(int32_t status, bool elevated);

// The exit statuses, for `fbmon --help` and docs/usage.md.
std::string exit_codes_text();

// HRESULT values fbmon recognises (winerror.h values, here so lib/ needs no Windows headers).
namespace hr {
constexpr uint32_t kNotImpl = 0x80004001;
constexpr uint32_t kFileNotFound = 0x80070002;      // HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
constexpr uint32_t kPathNotFound = 0x80070003;
constexpr uint32_t kAccessDenied = 0x80070005;
constexpr uint32_t kRevisionMismatch = 0x8007051A;  // HRESULT_FROM_WIN32(ERROR_REVISION_MISMATCH)
constexpr uint32_t kNtRevisionMismatch = 0xD0000059;  // HRESULT_FROM_NT(STATUS_REVISION_MISMATCH)
constexpr uint32_t kInvalidFunction = 0x80070001;
constexpr uint32_t kConnectionCountLimit = 0x800704D6;    // HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT)
constexpr uint32_t kNtConnectionCountLimit = 0xD0000246;  // HRESULT_FROM_NT(STATUS_CONNECTION_COUNT_LIMIT)
constexpr uint32_t kNotSupported = 0x80070032;
}  // namespace hr

namespace win32 {
constexpr uint32_t kFileNotFound = 2;
constexpr uint32_t kPathNotFound = 3;
constexpr uint32_t kAccessDenied = 5;
constexpr uint32_t kSharingViolation = 32;
constexpr uint32_t kLockViolation = 33;
constexpr uint32_t kNotSupported = 50;
constexpr uint32_t kInvalidName = 123;
}  // namespace win32

}  // namespace fbmon
