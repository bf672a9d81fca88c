// An in-memory fbmon::MonitorFileSystem for the monitor's restore and list tests: streams are
// byte vectors named `file` or `file:stream`; knobs inject the failures restore must survive;
// open_handles() lets every test prove that nothing leaks a handle.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "monitor/lib/file_access.h"

namespace fbtest {

class FakeMonitorFs final : public fbmon::MonitorFileSystem {
 public:
  std::map<std::u16string, std::vector<uint8_t>> streams;
  std::set<std::u16string> in_use;            // open_target refuses these (sharing violation)
  std::u16string fail_writes_to;              // writes to this name fail with disk full ...
  uint64_t fail_writes_after = 0;             // ... once this many bytes were written to it
  std::u16string fail_renames_of;             // renames of this stream name fail
  fb::NtStatus injected = fb::nt::kDiskFull;
  // Folders: list_directory finds the names directly in `folder\` (streams `x:y` are not names);
  // a folder exists when it is in `folders` or holds a name. `denied_folders` answer access denied.
  std::set<std::u16string> folders;
  std::set<std::u16string> denied_folders;
  std::map<std::u16string, uint32_t> links;  // query_links of a file (default 1)
  std::set<std::u16string> unreadable;        // opens for reading fail with access denied
  // Runs before the first write to a stream opened with open_target (what a filter driver
  // sees in its pre-write callback).
  std::function<void()> before_first_target_write;

  size_t open_handles() const { return handles_.size(); }
  static std::u16string key(fb::Str16 file, fb::Str16 stream) {
    std::u16string k(file.data, file.len);
    if (stream.len) k += u":" + std::u16string(stream.data, stream.len);
    return k;
  }

  fb::NtStatus open(fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override {
    const std::u16string k = key(file, stream);
    const bool exists = streams.count(k) != 0;
    switch (mode) {
      case fb::OpenMode::kRead:
        if (unreadable.count(k)) return fb::nt::kAccessDenied;
        if (!exists) return fb::nt::kObjectNameNotFound;
        break;
      case fb::OpenMode::kMove:
      case fb::OpenMode::kDeleteAlone:
        if (!exists) return fb::nt::kObjectNameNotFound;
        break;
      case fb::OpenMode::kReplace:
        if (stream.len == 0) return fb::nt::kInvalidParameter;  // N1: never overwrite a default stream
        streams[k].clear();
        break;
      case fb::OpenMode::kCreateNew:
        if (exists) return fb::nt::kObjectNameCollision;
        streams[k];
        break;
      case fb::OpenMode::kLink:  // the driver's vault only
        return fb::nt::kNotSupported;
    }
    return make_handle(k, std::u16string(file.data, file.len), out);
  }

  fb::NtStatus open_target(fb::Str16 path, bool create_if_missing, fb::FsHandle* out) override {
    const std::u16string k(path.data, path.len);
    if (in_use.count(k)) return fb::nt::kSharingViolation;
    if (!streams.count(k)) {
      if (!create_if_missing) return fb::nt::kObjectNameNotFound;
      streams[k];
    }
    const fb::NtStatus s = make_handle(k, k, out);
    handle(*out).target = true;
    return s;
  }

  fb::NtStatus read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* got) override {
    *got = 0;
    const auto found = streams.find(handle(h).name);  // deleted under the handle: reads nothing
    if (found == streams.end()) return fb::nt::kSuccess;
    const std::vector<uint8_t>& d = found->second;
    if (offset >= d.size()) return fb::nt::kSuccess;
    const uint64_t n = std::min<uint64_t>(length, d.size() - offset);
    std::copy(d.begin() + static_cast<ptrdiff_t>(offset), d.begin() + static_cast<ptrdiff_t>(offset + n),
              static_cast<uint8_t*>(buffer));
    *got = static_cast<uint32_t>(n);
    return fb::nt::kSuccess;
  }

  fb::NtStatus write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length, uint32_t* written) override {
    Handle& hd = handle(h);
    *written = 0;
    if (hd.target && before_first_target_write) {
      auto hook = std::move(before_first_target_write);
      before_first_target_write = nullptr;
      hook();
    }
    if (!fail_writes_to.empty() && hd.name == fail_writes_to && offset + length > fail_writes_after) return injected;
    std::vector<uint8_t>& d = streams[hd.name];
    if (d.size() < offset + length) d.resize(static_cast<size_t>(offset + length));
    std::copy(static_cast<const uint8_t*>(buffer), static_cast<const uint8_t*>(buffer) + length,
              d.begin() + static_cast<ptrdiff_t>(offset));
    *written = length;
    return fb::nt::kSuccess;
  }

