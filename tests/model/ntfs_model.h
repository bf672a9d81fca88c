// An in-memory model of the NTFS behaviour a backup-in-a-stream driver must survive
// (docs/ntfs-facts.md, facts N1-N9): files with a default and named streams,
// handles with access and share modes, sizes and free space, and fault injection (disk full at
// byte K, read error at offset K, sharing violation on open).
//
// Header-only so that both fb_tests and the ThreadSanitizer stress build (which compiles only
// tests/stress and tests/support) can use it. Thread-safe: one mutex around every operation.
//
// What is modelled, with the fact each rule encodes:
//   N1 create of the default stream with SUPERSEDE/OVERWRITE/OVERWRITE_IF on an existing file
//      truncates it and unlinks every named stream; OVERWRITE_IF of a named stream touches
//      only that stream.
//   N2 FILE_OPEN + set end of file 0 (TRUNCATE_EXISTING) keeps named streams.
//   N3 a named stream unlinked while open stays usable through its handle, cannot be opened by
//      name, and disappears at its last close.
//   N4 dispositions and the post-create Information values.
//   N5 rename with ReplaceIfExists onto an existing file deletes it with all its streams, and
//      fails with ACCESS_DENIED while any stream of the target is open.
//   N6 renaming a file while one of its named streams is open fails with ACCESS_DENIED.
//   N7 ReplaceFile keeps the replaced file's named streams the replacement lacks.
//   N8 stream renames: target must be absent, or with ReplaceIfExists unopened and empty.
//   N9 deleting a file deletes all of its streams.
//   N10 hard links (FileLinkInformation): every name of a file reaches the same default and
//      named streams; a delete removes the one name it was asked through, and the file with its
//      streams goes only with its last name (link_count, link).
//   N11 a delete is pending on the name it was asked through until the file's last handle
//      closes (DeleteFile FALSE cancels it); with POSIX semantics the name goes when the
//      asking handle closes while other handles keep the data; a pending name cannot be
//      opened (STATUS_DELETE_PENDING).
// Directories are implicit (a file's parent always exists); names compare ASCII
// case-insensitively.
#pragma once

#include <stdint.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/engine/ops.h"
#include "common/base/fb_base.h"

namespace fbmodel {

using fb::NtStatus;
namespace nt = fb::nt;
using Bytes = std::vector<uint8_t>;
using Name = std::u16string;
using ModelHandle = uint64_t;

inline Name fold(const Name& s) {
  Name out = s;
  for (char16_t& c : out)
    if (c >= u'a' && c <= u'z') c = static_cast<char16_t>(c - 0x20);
  return out;
}

inline Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
inline std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Stream name as written after the colon: `backup`, `backup:$DATA`, `` and `:$DATA` (default).
inline Name stream_key(const Name& stream) {
  Name s = stream;
  const Name type = u":$DATA";
  if (s.size() >= type.size() && fold(s.substr(s.size() - type.size())) == type) s.resize(s.size() - type.size());
  return fold(s);
}

struct Stream {
  Bytes data;
  int opens = 0;                // live handles on this stream
  bool delete_pending = false;  // removed from the file at its last close
};

struct File {
  std::map<Name, std::shared_ptr<Stream>> streams;  // key "" is the default stream
  // N10/N11: the names (links) whose delete is pending: each goes at the file's last close, the
  // file with every stream (N9) when no name is left.
  std::set<Name> pending_names;
  bool name_pending(const Name& name) const { return pending_names.count(name) != 0; }
  int opens() const {
    int n = 0;
    for (const auto& s : streams) n += s.second->opens;
    return n;
  }
};

struct HandleInfo {
  Name path;    // folded file path
  Name stream;  // folded stream key
  std::shared_ptr<File> file;
  std::shared_ptr<Stream> stream_ptr;
  uint32_t access = 0;
  uint16_t share = 0;
  bool unlinked = false;  // the stream was unlinked by an overwrite while open (N3)
  bool delete_on_close = false;  // FILE_DELETE_ON_CLOSE
  bool posix_delete = false;     // FILE_DISPOSITION_POSIX_SEMANTICS: the name goes at this close
};

class Volume {
 public:
  static constexpr size_t kMaxNameUnits = 0xFFFF / sizeof(char16_t);  // USHORT bytes of a UNICODE_STRING

