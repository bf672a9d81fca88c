// `fbmon list`, `usage`, `restore`, `prune` and `deleted`: resolve the user's path, check what it
// is (file, folder, read-only, NTFS), then run the portable code (lib/backup_inspect,
// lib/restore, lib/prune, lib/vault_listing, lib/restore_deleted) on the Win32 file system.
// The vault (`X:\$FileBackupVault`, common/engine/vault.h) is looked for on FOLDER's volume
// (GetVolumePathNameW), or on every fixed drive; a volume mounted in a folder without a drive
// letter is reached only through a FOLDER on it.
//
// The driver and fbmon's own writes: the driver leaves alone the I/O of every process connected
// to \FileBackupPort (driver/runtime/port_protocol.cpp, runtime::is_monitor_process) and never
// backs up its own `backup*` streams. So restore and prune hold a control connection while they
// run, and restore's write of the file is not backed up again (restore has just saved the
// previous content as backup 1 itself). Should a driver back the write up anyway, it does so
// into `backup.tmp` before the first write and promotes it; lib/restore notices its snapshot is
// gone, checks that backup 1 is that content, and does not rotate twice (if it is not, it says
// the previous content was not kept). A driver rotation that would drop the slot restore is
// reading stops with nothing deleted (OpenMode::kDeleteAlone) and leaves its copy in
// `backup.tmp` for restore to promote (tests/scenario/restore_race_test.cpp). When the port is
// unavailable (driver not loaded, or Wine), nothing backs the write up.
#include <windows.h>

#include <vector>

#include "monitor/win/commands.h"
#include "monitor/win/console.h"
#include "common/engine/config.h"
#include "monitor/lib/backup_inspect.h"
#include "monitor/lib/prune.h"
#include "monitor/lib/restore.h"
#include "monitor/lib/restore_deleted.h"
#include "monitor/lib/vault_listing.h"
#include "monitor/lib/text.h"
#include "monitor/lib/win32_path.h"
#include "monitor/win/port.h"
#include "monitor/win/win32_file_system.h"
#include "monitor/win/win_util.h"

