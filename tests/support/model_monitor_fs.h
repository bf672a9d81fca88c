// fbmon's MonitorFileSystem on the NTFS model, so the monitor's own code (list the vault, restore
// a deleted file) runs on the very volume the engine just worked on. fbmon sees Win32 paths:
// `C:\...` is translated to the volume's NT path with the monitor's win32_to_nt (one device,
// `\Device\HarddiskVolume2` = `C:`). Its I/O goes straight to the model, not through the filter
// harness: as on Windows, where the driver leaves alone the I/O of a process connected to its
// port (fbmon holds a control connection while it restores).
#pragma once

#include <set>

#include "monitor/lib/file_access.h"
#include "monitor/lib/text.h"
#include "monitor/lib/win32_path.h"
#include "tests/model/model_fs.h"

namespace fbtest {

class ModelMonitorFs final : public fbmon::MonitorFileSystem {
 public:
  static fbmon::DeviceTable devices() {
    fbmon::DeviceTable t;
    t.add(u"\\Device\\HarddiskVolume2", u"C:");
    return t;
  }

  ModelMonitorFs(fbmodel::Volume& volume, fbmodel::ModelFs& host, fb::IoTarget target)
      : volume_(volume), inner_(host, target), devices_(devices()) {}

  fb::NtStatus open(fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override {
    const std::u16string nt = to_nt(file);
    return inner_.open(fbmon::view(nt), stream, mode, out);
  }
  // GENERIC_READ|GENERIC_WRITE, share all, OPEN_EXISTING or OPEN_ALWAYS (Win32FileSystem's).
  fb::NtStatus open_target(fb::Str16 path, bool create_if_missing, fb::FsHandle* out) override {
    fbmodel::ModelHandle h = 0;
    uint64_t information = 0;
    const fb::NtStatus s = volume_.create(
        to_nt(path), fbmodel::Name(), fb::access::kReadData | fb::access::kWriteData, fb::share::kAll,
        create_if_missing ? fb::CreateDisposition::kOpenIf : fb::CreateDisposition::kOpen, 0, false, &h, &information);
    if (!fb::nt_success(s)) return s;
    out->value = reinterpret_cast<void*>(static_cast<uintptr_t>(h));
    targets_.insert(out->value);
    return s;
  }
  fb::NtStatus read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* got) override {
    return inner_.read(h, offset, buffer, length, got);
  }
  fb::NtStatus write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length, uint32_t* written) override {
    return inner_.write(h, offset, buffer, length, written);
  }
  fb::NtStatus query_size(fb::FsHandle h, uint64_t* size) override { return inner_.query_size(h, size); }
  fb::NtStatus set_end_of_file(fb::FsHandle h, uint64_t size) override { return inner_.set_end_of_file(h, size); }
  fb::NtStatus rename_stream(fb::FsHandle h, fb::Str16 s, bool replace) override {
    return inner_.rename_stream(h, s, replace);
  }
  fb::NtStatus mark_delete(fb::FsHandle h) override { return inner_.mark_delete(h); }
  fb::NtStatus query_free_space(fb::FsHandle h, uint64_t* free_bytes) override {
    return inner_.query_free_space(h, free_bytes);
  }
  fb::NtStatus check_requestor_access(fb::Str16 file, uint32_t access, uint32_t options) override {
    const std::u16string nt = to_nt(file);
    return inner_.check_requestor_access(fbmon::view(nt), access, options);
  }
  fb::NtStatus query_links(fb::FsHandle h, uint32_t* links) override { return inner_.query_links(h, links); }
  fb::NtStatus list_directory(fb::Str16 directory, fb::DirectoryVisitor& visitor) override {
    const std::u16string nt = to_nt(directory);
    return inner_.list_directory(fbmon::view(nt), visitor);
  }
  void close(fb::FsHandle h) override {
    if (targets_.erase(h.value)) {
      volume_.close(static_cast<fbmodel::ModelHandle>(reinterpret_cast<uintptr_t>(h.value)));
      return;
    }
    inner_.close(h);
  }
  size_t open_targets() const { return targets_.size(); }

 private:
  std::u16string to_nt(fb::Str16 path) const {
    const std::u16string nt = fbmon::win32_to_nt(path, devices_);
    return nt.empty() ? std::u16string(path.data, path.len) : nt;
  }

  fbmodel::Volume& volume_;
  fb::TargetedFileSystem inner_;
  fbmon::DeviceTable devices_;
  std::set<void*> targets_;
};

}  // namespace fbtest