  fb::NtStatus query_size(fb::FsHandle h, uint64_t* size) override {
    const auto found = streams.find(handle(h).name);
    *size = found == streams.end() ? 0 : found->second.size();
    return fb::nt::kSuccess;
  }

  fb::NtStatus set_end_of_file(fb::FsHandle h, uint64_t size) override {
    streams[handle(h).name].resize(static_cast<size_t>(size));
    return fb::nt::kSuccess;
  }

  fb::NtStatus rename_stream(fb::FsHandle h, fb::Str16 new_stream, bool replace_if_exists) override {
    Handle& hd = handle(h);
    const std::u16string to = key(fb::Str16(hd.file.data(), static_cast<uint32_t>(hd.file.size())), new_stream);
    if (!fail_renames_of.empty() && hd.name == fail_renames_of) return injected;
    if (streams.count(to) && !replace_if_exists) return fb::nt::kObjectNameCollision;
    streams[to] = streams[hd.name];
    streams.erase(hd.name);
    hd.name = to;
    return fb::nt::kSuccess;
  }

  fb::NtStatus mark_delete(fb::FsHandle h) override {
    handle(h).delete_on_close = true;
    return fb::nt::kSuccess;
  }

  // The fake has no security: the check only finds the file.
  fb::NtStatus check_requestor_access(fb::Str16 file, uint32_t, uint32_t) override {
    return streams.count(key(file, fb::Str16())) ? fb::nt::kSuccess : fb::nt::kObjectNameNotFound;
  }

  fb::NtStatus query_free_space(fb::FsHandle, uint64_t* free_bytes) override {
    *free_bytes = UINT64_MAX;
    return fb::nt::kSuccess;
  }

  fb::NtStatus query_links(fb::FsHandle h, uint32_t* count) override {
    const auto it = links.find(handle(h).file);
    *count = it == links.end() ? 1 : it->second;
    return fb::nt::kSuccess;
  }

  fb::NtStatus list_directory(fb::Str16 directory, fb::DirectoryVisitor& visitor) override {
    const std::u16string dir(directory.data, directory.len);
    if (denied_folders.count(dir)) return fb::nt::kAccessDenied;
    const std::u16string prefix = dir + u"\\";
    std::set<std::u16string> names;
    for (const auto& kv : streams) {
      if (kv.first.compare(0, prefix.size(), prefix) != 0) continue;
      const std::u16string rest = kv.first.substr(prefix.size());
      const size_t end = rest.find_first_of(u"\\:");
      names.insert(rest.substr(0, end));
    }
    if (names.empty() && !folders.count(dir)) return fb::nt::kObjectPathNotFound;
    for (const std::u16string& n : names)
      if (!visitor.entry(fb::Str16(n.data(), static_cast<uint32_t>(n.size())))) break;
    return fb::nt::kSuccess;
  }

  void close(fb::FsHandle h) override {
    auto it = handles_.find(reinterpret_cast<uintptr_t>(h.value));
    if (it == handles_.end()) {
      ++bad_closes;
      return;
    }
    if (it->second.delete_on_close) {
      streams.erase(it->second.name);
      // The file's last name: its named streams go with it (NTFS; the fake has one name per file).
      if (it->second.name == it->second.file) {
        const std::u16string prefix = it->second.file + u":";
        for (auto s = streams.begin(); s != streams.end();)
          s = s->first.compare(0, prefix.size(), prefix) == 0 ? streams.erase(s) : std::next(s);
      }
    }
    handles_.erase(it);
  }

  int bad_closes = 0;

 private:
  struct Handle {
    std::u16string name;
    std::u16string file;
    bool delete_on_close = false;
    bool target = false;
  };

  fb::NtStatus make_handle(const std::u16string& name, const std::u16string& file, fb::FsHandle* out) {
    const uintptr_t id = next_++;
    handles_[id] = Handle{name, file, false, false};
    out->value = reinterpret_cast<void*>(id);
    return fb::nt::kSuccess;
  }
  Handle& handle(fb::FsHandle h) { return handles_.at(reinterpret_cast<uintptr_t>(h.value)); }

  std::map<uintptr_t, Handle> handles_;
  uintptr_t next_ = 1;
};

}  // namespace fbtest