namespace fbmon {
namespace {

constexpr uint32_t kCopyBufferBytes = 1u << 20;

std::wstring parent_of(const std::wstring& path);

ErrorInfo file_error(DWORD error, const std::wstring& path) {
  ErrorInfo e;
  e.code = error;
  e.code_kind = CodeKind::kWin32;
  e.failure = classify_win32_error(error, is_elevated());
  e.subject = narrow(path);
  if (e.failure == Failure::kFolderNotFound) {
    // Name the first folder that is missing, not the file below it.
    std::wstring missing = parent_of(path);
    for (std::wstring up = parent_of(missing); up != missing && GetFileAttributesW(up.c_str()) == INVALID_FILE_ATTRIBUTES;
         up = parent_of(up))
      missing = up;
    e.subject = narrow(missing);
    e.detail = "it holds " + narrow(path) + "; check the path";
  }
  return e;
}

ErrorInfo simple_error(Failure failure, const std::wstring& subject, const std::string& detail = "") {
  ErrorInfo e;
  e.failure = failure;
  e.subject = narrow(subject);
  e.detail = detail;
  return e;
}

// Backups live in NTFS streams: say so plainly for FAT/exFAT/ReFS/network volumes.
bool check_ntfs(const std::wstring& path, ErrorInfo& error, const std::string& detail_suffix = "") {
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
  error.detail = narrow(fs_name) + detail_suffix;
  return false;
}

std::wstring parent_of(const std::wstring& path) {
  const size_t slash = path.find_last_of(L"\\/");
  if (slash == std::wstring::npos) return L".";
  if (slash == 2 && path.size() > 1 && path[1] == L':') return path.substr(0, 3);  // `C:\`
  return path.substr(0, slash);
}

// The file system's identity of a file (another name for the same file: hard link, short name).
bool file_identity(const std::wstring& path, BY_HANDLE_FILE_INFORMATION& info) {
  UniqueHandle h(CreateFileW(path.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                             OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  return h.valid() && GetFileInformationByHandle(h.get(), &info);
}

bool same_file(const std::wstring& a, const std::wstring& b) {
  BY_HANDLE_FILE_INFORMATION x{}, y{};
  return file_identity(a, x) && file_identity(b, y) && x.dwVolumeSerialNumber == y.dwVolumeSerialNumber &&
         x.nFileIndexHigh == y.nFileIndexHigh && x.nFileIndexLow == y.nFileIndexLow;
}

std::u16string u16_of(const std::wstring& s) { return std::u16string(u16(s.c_str()), s.size()); }
std::wstring wide_of(const std::u16string& s) { return std::wstring(wide_ptr(s.c_str()), s.size()); }

// Files (not folders, not Wine's stand-ins for streams) in `folder`; subfolders too with recurse.
void files_under(const std::wstring& folder, bool recurse, std::vector<std::wstring>& files) {
  WIN32_FIND_DATAW found;
  HANDLE find = FindFirstFileW(wide_of(join_path(u16_of(folder), u"*")).c_str(), &found);
  if (find == INVALID_HANDLE_VALUE) return;
  std::vector<std::wstring> folders;
  do {
    const std::wstring name = found.cFileName;
    const std::wstring path = wide_of(join_path(u16_of(folder), u16_of(name)));
    if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
      // Not into junctions or symbolic links: they may loop or lead off the volume.
      if (recurse && name != L"." && name != L".." && !(found.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        folders.push_back(path);
      continue;
    }
    // A ':' cannot be in a Windows file name; Wine shows streams as such files: skip them.
    if (name.find(L':') != std::wstring::npos) continue;
    files.push_back(path);
  } while (FindNextFileW(find, &found));
  FindClose(find);
  for (const std::wstring& f : folders) files_under(f, recurse, files);
}

std::vector<SlotInspection> inspect(Win32FileSystem& fs, const std::wstring& file, std::vector<uint8_t>& buffer,
                                    bool verify) {
  const std::u16string f = u16_of(file);
  return inspect_backups(fs, view(f), verify, buffer.data(), static_cast<uint32_t>(buffer.size()));
}

// An existing path on NTFS, with its attributes; fills error otherwise.
bool existing_ntfs_path(const std::wstring& path, DWORD& attributes, ErrorInfo& error) {
  attributes = GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    error = file_error(GetLastError(), path);
    return false;
  }
  return check_ntfs(path, error);
}

// The kept files of the vaults of `folder`'s volume (every fixed drive's when folder is empty),
// newest first; with a folder, only those deleted from it or below it.
struct VaultScan {
  bool ok = true;
  ErrorInfo error;
  std::vector<DeletedFile> files;
  std::vector<std::wstring> vaults_found;   // vault folders that exist
  std::vector<std::wstring> volumes;        // roots looked at (`C:\`)
  size_t unknown_paths = 0;                 // kept files left out under a folder: record unreadable
};

std::vector<std::wstring> volume_roots(const std::wstring& folder) {
  std::vector<std::wstring> roots;
  if (!folder.empty()) {
    wchar_t root[MAX_PATH];
    if (GetVolumePathNameW(folder.c_str(), root, MAX_PATH)) roots.push_back(root);
    return roots;
  }
  wchar_t drives[512];
  const DWORD n = GetLogicalDriveStringsW(512, drives);
  for (const wchar_t* d = drives; n > 0 && n < 512 && *d; d += wcslen(d) + 1)
    if (GetDriveTypeW(d) == DRIVE_FIXED) roots.push_back(d);
  return roots;
}

VaultScan scan_vaults(Win32FileSystem& fs, const std::wstring& folder) {
  VaultScan scan;
  const DeviceTable devices = build_device_table();
  scan.volumes = volume_roots(folder);
  for (const std::wstring& root : scan.volumes) {
    const std::u16string vault = vault_folder_of(u16_of(root));
    const VaultListing l = list_vault(fs, vault, devices, is_elevated());
    if (!l.ok) {
      scan.ok = false;
      scan.error = l.error;
      return scan;
    }
    if (l.exists) scan.vaults_found.push_back(wide_of(vault));
    for (const DeletedFile& d : l.files) {
      if (!folder.empty() && d.record != RecordState::kOk) {
        ++scan.unknown_paths;
        continue;
      }
      if (!folder.empty() && !path_is_under(d.original, u16_of(folder))) continue;
      scan.files.push_back(d);
    }
  }
  sort_deleted(scan.files);
  return scan;
}

std::string roots_text(const std::vector<std::wstring>& roots) {
  std::string out;
  for (const std::wstring& r : roots) out += (out.empty() ? "" : ", ") + narrow(r);
  return out.empty() ? "no fixed volume" : out;
}

}  // namespace

int run_deleted(const Command& command) {
  const std::wstring folder = command.path.empty() ? std::wstring() : full_path(to_wide(command.path));
  Win32FileSystem fs;
  const VaultScan scan = scan_vaults(fs, folder);
  if (!scan.ok) return report(scan.error);
  if (command.json) {
    print_out(format_deleted_json(scan.files, utc_to_local));
    return 0;
  }
  if (scan.vaults_found.empty()) {
    print_line("no deleted file is kept: there is no vault on " + roots_text(scan.volumes) +
               " yet (the driver makes X:\\$FileBackupVault at the first delete of a protected file)");
    return 0;
  }
  const std::string scope = folder.empty() ? "on " + roots_text(scan.volumes) : "from " + narrow(folder);
  print_out(format_deleted(scope, scan.files, utc_to_local));
  if (scan.unknown_paths)
    print_line(std::to_string(scan.unknown_paths) + " more kept file" + (scan.unknown_paths == 1 ? " has" : "s have") +
               " no readable record (original path unknown): `fbmon deleted` without FOLDER lists them");
  return 0;
}

int run_restore_deleted(const Command& command) {
  const std::wstring path = command.path.empty() ? std::wstring() : full_path(to_wide(command.path));
  std::wstring out;
  if (!command.out.empty()) out = full_path(to_wide(command.out));
  Win32FileSystem fs;
  const VaultScan scan = scan_vaults(fs, path);
  if (!scan.ok) return report(scan.error);
  const DeletedChoice choice = choose_deleted(scan.files, u16_of(path), command.vault_id, utc_to_local);
  if (choice.file == nullptr) {
    ErrorInfo e = choice.error;
    if (scan.vaults_found.empty() && e.failure == Failure::kNotKept)
      e.detail = "is not in the vault: there is no vault on " + roots_text(scan.volumes) + " yet";
    return report(e);
  }
  if (!choice.note.empty()) print_line("note: " + choice.note);
  const std::wstring target = out.empty() ? wide_of(choice.file->original) : out;
  const DWORD attributes = GetFileAttributesW(target.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    const std::wstring parent = parent_of(target);
    const DWORD parent_attributes = GetFileAttributesW(parent.c_str());
    if (parent_attributes == INVALID_FILE_ATTRIBUTES || !(parent_attributes & FILE_ATTRIBUTE_DIRECTORY))
      return report(simple_error(Failure::kFolderNotFound, parent,
                                 out.empty() ? "the deleted file's folder is gone too; create it first, or pick another place with --to OUT"
                                             : "the --to destination's folder does not exist; create it first or pick another --to"));
  } else {
    if (attributes & FILE_ATTRIBUTE_DIRECTORY) return report(simple_error(Failure::kIsFolder, target, "a file is needed here"));
    if (attributes & FILE_ATTRIBUTE_READONLY) return report(simple_error(Failure::kReadOnly, target));
  }

  RestoreDeletedOptions options;
  options.out = u16_of(out);
  options.max_versions = configured_engine().max_versions;
  options.dry_run = command.dry_run;
  options.process_id = GetCurrentProcessId();
  options.now = now_filetime();
  options.elevated = is_elevated();
  Port exclusion;  // the driver leaves a connected client's I/O alone (see the top)
  if (!command.dry_run) {
    // A loaded driver that refuses the connection would take fbmon's create at PATH for a new
    // file there and give it the kept file's history itself (delete-then-create): refuse.
    const HRESULT hr = exclusion.connect(fb::proto::HelloRole::kControl);
    const Failure port = FAILED(hr) ? classify_port_hresult(static_cast<uint32_t>(hr), options.elevated) : Failure::kOther;
    if (FAILED(hr) && port != Failure::kDriverNotLoaded && port != Failure::kPortUnsupported) {
      ErrorInfo e = port_error(hr);
      if (e.failure == Failure::kPortFailed)
        e.detail = "(restore --deleted needs the driver to leave its writes alone; nothing was changed)";
      return report(e);
    }
  }
  std::vector<uint8_t> buffer(kCopyBufferBytes);
  const RestoreDeletedReport r =
      run_restore_deleted(fs, *choice.file, options, buffer.data(), static_cast<uint32_t>(buffer.size()));
  for (const std::string& line : r.lines) print_line(line);
  if (!r.ok) return report(r.error);
  if (command.dry_run) return 0;
  const std::string target_text = to_utf8(r.target);
  std::string summary = "restored the deleted " + to_utf8(choice.file->original) +
                        (out.empty() ? "" : " to " + target_text) + " (" + std::to_string(r.restored_bytes) + " bytes, " +
                        std::to_string(r.versions_copied) + (r.versions_copied == 1 ? " version" : " versions") + ")";
  if (r.undo_copy)
    summary += "; its previous content is now its backup 1 (`fbmon restore " + target_text + "` undoes this)";
  if (r.versions_stay)
    summary += "; " + target_text + " has backups of its own, so the kept file's " +
               std::to_string(choice.file->versions) + " versions stay in the vault (`fbmon restore --deleted " +
               to_utf8(choice.file->original) + " --id " + vault_id_text(choice.file->id) + " --to NEW` gets them)";
  print_line(summary);
  return 0;
}

int run_list(const Command& command) {
  const std::wstring path = full_path(to_wide(command.path));
  DWORD attributes = 0;
  ErrorInfo error;
  if (!existing_ntfs_path(path, attributes, error)) return report(error);

  Win32FileSystem fs;
  std::vector<uint8_t> buffer(kCopyBufferBytes);
  auto show = [&](const std::wstring& file, const std::vector<SlotInspection>& slots, bool first) {
    if (command.json) print_out(format_backup_list_json(narrow(file), slots, utc_to_local));
    else print_out((first ? "" : "\n") + format_backup_list(narrow(file), slots, utc_to_local));
  };
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    const std::vector<SlotInspection> slots = inspect(fs, path, buffer, true);
    if (slots.empty()) return report(simple_error(Failure::kNoBackup, path));
    show(path, slots, true);
    return 0;
  }
  std::vector<std::wstring> files;
  files_under(path, command.recurse, files);
  size_t with_backups = 0;
  for (const std::wstring& file : files) {
    const std::vector<SlotInspection> slots = inspect(fs, file, buffer, true);
    if (slots.empty()) continue;
    show(file, slots, with_backups++ == 0);
  }
  if (with_backups == 0 && !command.json)
    print_line("no file in " + narrow(path) + (command.recurse ? " or below it" : "") + " has a backup" +
               (command.recurse ? "" : " (--recurse looks in subfolders too)"));
  return 0;
}

int run_usage(const Command& command) {
  const std::wstring path = full_path(to_wide(command.path));
  DWORD attributes = 0;
  ErrorInfo error;
  if (!existing_ntfs_path(path, attributes, error)) return report(error);
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    ErrorInfo e;
    e.failure = Failure::kUsage;
    e.help_topic = "usage";
    e.detail = "usage takes a FOLDER and " + narrow(path) + " is a file; for one file use `fbmon list FILE`";
    return report(e);
  }
  Win32FileSystem fs;
  std::vector<uint8_t> buffer(64);  // no data is read: lengths only
  std::vector<std::wstring> files;
  files_under(path, /*recurse=*/true, files);
  std::vector<FileUsage> usage;
  for (const std::wstring& file : files) {
    const std::vector<SlotInspection> slots = inspect(fs, file, buffer, false);
    if (!slots.empty()) usage.push_back(usage_of(narrow(file), slots));
  }
  print_out(command.json ? format_usage_json(narrow(path), usage) : format_usage(narrow(path), usage));
  return 0;
}

int run_restore(const Command& command) {
  if (command.deleted) return run_restore_deleted(command);
  RestoreOptions options;
  const std::wstring file = full_path(to_wide(command.path));
  options.file = u16_of(file);
  std::wstring out;
  if (!command.out.empty()) {
    out = full_path(to_wide(command.out));
    options.out = u16_of(out);
  }
  options.version = command.version;
  options.max_versions = configured_engine().max_versions;
  options.dry_run = command.dry_run;
  options.process_id = GetCurrentProcessId();
  options.now = now_filetime();
  options.elevated = is_elevated();

  DWORD attributes = 0;
  ErrorInfo error;
  if (refuse_target(options, &error)) return report(error);
  if (!existing_ntfs_path(file, attributes, error)) return report(error);
  if (attributes & FILE_ATTRIBUTE_DIRECTORY) return report(simple_error(Failure::kIsFolder, file));
  if (out.empty()) {
    if (attributes & FILE_ATTRIBUTE_READONLY) return report(simple_error(Failure::kReadOnly, file));
  } else {
    const DWORD out_attributes = GetFileAttributesW(out.c_str());
    if (out_attributes == INVALID_FILE_ATTRIBUTES) {
      const std::wstring folder = parent_of(out);
      const DWORD folder_attributes = GetFileAttributesW(folder.c_str());
      if (folder_attributes == INVALID_FILE_ATTRIBUTES || !(folder_attributes & FILE_ATTRIBUTE_DIRECTORY))
        return report(simple_error(Failure::kFolderNotFound, folder,
                                   "the --to destination's folder does not exist; create it first or pick another --to"));
    } else {
      if (out_attributes & FILE_ATTRIBUTE_DIRECTORY)
        return report(simple_error(Failure::kIsFolder, out, "--to needs a file name, e.g. " +
                                                                narrow(wide_of(join_path(options.out, u"name.ext")))));
      if (out_attributes & FILE_ATTRIBUTE_READONLY)
        return report(simple_error(Failure::kReadOnly, out, "the --to destination"));
      if (same_file(file, out)) {
        ErrorInfo e;
        e.failure = Failure::kUsage;
        e.help_topic = "restore";
        e.detail = "--to " + narrow(out) + " is another name of " + narrow(file) + "; to put a backup back into it, run `fbmon restore " + narrow(file) + "`";
        return report(e);
      }
      // Its content is kept as its own backup 1: that needs NTFS streams.
      if (!check_ntfs(out, error, "; its current content could not be kept as a backup, so it is not overwritten: "
                                  "delete or move it, or pick a new --to name"))
        return report(error);
    }
  }

  Port exclusion;  // see the assumption at the top; a failure to connect is not an error here
  if (!command.dry_run) exclusion.connect(fb::proto::HelloRole::kControl);
  Win32FileSystem fs;
  std::vector<uint8_t> buffer(kCopyBufferBytes);
  const RestoreReport r = run_restore(fs, options, buffer.data(), static_cast<uint32_t>(buffer.size()));
  for (const std::string& line : r.lines) print_line(line);
  if (!r.ok) return report(r.error);
  if (command.dry_run) return 0;
  const std::string target = to_utf8(options.out.empty() ? options.file : options.out);
  print_line("restored " + target + " from backup " + std::to_string(options.version) + " of " +
             to_utf8(options.file) + " (" + std::to_string(r.restored_bytes) + " bytes)" +
             (r.undo_copy ? "; its previous content is now its backup 1 (`fbmon restore " + target + "` undoes this)"
                          : ""));
  return 0;
}

int run_prune_deleted(const Command& command) {
  const std::wstring folder = command.path.empty() ? std::wstring() : full_path(to_wide(command.path));
  Win32FileSystem fs;
  const VaultScan scan = scan_vaults(fs, folder);
  if (!scan.ok) return report(scan.error);
  PruneOptions o;
  o.keep = command.keep;
  o.older_than_days = command.older_than_days;
  o.all = command.all;
  o.dry_run = command.dry_run;
  o.now = now_filetime();
  o.to_local = utc_to_local;
  const PruneReport r = run_prune_deleted(fs, scan.files, o);
  for (const std::string& line : r.lines) print_line(line);
  if (!r.ok) return report(r.error);
  print_line(std::string(command.dry_run ? "would delete " : "deleted ") + std::to_string(r.deleted) + " of " +
             std::to_string(scan.files.size()) + " kept deleted " + (scan.files.size() == 1 ? "file" : "files") + ", " +
             format_size(r.bytes_freed) + " of content (their backups go with them)");
  return 0;
}

int run_prune(const Command& command) {
  if (command.deleted) return run_prune_deleted(command);
  const std::wstring path = full_path(to_wide(command.path));
  DWORD attributes = 0;
  ErrorInfo error;
  if (!existing_ntfs_path(path, attributes, error)) return report(error);
  std::vector<std::wstring> files;
  if (attributes & FILE_ATTRIBUTE_DIRECTORY) files_under(path, /*recurse=*/true, files);
  else files.push_back(path);

  Port exclusion;  // the driver leaves a connected client's I/O alone
  if (!command.dry_run) exclusion.connect(fb::proto::HelloRole::kControl);
  Win32FileSystem fs;
  uint32_t deleted = 0, files_touched = 0;
  uint64_t freed = 0;
  for (const std::wstring& file : files) {
    PruneOptions o;
    o.file = u16_of(file);
    o.keep = command.keep;
    o.older_than_days = command.older_than_days;
    o.all = command.all;
    o.dry_run = command.dry_run;
    o.now = now_filetime();
    const PruneReport r = run_prune(fs, o);
    for (const std::string& line : r.lines) print_line(line);
    if (!r.ok) {
      if (r.error.failure == Failure::kNoBackup && (attributes & FILE_ATTRIBUTE_DIRECTORY)) continue;
      return report(r.error);
    }
    deleted += r.deleted;
    freed += r.bytes_freed;
    files_touched += r.deleted ? 1 : 0;
  }
  print_line(std::string(command.dry_run ? "would delete " : "deleted ") + std::to_string(deleted) +
             (deleted == 1 ? " backup" : " backups") + " of " + std::to_string(files_touched) +
             (files_touched == 1 ? " file" : " files") + ", " + format_size(freed) + "; the files' own content is untouched");
  return 0;
}

}  // namespace fbmon
