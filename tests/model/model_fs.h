// The engine's FileSystem implemented on the NTFS model: what the driver's kernel I/O does with
// FltCreateFileEx2 below the filter. Opens for reading bypass share checks
// (IO_IGNORE_SHARE_ACCESS_CHECK); the engine's own streams are opened with share checks.
#pragma once

#include <algorithm>
#include <atomic>
#include <vector>

#include "common/engine/file_system.h"
#include "tests/model/ntfs_model.h"

namespace fbmodel {

inline Name to_name(fb::Str16 s) { return Name(s.data, s.data + s.len); }
inline fb::Str16 view(const Name& s) { return fb::Str16(s.data(), static_cast<uint32_t>(s.size())); }

class ModelFs final : public fb::HostFileSystem {
 public:
  explicit ModelFs(Volume& volume) : volume_(volume) {}

  NtStatus open(fb::IoTarget target, fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override {
    using namespace fb;
    note_target(target);
    uint32_t access = 0;
    uint16_t share_mode = share::kAll;
    CreateDisposition disposition = CreateDisposition::kOpen;
    bool ignore_share = true;
    switch (mode) {
      case OpenMode::kRead: access = access::kReadData; break;
      case OpenMode::kReplace:
        access = access::kReadData | access::kWriteData | access::kDelete;
        share_mode = 0;
        disposition = CreateDisposition::kOverwriteIf;
        ignore_share = false;
        break;
      case OpenMode::kCreateNew:
        access = access::kWriteData | access::kDelete;
        share_mode = 0;
        disposition = CreateDisposition::kCreate;
        ignore_share = false;
        break;
      case OpenMode::kMove:
        access = access::kDelete;
        ignore_share = false;
        break;
      case OpenMode::kDeleteAlone:
        access = access::kDelete;
        ignore_share = false;
        break;
      case OpenMode::kLink:
        access = access::kWriteAttributes;
        break;
    }
    share_mode = fb::share_access_of(mode);  // the engine's decision, as the driver applies it
    ModelHandle h = 0;
    uint64_t information = 0;
    const NtStatus s =
        volume_.create(to_name(file), to_name(stream), access, share_mode, disposition, 0, ignore_share, &h, &information);
    if (nt_success(s)) {
      out->value = reinterpret_cast<void*>(static_cast<uintptr_t>(h));
      opens_.fetch_add(1);
      ++thread_opens();
    }
    return s;
  }
  NtStatus read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* got) override {
    return volume_.read(id(h), offset, buffer, length, got);
  }
  NtStatus write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length, uint32_t* written) override {
    return volume_.write(id(h), offset, buffer, length, written);
  }
  NtStatus query_size(fb::FsHandle h, uint64_t* size) override { return volume_.query_size(id(h), size); }
  NtStatus set_end_of_file(fb::FsHandle h, uint64_t size) override { return volume_.set_end_of_file(id(h), size); }
  NtStatus rename_stream(fb::FsHandle h, fb::Str16 new_stream, bool replace) override {
    return volume_.rename(id(h), u":" + to_name(new_stream), replace);
  }
  NtStatus link_into(fb::FsHandle h, fb::Str16 target_file) override {
    return volume_.link(id(h), to_name(target_file), false);
  }
  NtStatus query_file_id(fb::FsHandle h, uint64_t* file_id) override {
    *file_id = volume_.file_id(id(h));
    return *file_id != 0 ? fb::nt::kSuccess : fb::nt::kInvalidParameter;
  }
  NtStatus query_links(fb::FsHandle h, uint32_t* links) override {
    *links = volume_.links_of(id(h));
    return fb::nt::kSuccess;
  }
  // Folders are implicit in the model (a file's parent always exists).
  NtStatus ensure_directory(fb::IoTarget target, fb::Str16) override {
    note_target(target);
    return fb::nt::kSuccess;
  }
  // The folder's children: the first component after it of every file below it (folded names,
  // as the model keeps them); a folder no file is below does not exist.
  NtStatus list_directory(fb::IoTarget target, fb::Str16 directory, fb::DirectoryVisitor& visitor) override {
    note_target(target);
    const Name prefix = fold(to_name(directory)) + u"\\";
    std::vector<Name> children;
    for (const Name& n : volume_.file_names()) {
      if (n.compare(0, prefix.size(), prefix) != 0) continue;
      const Name child = n.substr(prefix.size(), n.find(u'\\', prefix.size()) - prefix.size());
      if (std::find(children.begin(), children.end(), child) == children.end()) children.push_back(child);
    }
    if (children.empty()) return fb::nt::kObjectNameNotFound;
    for (const Name& c : children)
      if (!visitor.entry(view(c))) break;
    return fb::nt::kSuccess;
  }
  NtStatus mark_delete(fb::FsHandle h) override { return volume_.set_delete(id(h)); }
  NtStatus query_free_space(fb::FsHandle, uint64_t* free_bytes) override {
    *free_bytes = volume_.free_space();
    return fb::nt::kSuccess;
  }
  // The access check first (as IO_FORCE_ACCESS_CHECK makes it), then a real open and close, so
  // a missing file and injected open faults answer as in the driver.
  NtStatus check_requestor_access(fb::IoTarget target, fb::Str16 file, uint32_t desired_access,
                                  uint32_t create_options) override {
    note_target(target);
    const NtStatus checked =
        volume_.requestor_access_check(to_name(file), desired_access, fb::CreateDisposition::kOpen, create_options);
    if (!fb::nt_success(checked)) return checked;
    ModelHandle h = 0;
    uint64_t information = 0;
    const NtStatus s = volume_.create(to_name(file), Name(), desired_access, fb::share::kAll, fb::CreateDisposition::kOpen,
                                      0, true, &h, &information);
    if (fb::nt_success(s)) volume_.close(h);
    return s;
  }
  void close(fb::FsHandle h) override {
    volume_.close(id(h));
    opens_.fetch_sub(1);
    --thread_opens();
  }

  // Handles the engine holds right now, on every thread.
  int open_count() const { return opens_.load(); }
  // Handles opened and not closed by the calling thread. The engine opens and closes within one
  // callback, on the callback's thread, so this is 0 whenever the engine has returned, even while
  // callbacks of other threads (a story's writers and deleter) hold theirs. (Test code only:
  // thread_local is no concern of the kernel's here.)
  static int& thread_opens() {
    static thread_local int opens = 0;
    return opens;
  }

  // The instance of the callbacks the harness plays (an FLT_INSTANCE in the driver): every open
  // the engine makes must be issued on it, not on one looked up by volume name.
  void expect_target(void* target) { expected_target_ = target; }
  int opens_on_other_targets() const { return wrong_targets_.load(); }

 private:
  void note_target(fb::IoTarget target) {
    if (target.value != expected_target_) wrong_targets_.fetch_add(1);
  }
  static ModelHandle id(fb::FsHandle h) { return static_cast<ModelHandle>(reinterpret_cast<uintptr_t>(h.value)); }
  Volume& volume_;
  std::atomic<int> opens_{0};
  std::atomic<void*> expected_target_{nullptr};
  std::atomic<int> wrong_targets_{0};
};

}  // namespace fbmodel
