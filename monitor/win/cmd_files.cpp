// `fbmon list` and `fbmon restore`: resolve the user's path, check the volume is NTFS, then run
// the portable code (lib/backup_inspect, lib/restore) on the Win32 file system.
//
// The driver and restore's own write: the driver leaves alone the I/O of every process
// connected to \FileBackupPort (driver/runtime/port_protocol.cpp, runtime::is_monitor_process) and never
// backs up its own `backup*` streams. So restore holds a control connection while it runs, and
// its write of the file is not backed up again (restore has just saved the previous content as
// backup 1 itself). Should a driver back the write up anyway, it does so into `backup.tmp`
// before the first write and promotes it; lib/restore notices its snapshot is gone and does
// not rotate twice. When the port is unavailable (driver not loaded, or Wine), nothing backs
// the write up.
#include <windows.h>

#include <vector>

#include "monitor/win/commands.h"
#include "monitor/win/console.h"
#include "common/engine/config.h"
#include "monitor/lib/backup_inspect.h"
#include "monitor/lib/restore.h"
#include "monitor/lib/text.h"
#include "monitor/win/port.h"
#include "monitor/win/win32_file_system.h"
#include "monitor/win/win_util.h"

namespace fbmon {
namespace {

constexpr uint32_t kCopyBufferBytes = 1u << 20;

ErrorInfo file_error(DWORD error, const std::wstring& path) {
  ErrorInfo e;
  e.code = error;
  e.code_kind = CodeKind::kWin32;
  e.failure = classify_win32_error(error, is_elevated());
  e.subject = narrow(path);
  return e;
}

// Backups live in NTFS streams: say so plainly for FAT/exFAT/ReFS/network volumes.
bool check_ntfs(const std::wstring& path, ErrorInfo& error) {
  wchar_t root[MAX_PATH];
  wchar_t fs_name[MAX_PATH + 1] = L"";
  if (!GetVolumePathNameW(path.c_str(), root, MAX_PATH) ||
      !GetVolumeInformationW(root, nullptr, 0, nullptr, nullptr, nullptr, fs_name, MAX_PATH + 1)) {
    error = file_error(GetLastError(), path);
    return false;
  }
  if (lstrcmpiW(fs_name, L"NTFS") == 0) return true;
  error.failure = Failure::kNotNtfs;
  error.subject = narrow(path);
  error.detail = narrow(fs_name);
  return false;
}

std::vector<std::wstring> files_in(const std::wstring& folder) {
  std::vector<std::wstring> files;
  WIN32_FIND_DATAW found;
  HANDLE find = FindFirstFileW((folder + L"\\*").c_str(), &found);
  if (find == INVALID_HANDLE_VALUE) return files;
  do {
    const std::wstring name = found.cFileName;
    // A ':' cannot be in a Windows file name; Wine shows streams as such files: skip them.
    if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || name.find(L':') != std::wstring::npos) continue;
    files.push_back(folder + L"\\" + name);
  } while (FindNextFileW(find, &found));
  FindClose(find);
  return files;
}

std::vector<SlotInspection> inspect(Win32FileSystem& fs, const std::wstring& file, std::vector<uint8_t>& buffer) {
  const std::u16string f(u16(file.c_str()), file.size());
  return inspect_backups(fs, view(f), /*verify_data=*/true, buffer.data(), static_cast<uint32_t>(buffer.size()));
}

}  // namespace

int run_list(const Command& command) {
  const std::wstring path = full_path(to_wide(command.path));
  const DWORD attributes = GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return report(file_error(GetLastError(), path));
  ErrorInfo error;
  if (!check_ntfs(path, error)) return report(error);

  Win32FileSystem fs;
  std::vector<uint8_t> buffer(kCopyBufferBytes);
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    const std::vector<SlotInspection> slots = inspect(fs, path, buffer);
    if (slots.empty()) {
      error.failure = Failure::kNoBackup;
      error.subject = narrow(path);
      return report(error);
    }
    print_out(format_backup_list(narrow(path), slots, utc_to_local));
    return 0;
  }
  size_t with_backups = 0;
  for (const std::wstring& file : files_in(path)) {
    const std::vector<SlotInspection> slots = inspect(fs, file, buffer);
    if (slots.empty()) continue;
    print_out((with_backups++ ? "\n" : "") + format_backup_list(narrow(file), slots, utc_to_local));
  }
  if (with_backups == 0) print_line("no file in " + narrow(path) + " has a backup");
  return 0;
}

int run_restore(const Command& command) {
  RestoreOptions options;
  const std::wstring file = full_path(to_wide(command.path));
  options.file.assign(u16(file.c_str()), file.size());
  if (!command.out.empty()) {
    const std::wstring out = full_path(to_wide(command.out));
    options.out.assign(u16(out.c_str()), out.size());
  }
  options.version = command.version;
  options.max_versions = configured_engine().max_versions;
  options.dry_run = command.dry_run;
  options.process_id = GetCurrentProcessId();
  options.now = now_filetime();
  options.elevated = is_elevated();

  if (GetFileAttributesW(file.c_str()) == INVALID_FILE_ATTRIBUTES) return report(file_error(GetLastError(), file));
  ErrorInfo error;
  if (!check_ntfs(file, error)) return report(error);

  Port exclusion;  // see the assumption at the top; a failure to connect is not an error here
  if (!command.dry_run) exclusion.connect(fb::proto::HelloRole::kControl);
  Win32FileSystem fs;
  std::vector<uint8_t> buffer(kCopyBufferBytes);
  const RestoreReport r = run_restore(fs, options, buffer.data(), static_cast<uint32_t>(buffer.size()));
  for (const std::string& line : r.lines) print_line(line);
  if (!r.ok) return report(r.error);
  if (command.dry_run) return 0;
  const std::string target = to_utf8(options.out.empty() ? options.file : options.out);
  print_line("restored " + target + " from backup " + std::to_string(options.version) + " (" +
             std::to_string(r.restored_bytes) + " bytes)" +
             (options.out.empty() ? "; its previous content is now backup 1" : ""));
  return 0;
}

}  // namespace fbmon
