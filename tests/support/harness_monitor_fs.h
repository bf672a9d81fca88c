// fbmon's MonitorFileSystem whose I/O goes THROUGH the filter harness as an ordinary
// application's: every open, write, set-end-of-file, stream rename, delete and close calls the
// engine as the driver does, so the engine backs up fbmon's own writes. This is the case the
// driver normally excludes (fbmon holds a control connection while it restores, and the driver
// leaves its port's clients alone); it happens when the driver does not recognise fbmon (its
// control connection refused, an older fbmon, a bridge that attributes the I/O to another
// process). tests/support/model_monitor_fs.h is the usual twin that bypasses the engine.
//
// Reads and size queries go straight to the model: the driver calls the engine on neither.
// Opens use the share modes of monitor/win's Win32FileSystem (share all for reads and for the
// target; fb::share_access_of for the modes that write our own streams).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "monitor/lib/file_access.h"
#include "monitor/lib/text.h"
#include "monitor/lib/win32_path.h"
#include "tests/model/filter_harness.h"

namespace fbtest {

class HarnessMonitorFs final : public fbmon::MonitorFileSystem {
 public:
  // Called with a running count before each operation fbmon makes, so a test can put another
  // process's I/O (and the engine's work on it) between any two of fbmon's steps.
  using BeforeOp = std::function<void(int op)>;

  HarnessMonitorFs(fbmodel::Volume& volume, fbmodel::FilterHarness& harness) : volume_(volume), harness_(harness) {
    devices_.add(u"\\Device\\HarddiskVolume2", u"C:");
  }
  ~HarnessMonitorFs() {
    for (void* h : open_) harness_.close(static_cast<fbmodel::AppHandle*>(h));
  }

  void before_each_op(BeforeOp hook) { hook_ = std::move(hook); }
  int ops() const { return ops_; }
  // What operation `op` was ("write report.docx", "rename :backup.tmp"), for failure messages.
  std::string op_name(int op) const { return op < static_cast<int>(names_.size()) ? names_[op] : "end"; }
  size_t open_handles() const { return open_.size(); }

  fb::NtStatus open(fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override {
    step(std::string("open :") + fbmon::to_utf8(std::u16string(stream.data, stream.len)) + " mode " + std::to_string(static_cast<int>(mode)));
    uint32_t access = fb::access::kReadData;
    fb::CreateDisposition disposition = fb::CreateDisposition::kOpen;
    uint16_t share = fb::share::kAll;
    switch (mode) {
      case fb::OpenMode::kRead: break;
      case fb::OpenMode::kReplace:
        access = fb::access::kReadData | fb::access::kWriteData | fb::access::kDelete;
        disposition = fb::CreateDisposition::kOverwriteIf;
        share = fb::share_access_of(mode);
        break;
      case fb::OpenMode::kCreateNew:
        access = fb::access::kWriteData | fb::access::kDelete;
        disposition = fb::CreateDisposition::kCreate;
        share = fb::share_access_of(mode);
        break;
      case fb::OpenMode::kMove:
      case fb::OpenMode::kDeleteAlone:
        access = fb::access::kDelete;
        share = fb::share_access_of(mode);
        break;
      case fb::OpenMode::kLink: return fb::nt::kNotSupported;
    }
    return adopt(harness_.open(to_nt(file), access, disposition, nullptr_out(), share,
                               fbmodel::Name(stream.data, stream.data + stream.len)),
                 out);
  }
  // GENERIC_READ|GENERIC_WRITE, share all, OPEN_EXISTING or OPEN_ALWAYS (Win32FileSystem's).
  fb::NtStatus open_target(fb::Str16 path, bool create_if_missing, fb::FsHandle* out) override {
    step("open_target");
    return adopt(harness_.open(to_nt(path), fb::access::kReadData | fb::access::kWriteData,
                               create_if_missing ? fb::CreateDisposition::kOpenIf : fb::CreateDisposition::kOpen,
                               nullptr_out(), fb::share::kAll),
                 out);
  }
  fb::NtStatus read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* got) override {
    step("read " + label(h));
    return volume_.read(app(h)->model, offset, buffer, length, got);
  }
  fb::NtStatus write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length, uint32_t* written) override {
    step("write " + label(h));
    const fb::NtStatus s = harness_.write(app(h), offset, std::string(static_cast<const char*>(buffer), length));
    *written = fb::nt_success(s) ? length : 0;
    return s;
  }
  fb::NtStatus query_size(fb::FsHandle h, uint64_t* size) override { return volume_.query_size(app(h)->model, size); }
  fb::NtStatus set_end_of_file(fb::FsHandle h, uint64_t size) override {
    step("set_end_of_file " + label(h));
    return harness_.set_end_of_file(app(h), size);
  }
  fb::NtStatus rename_stream(fb::FsHandle h, fb::Str16 s, bool replace) override {
    step("rename " + label(h));
    return harness_.rename(app(h), u":" + fbmodel::Name(s.data, s.data + s.len), replace);
  }
  fb::NtStatus mark_delete(fb::FsHandle h) override {
    step("delete " + label(h));
    return harness_.delete_on_close(app(h));
  }
  fb::NtStatus query_free_space(fb::FsHandle, uint64_t* free_bytes) override {
    *free_bytes = volume_.free_space();
    return fb::nt::kSuccess;
  }
  fb::NtStatus check_requestor_access(fb::Str16, uint32_t, uint32_t) override { return fb::nt::kSuccess; }
  void close(fb::FsHandle h) override {
    step("close " + label(h));
    open_.erase(h.value);
    harness_.close(app(h));
  }

 private:
  void step(const std::string& name) {
    names_.push_back(name);
    if (hook_) hook_(ops_);
    ++ops_;
  }
  static std::string label(fb::FsHandle h) {
    const fbmodel::AppHandle* a = app(h);
    return a->stream.empty() ? std::string("(file)") : ":" + fbmon::to_utf8(a->stream);
  }
  fbmodel::AppHandle** nullptr_out() {
    pending_ = nullptr;
    return &pending_;
  }
  fb::NtStatus adopt(fb::NtStatus s, fb::FsHandle* out) {
    if (!fb::nt_success(s) || pending_ == nullptr) return s;
    out->value = pending_;
    open_.insert(pending_);
    return s;
  }
  static fbmodel::AppHandle* app(fb::FsHandle h) { return static_cast<fbmodel::AppHandle*>(h.value); }
  fbmodel::Name to_nt(fb::Str16 path) const {
    const std::u16string nt = fbmon::win32_to_nt(path, devices_);
    return nt.empty() ? fbmodel::Name(path.data, path.data + path.len) : nt;
  }

  fbmodel::Volume& volume_;
  fbmodel::FilterHarness& harness_;
  fbmon::DeviceTable devices_;
  BeforeOp hook_;
  int ops_ = 0;
  std::vector<std::string> names_;
  fbmodel::AppHandle* pending_ = nullptr;
  std::set<void*> open_;
};

}  // namespace fbtest