  explicit Volume(uint64_t capacity = 1ull << 30) : capacity_(capacity) {}

  // --- test setup and inspection (not through any filter) ------------------------------------
  void put(const Name& path, const std::string& content, const Name& stream = Name()) {
    std::lock_guard<std::mutex> g(mu_);
    auto& file = files_[fold(path)];
    if (!file) {
      file = std::make_shared<File>();
      file->streams[Name()] = std::make_shared<Stream>();
    }
    auto& s = file->streams[stream_key(stream)];
    if (!s) s = std::make_shared<Stream>();
    s->data = bytes(content);
  }
  bool exists(const Name& path, const Name& stream = Name()) const {
    std::lock_guard<std::mutex> g(mu_);
    return find_stream(fold(path), stream_key(stream)) != nullptr;
  }
  // Content of a stream; "<missing>" when it does not exist.
  std::string content(const Name& path, const Name& stream = Name()) const {
    std::lock_guard<std::mutex> g(mu_);
    const Stream* s = find_stream(fold(path), stream_key(stream));
    return s ? text(s->data) : std::string("<missing>");
  }
  // Named streams of a file, folded and sorted.
  std::vector<Name> stream_names(const Name& path) const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<Name> out;
    auto it = files_.find(fold(path));
    if (it == files_.end()) return out;
    for (const auto& s : it->second->streams)
      if (!s.first.empty()) out.push_back(s.first);
    return out;
  }
  std::vector<Name> file_names() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<Name> out;
    for (const auto& f : files_) out.push_back(f.first);
    return out;
  }
  size_t open_handles() const {
    std::lock_guard<std::mutex> g(mu_);
    return handles_.size();
  }
  uint64_t free_space() const {
    std::lock_guard<std::mutex> g(mu_);
    return free_locked();
  }
  // Identity of the default stream a handle is on (the stream context key in the driver).
  const void* file_identity(ModelHandle h) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    return it == handles_.end() ? nullptr : it->second.file.get();
  }

  // The stream a handle is on, kept alive by the caller: a file system's per-stream object
  // (FsContext), which Filter Manager keys stream contexts on. Null for an unknown handle.
  std::shared_ptr<const void> stream_object(ModelHandle h) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    return it == handles_.end() ? nullptr : std::shared_ptr<const void>(it->second.stream_ptr);
  }
  // The file a handle is on, kept alive by the holder (a closed handle's file can still be asked
  // about: file_gone; the stream context's key is not reused by a new file while a context for
  // the old one lives, N12).
  std::shared_ptr<const void> file_object(ModelHandle h) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    return it == handles_.end() ? nullptr : std::shared_ptr<const void>(it->second.file);
  }
  // The folded file path a handle's file has now (renames move it) and its stream key.
  Name handle_path(ModelHandle h) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    return it == handles_.end() ? Name() : it->second.path;
  }
  Name handle_stream(ModelHandle h) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    return it == handles_.end() ? Name() : it->second.stream;
  }


  // Every file created since the volume was made, in order (folded paths), even if gone since:
  // shows what existed for a moment.
  std::vector<Name> files_ever_created() const {
    std::lock_guard<std::mutex> g(mu_);
    return created_log_;
  }

  // --- security --------------------------------------------------------------------------------
  // The file's DACL refuses these rights to the applications' user (the harness's opens); the
  // filter's own opens are kernel opens and are not checked.
  void deny_requestor(const Name& path, uint32_t access) {
    std::lock_guard<std::mutex> g(mu_);
    denied_[fold(path)] |= access;
  }
  // The applications' user holds the restore privilege (enabled): with FILE_OPEN_FOR_BACKUP_INTENT
  // its opens pass whatever the DACL says.
  void grant_restore_privilege() {
    std::lock_guard<std::mutex> g(mu_);
    restore_privilege_ = true;
  }
  // The DACL refuses these rights for the next `checks` access checks only, then an
  // administrator's change lets them through: a check made just before the create (the filter's
  // own, in pre-create) can disagree with the create's (a race no filter can close).
  void deny_requestor_for_checks(const Name& path, uint32_t access, int checks) {
    std::lock_guard<std::mutex> g(mu_);
    denied_[fold(path)] |= access;
    denied_checks_left_[fold(path)] = checks;
  }
  // The access check a create by that user meets on an existing file: the rights it asks for,
  // plus what a file system demands of a destructive disposition even when not asked for
  // (FILE_WRITE_DATA to overwrite, DELETE to supersede, and for both FILE_WRITE_EA and
  // FILE_WRITE_ATTRIBUTES). kAccessDenied when one is refused.
  NtStatus requestor_access_check(const Name& path, uint32_t access, fb::CreateDisposition disposition,
                                  uint32_t options) {
    std::lock_guard<std::mutex> g(mu_);
    using D = fb::CreateDisposition;
    if (disposition == D::kOverwrite || disposition == D::kOverwriteIf) access |= fb::access::kWriteData;
    if (disposition == D::kSupersede) access |= fb::access::kDelete;
    if (disposition == D::kOverwrite || disposition == D::kOverwriteIf || disposition == D::kSupersede)
      access |= fb::access::kWriteEa | fb::access::kWriteAttributes;
    if (restore_privilege_ && (options & fb::create_option::kOpenForBackupIntent)) return nt::kSuccess;
    auto it = denied_.find(fold(path));
    if (it == denied_.end() || files_.find(fold(path)) == files_.end()) return nt::kSuccess;
    const NtStatus verdict = (access & it->second) ? nt::kAccessDenied : nt::kSuccess;
    auto left = denied_checks_left_.find(fold(path));
    if (left != denied_checks_left_.end() && --left->second <= 0) {  // the DACL changes now
      denied_checks_left_.erase(left);
      denied_.erase(it);
    }
    return verdict;
  }

  // --- fault injection -------------------------------------------------------------------------
  // Disk full at byte K: after `bytes` more bytes have been written (by anyone), every write
  // fails with STATUS_DISK_FULL; a write that would cross the limit fails whole.
  void fail_writes_after(uint64_t bytes) {
    std::lock_guard<std::mutex> g(mu_);
    write_budget_ = bytes;
    budget_active_ = true;
  }
  // Read error at offset K of path:stream: a read that starts before K stops short at K, a read
  // at K fails with STATUS_DEVICE_DATA_ERROR.
  void fail_reads_at(const Name& path, const Name& stream, uint64_t offset) {
    std::lock_guard<std::mutex> g(mu_);
    read_faults_[fold(path) + u":" + stream_key(stream)] = offset;
  }
  // The next `count` opens of path:stream fail with `status`, share-check bypass or not (an
  // oplock or a filter above can still refuse).
  void fail_opens(const Name& path, const Name& stream, int count, NtStatus status = nt::kSharingViolation) {
    std::lock_guard<std::mutex> g(mu_);
    open_faults_[fold(path) + u":" + stream_key(stream)] = {count, status};
  }
  // The n-th open from now (1 = the next one) fails with `status`, whatever it opens: walks a
  // failure through every step of a multi-open sequence.
  // times > 1: the opens after it fail too (a persistent failure: a retry meets it again).
  void fail_nth_open(int n, NtStatus status = nt::kSharingViolation, int times = 1) {
    std::lock_guard<std::mutex> g(mu_);
    nth_open_ = n;
    nth_open_status_ = status;
    nth_open_repeats_ = times - 1;
    nth_open_fired_ = false;
  }
  // Whether the open fail_nth_open armed is still to come (false: it fired, or none is armed).
  bool nth_open_pending() const {
    std::lock_guard<std::mutex> g(mu_);
    return nth_open_ > 0 && !nth_open_fired_;
  }
  void clear_faults() {
    std::lock_guard<std::mutex> g(mu_);
    nth_open_ = 0;
    nth_open_repeats_ = 0;
    budget_active_ = false;
    read_faults_.clear();
    open_faults_.clear();
  }

  // --- NT operations ---------------------------------------------------------------------------
  NtStatus create(const Name& path, const Name& stream, uint32_t access, uint16_t share,
                  fb::CreateDisposition disposition, uint32_t options, bool ignore_share, ModelHandle* out,
                  uint64_t* information) {
    std::lock_guard<std::mutex> g(mu_);
    *out = 0;
    *information = 0;
    const Name key = fold(path), skey = stream_key(stream);
    // An NT name is a UNICODE_STRING: Length is a USHORT count of bytes, so 32,767 units at most
    // ("UNICODE_STRING structure (ntdef.h)"); a longer one cannot even be passed. The driver's
    // FileSystem answers STATUS_NAME_TOO_LONG for it (driver/runtime/kernel_fs.cpp).
    if (path.size() + (stream.empty() ? 0 : 1 + stream.size()) > kMaxNameUnits) return nt::kNameTooLong;
    if (NtStatus injected = take_open_fault(key, skey); injected != nt::kSuccess) return injected;
    if (options & fb::create_option::kDirectoryFile) return nt::kNotImplemented;
    auto fit = files_.find(key);
    std::shared_ptr<File> file = fit == files_.end() ? nullptr : fit->second;
    if (file && file->name_pending(key)) return nt::kDeletePending;
    std::shared_ptr<Stream> s;
    if (file) {
      auto sit = file->streams.find(skey);
      if (sit != file->streams.end()) s = sit->second;
    }
    if (s && s->delete_pending) return nt::kDeletePending;
    using D = fb::CreateDisposition;
    const bool overwrite = disposition == D::kOverwrite || disposition == D::kOverwriteIf || disposition == D::kSupersede;
    if (!s) {
      if (disposition == D::kOpen || disposition == D::kOverwrite) return nt::kObjectNameNotFound;
      if (!file) {
        file = std::make_shared<File>();
        file->streams[Name()] = std::make_shared<Stream>();
        files_[key] = file;
        created_log_.push_back(key);
      }
      s = file->streams[skey];
      if (!s) s = file->streams[skey] = std::make_shared<Stream>();
      *information = fb::create_info::kCreated;
    } else {
      if (disposition == D::kCreate) return nt::kObjectNameCollision;
      const uint32_t checked_access = access | (overwrite ? fb::access::kWriteData : 0);
      if (!ignore_share && !share_ok(*s, checked_access, share)) return nt::kSharingViolation;
      if (overwrite) {
        *information = disposition == D::kSupersede ? fb::create_info::kSuperseded : fb::create_info::kOverwritten;
        s->data.clear();
        if (skey.empty()) unlink_named_streams(*file);  // N1
      } else {
        *information = fb::create_info::kOpened;
      }
    }
    const ModelHandle h = ++next_handle_;
    HandleInfo info;
    info.path = key;
    info.stream = skey;
    info.file = file;
    info.stream_ptr = s;
    info.access = access;
    info.share = share;
    info.delete_on_close = (options & fb::create_option::kDeleteOnClose) != 0;
    ++s->opens;
    handles_[h] = info;
    *out = h;
    return nt::kSuccess;
  }

  NtStatus read(ModelHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* got) {
    std::lock_guard<std::mutex> g(mu_);
    *got = 0;
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    const Bytes& d = hi->stream_ptr->data;
    uint64_t end = std::min<uint64_t>(d.size(), offset + length);
    auto fault = read_faults_.find(hi->path + u":" + hi->stream);
    if (fault != read_faults_.end() && fault->second >= offset && fault->second < end) {
      if (fault->second == offset) return nt::kDeviceDataError;
      end = fault->second;
    }
    if (offset >= d.size()) return nt::kEndOfFile;
    std::memcpy(buffer, d.data() + offset, end - offset);
    *got = static_cast<uint32_t>(end - offset);
    return nt::kSuccess;
  }

  // Append-only handles (FILE_APPEND_DATA without FILE_WRITE_DATA) always write at the end.
  NtStatus write(ModelHandle h, uint64_t offset, const void* buffer, uint32_t length, uint32_t* written) {
    std::lock_guard<std::mutex> g(mu_);
    *written = 0;
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    if (!(hi->access & (fb::access::kWriteData | fb::access::kAppendData))) return nt::kAccessDenied;
    Bytes& d = hi->stream_ptr->data;
    if (!(hi->access & fb::access::kWriteData)) offset = d.size();
    const uint64_t end = offset + length;
    const uint64_t growth = end > d.size() ? end - d.size() : 0;
    if (growth > free_locked()) return nt::kDiskFull;
    if (budget_active_) {
      if (length > write_budget_) return nt::kDiskFull;
      write_budget_ -= length;
    }
    if (d.size() < end) d.resize(end);
    std::memcpy(d.data() + offset, buffer, length);
    *written = length;
    return nt::kSuccess;
  }

  // A paging write from a mapped view: no access check, the section was made writable.
  NtStatus paging_write(ModelHandle h, uint64_t offset, const std::string& data) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    Bytes& d = hi->stream_ptr->data;
    if (d.size() < offset + data.size()) d.resize(offset + data.size());
    std::memcpy(d.data() + offset, data.data(), data.size());
    return nt::kSuccess;
  }

  NtStatus query_size(ModelHandle h, uint64_t* size) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    *size = hi->stream_ptr->data.size();
    return nt::kSuccess;
  }

  NtStatus set_end_of_file(ModelHandle h, uint64_t size) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    if (!(hi->access & fb::access::kWriteData)) return nt::kAccessDenied;
    Bytes& d = hi->stream_ptr->data;
    if (size > d.size() && size - d.size() > free_locked()) return nt::kDiskFull;
    d.resize(size);
    return nt::kSuccess;
  }

  // FileAllocationInformation: a size under the end of file truncates.
  NtStatus set_allocation(ModelHandle h, uint64_t size) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    Bytes& d = hi->stream_ptr->data;
    if (size < d.size()) d.resize(size);
    return nt::kSuccess;
  }

  // FSCTL_SET_ZERO_DATA.
  NtStatus zero_range(ModelHandle h, uint64_t offset, uint64_t length) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    Bytes& d = hi->stream_ptr->data;
    for (uint64_t i = offset; i < offset + length && i < d.size(); ++i) d[i] = 0;
    return nt::kSuccess;
  }

  // FileRenameInformation. `target` starting with ':' is a stream rename (N8), otherwise a full
  // file path (N5, N6).
  NtStatus rename(ModelHandle h, const Name& target, bool replace_if_exists) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    if (!target.empty() && target[0] == u':') return rename_stream_locked(*hi, stream_key(target.substr(1)), replace_if_exists);
    return rename_file_locked(h, *hi, fold(target), replace_if_exists);
  }

  // FileRenameInformation on a directory (test setup, not through any filter): every file below
  // `from` (a folder path, no trailing backslash) is now below `to`; open handles follow the move
  // (their file objects keep working, their names change; by name, not by file: a handle that
  // reached the file through another link, outside `from`, keeps that name, N10). Stream
  // contexts stay with their streams (N12). OBJECT_NAME_NOT_FOUND for an empty or missing folder, OBJECT_NAME_COLLISION
  // when a moved name is taken.
  NtStatus rename_directory(const Name& from, const Name& to) {
    std::lock_guard<std::mutex> g(mu_);
    const Name prefix = fold(from) + u"\\", target = fold(to) + u"\\";
    std::vector<std::pair<Name, std::shared_ptr<File>>> moving;
    for (const auto& f : files_)
      if (f.first.compare(0, prefix.size(), prefix) == 0) moving.push_back(f);
    if (moving.empty()) return nt::kObjectNameNotFound;
    for (const auto& m : moving)
      if (files_.count(target + m.first.substr(prefix.size()))) return nt::kObjectNameCollision;
    for (const auto& m : moving) {
      const Name moved = target + m.first.substr(prefix.size());
      files_.erase(m.first);
      files_[moved] = m.second;
      for (auto& h : handles_)
        if (h.second.file == m.second && h.second.path == m.first) h.second.path = moved;
    }
    return nt::kSuccess;
  }

  // FileDispositionInformation: the stream (named) or the file (default stream) goes at the
  // last close.
  // DeleteFile FALSE cancels a pending delete before the last close (N11).
  // The delete is pending on the name the handle reached the file through (N10, N11).
  NtStatus set_delete(ModelHandle h, bool delete_file = true) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    if (hi->stream.empty()) {
      if (delete_file) hi->file->pending_names.insert(hi->path);
      else hi->file->pending_names.erase(hi->path);
      hi->posix_delete = false;
    } else {
      hi->stream_ptr->delete_pending = delete_file;
    }
    return nt::kSuccess;
  }
  // FileDispositionInformationEx with DELETE | POSIX_SEMANTICS: the name goes when this handle
  // closes, whoever else holds the file (N11).
  NtStatus set_delete_posix(ModelHandle h) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi || !hi->stream.empty()) return nt::kInvalidParameter;
    hi->file->pending_names.insert(hi->path);
    hi->posix_delete = true;
    return nt::kSuccess;
  }

  // FileLinkInformation on an open file: `target` (a full path on this volume) becomes another
  // name of the same file record, with every stream (N10). An existing target: collision, or
  // with replace_if_exists the N5 rules.
  NtStatus link(ModelHandle h, const Name& target, bool replace_if_exists) {
    std::lock_guard<std::mutex> g(mu_);
    HandleInfo* hi = find(h);
    if (!hi) return nt::kInvalidParameter;
    const Name to = fold(target);
    auto it = files_.find(to);
    if (it != files_.end()) {
      if (it->second == hi->file) return nt::kSuccess;
      if (!replace_if_exists) return nt::kObjectNameCollision;
      if (it->second->opens() > 0) return nt::kAccessDenied;
      files_.erase(it);
    }
    files_[to] = hi->file;
    return nt::kSuccess;
  }
  // FileStandardInformation.NumberOfLinks of the file at `path` (0: no such file).
  uint32_t link_count(const Name& path) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = files_.find(fold(path));
    return it == files_.end() ? 0 : links_locked(it->second.get());
  }
  // FileInternalInformation: the file record's number, the same through every link.
  uint64_t file_id(ModelHandle h) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    return it == handles_.end() ? 0 : static_cast<uint64_t>(reinterpret_cast<uintptr_t>(it->second.file.get()));
  }
  uint32_t links_of(ModelHandle h) const {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    return it == handles_.end() ? 0 : links_locked(it->second.file.get());
  }

  // Whether the file a handle was on is gone from the volume (deleted at its last close): what
  // a post-cleanup query of the file object answers with STATUS_FILE_DELETED.
  bool file_gone(const void* identity) const {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& f : files_)
      if (f.second.get() == identity) return false;
    return true;
  }

  void close(ModelHandle h) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(h);
    if (it == handles_.end()) return;
    HandleInfo hi = it->second;
    handles_.erase(it);
    if (hi.delete_on_close) {
      if (hi.stream.empty()) hi.file->pending_names.insert(hi.path);
      else hi.stream_ptr->delete_pending = true;
    }
    if (hi.posix_delete) remove_name(hi.file, hi.path);  // N11: POSIX, at this close
    --hi.stream_ptr->opens;
    if (hi.stream_ptr->opens == 0 && hi.stream_ptr->delete_pending) {
      auto sit = hi.file->streams.find(hi.stream);
      if (sit != hi.file->streams.end() && sit->second == hi.stream_ptr) hi.file->streams.erase(sit);
    }
    if (!hi.file->pending_names.empty() && hi.file->opens() == 0) {
      const std::set<Name> names = hi.file->pending_names;
      for (const Name& n : names) remove_name(hi.file, n);  // N10: each pending name, no other
    }
  }

  // ReplaceFile (N7): the replacement takes the replaced file's name; named streams of the
  // replaced file that the replacement lacks are copied over first.
  NtStatus replace_file(const Name& replaced, const Name& replacement) {
    std::lock_guard<std::mutex> g(mu_);
    auto old_it = files_.find(fold(replaced));
    auto new_it = files_.find(fold(replacement));
    if (old_it == files_.end() || new_it == files_.end()) return nt::kObjectNameNotFound;
    if (old_it->second->opens() > 0 || new_it->second->opens() > 0) return nt::kSharingViolation;
    std::shared_ptr<File> old_file = old_it->second, new_file = new_it->second;
    for (const auto& s : old_file->streams)
      if (!s.first.empty() && !new_file->streams.count(s.first))
        new_file->streams[s.first] = std::make_shared<Stream>(*s.second);
    files_.erase(fold(replacement));
    files_[fold(replaced)] = new_file;
    return nt::kSuccess;
  }

 private:
  void remove_name(const std::shared_ptr<File>& file, const Name& name) {
    file->pending_names.erase(name);
    auto fit = files_.find(name);
    if (fit != files_.end() && fit->second == file) files_.erase(fit);
  }
  uint32_t links_locked(const File* file) const {
    uint32_t n = 0;
    for (const auto& f : files_)
      if (f.second.get() == file) ++n;
    return n;
  }
  // Share access of a new open against every open of the same stream, both ways.
  bool share_ok(const Stream& s, uint32_t access, uint16_t share) const {
    using namespace fb;
    const auto reads = [](uint32_t a) { return (a & access::kReadData) != 0; };
    const auto writes = [](uint32_t a) { return (a & (access::kWriteData | access::kAppendData)) != 0; };
    const auto deletes = [](uint32_t a) { return (a & access::kDelete) != 0; };
    for (const auto& entry : handles_) {
      const HandleInfo& other = entry.second;
      if (other.stream_ptr.get() != &s) continue;
      if (reads(access) && !(other.share & share::kRead)) return false;
      if (writes(access) && !(other.share & share::kWrite)) return false;
      if (deletes(access) && !(other.share & share::kDelete)) return false;
      if (reads(other.access) && !(share & share::kRead)) return false;
      if (writes(other.access) && !(share & share::kWrite)) return false;
      if (deletes(other.access) && !(share & share::kDelete)) return false;
    }
    return true;
  }

  const Stream* find_stream(const Name& key, const Name& skey) const {
    auto it = files_.find(key);
    if (it == files_.end()) return nullptr;
    auto s = it->second->streams.find(skey);
    return s == it->second->streams.end() || s->second->delete_pending ? nullptr : s->second.get();
  }
  HandleInfo* find(ModelHandle h) {
    auto it = handles_.find(h);
    return it == handles_.end() ? nullptr : &it->second;
  }
  uint64_t used_locked() const {
    uint64_t used = 0;
    for (const auto& f : files_)
      for (const auto& s : f.second->streams) used += s.second->data.size();
    for (const auto& h : handles_)
      if (h.second.unlinked) used += h.second.stream_ptr->data.size();
    return used;
  }
  uint64_t free_locked() const {
    const uint64_t used = used_locked();
    return used >= capacity_ ? 0 : capacity_ - used;
  }
  NtStatus take_open_fault(const Name& key, const Name& skey) {
    if (nth_open_ > 0 && --nth_open_ == 0) {
      nth_open_fired_ = true;
      if (nth_open_repeats_ > 0) {
        --nth_open_repeats_;
        nth_open_ = 1;  // the next open fails too
      }
      return nth_open_status_;
    }
    auto it = open_faults_.find(key + u":" + skey);
    if (it == open_faults_.end() || it->second.first <= 0) return nt::kSuccess;
    --it->second.first;
    return it->second.second;
  }
  // N1 + N3: named streams leave the namespace; open ones live on through their handles.
  void unlink_named_streams(File& file) {
    for (auto it = file.streams.begin(); it != file.streams.end();) {
      if (it->first.empty()) {
        ++it;
        continue;
      }
      for (auto& h : handles_)
        if (h.second.stream_ptr == it->second) h.second.unlinked = true;
      it = file.streams.erase(it);
    }
  }
  NtStatus rename_stream_locked(HandleInfo& hi, const Name& to, bool replace) {
    if (hi.unlinked) return nt::kAccessDenied;
    File& file = *hi.file;
    if (to == hi.stream) return nt::kSuccess;
    if (hi.stream.empty()) return nt::kInvalidParameter;  // the default stream cannot be renamed away
    auto target = file.streams.find(to);
    if (target != file.streams.end()) {
      // N8: renaming onto `::$DATA` works when the default stream is empty; onto a named stream
      // only with ReplaceIfExists, and only an unopened, empty one.
      if (!replace && !to.empty()) return nt::kObjectNameCollision;
      if (target->second->opens > 0 || !target->second->data.empty()) return nt::kInvalidParameter;
    }
    std::shared_ptr<Stream> moving = hi.stream_ptr;
    file.streams.erase(hi.stream);
    file.streams[to] = moving;
    hi.stream = to;
    return nt::kSuccess;
  }
  NtStatus rename_file_locked(ModelHandle h, HandleInfo& hi, const Name& to, bool replace) {
    if (hi.path == to) return nt::kSuccess;
    // N6: a named stream of the file being renamed is open.
    for (const auto& s : hi.file->streams)
      if (!s.first.empty() && s.second->opens > 0) return nt::kAccessDenied;
    auto target = files_.find(to);
    if (target != files_.end()) {
      if (!replace) return nt::kObjectNameCollision;
      if (target->second->opens() > 0) return nt::kAccessDenied;  // N5
      files_.erase(target);                                       // N5 + N9: with every stream
    }
    files_[to] = hi.file;
    files_.erase(hi.path);
    for (auto& other : handles_)
      if (other.second.file == hi.file) other.second.path = to;
    (void)h;
    return nt::kSuccess;
  }

  mutable std::mutex mu_;
  uint64_t capacity_;
  std::map<Name, std::shared_ptr<File>> files_;
  std::vector<Name> created_log_;
  std::map<Name, uint32_t> denied_;  // folded path -> rights the applications' user is refused
  bool restore_privilege_ = false;
  std::map<Name, int> denied_checks_left_;
  std::map<ModelHandle, HandleInfo> handles_;
  ModelHandle next_handle_ = 0;
  bool budget_active_ = false;
  uint64_t write_budget_ = 0;
  std::map<Name, uint64_t> read_faults_;
  std::map<Name, std::pair<int, NtStatus>> open_faults_;
  int nth_open_ = 0;
  NtStatus nth_open_status_ = nt::kSuccess;
  int nth_open_repeats_ = 0;
  bool nth_open_fired_ = false;
};

}  // namespace fbmodel
