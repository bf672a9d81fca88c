#include "tests/kernel/stories/image_driver.h"

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/nt/kthread.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::stories {

const std::u16string kServiceKey = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\FileBackup";
const std::u16string kParametersKey = kServiceKey + u"\\Parameters";
const fbmodel::Name kNtfsVolume = u"\\Device\\HarddiskVolume2";
const fbmodel::Name kFatVolume = u"\\Device\\HarddiskVolume3";

namespace {

using DereferenceFn = long(KSIM_API*)(void*);
DereferenceFn g_nt_dereference = nullptr;

KSIM_API long dereference_interposer(void* object) {
  if (flt::FilterManager::get().owns_file(object)) {
    flt::FilterManager::get().dereference(reinterpret_cast<flt::SimFile*>(object));
    return 0;
  }
  return g_nt_dereference(object);
}

}  // namespace

void route_file_object_dereference(const LoadedImage& image) {
  void** slot = image.import_slot("ntoskrnl.exe", "ObfDereferenceObject");
  if (slot == nullptr) return;
  const long page = sysconf(_SC_PAGESIZE);
  void* start = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(slot) & ~static_cast<uintptr_t>(page - 1));
  mprotect(start, static_cast<size_t>(page), PROT_READ | PROT_WRITE);
  if (*slot != reinterpret_cast<void*>(&dereference_interposer))
    g_nt_dereference = reinterpret_cast<DereferenceFn>(*slot);
  *slot = reinterpret_cast<void*>(&dereference_interposer);
  mprotect(start, static_cast<size_t>(page), PROT_READ);
}

NTSTATUS call_driver_entry(const LoadedImage& image) {
  using DriverEntryFn = NTSTATUS(KSIM_API*)(void* driver, void* registry_path);
  // DRIVER_OBJECT is 0x150 bytes on x64 (mingw-w64 ddk/wdm.h); Type IO_TYPE_DRIVER (4). The image
  // only hands it to FltRegisterFilter.
  alignas(16) static uint8_t driver_object[0x150];
  std::memset(driver_object, 0, sizeof driver_object);
  driver_object[0] = 4;
  const uint16_t size = sizeof driver_object;
  std::memcpy(driver_object + 2, &size, 2);
  static std::u16string path;
  path = kServiceKey;
  struct {
    uint16_t Length, MaximumLength;
    char16_t* Buffer;
  } registry_path{static_cast<uint16_t>(path.size() * 2), static_cast<uint16_t>(path.size() * 2), path.data()};
  auto entry = reinterpret_cast<DriverEntryFn>(image.entry_point());
  flt::thread::Scope scope(0, 4, 0);
  verifier::CallbackScope callback("DriverEntry", image.entry_point());
  return entry(driver_object, &registry_path);
}

// --- the port client -------------------------------------------------------------------------------

PortClient::~PortClient() { close(); }

NTSTATUS PortClient::connect(fb::proto::HelloRole role, uint64_t process_id, bool administrator, uint16_t version) {
  uint8_t hello[fb::proto::kHelloBytes];
  fb::proto::Hello h;
  h.version = version;
  h.role = role;
  const fb::proto::EncodeResult r = fb::proto::encode_hello(h, hello, sizeof hello);
  if (r.error != fb::proto::Error::kOk) return flt::status::kInvalidParameter;
  return connect_raw(hello, r.size, process_id, administrator);
}

NTSTATUS PortClient::connect_raw(const void* context, uint32_t size, uint64_t process_id, bool administrator) {
  return flt::FilterManager::get().client_connect(u"\\FileBackupPort", context, size, process_id, administrator, &port_);
}

NTSTATUS PortClient::send(const void* request, uint32_t size, std::vector<uint8_t>* reply, uint32_t reply_capacity) {
  reply->assign(reply_capacity, 0);
  ULONG returned = 0;
  const NTSTATUS s =
      flt::FilterManager::get().client_send(port_, request, size, reply->data(), reply_capacity, &returned);
  reply->resize(returned);
  return s;
}

void PortClient::start_reading() {
  stop_ = false;
  reader_ = std::thread([this] { read_loop(); });
}

void PortClient::stop_reading() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
}

void PortClient::close() {
  stop_reading();
  if (port_ != nullptr) flt::FilterManager::get().client_close(port_);
  port_ = nullptr;
}

void PortClient::read_loop() {
  std::vector<uint8_t> message;
  while (!stop_) {
    const NTSTATUS s = flt::FilterManager::get().client_get_message(port_, &message, 20);
    if (s == flt::status::kPortDisconnected) return;
    if (s != 0) continue;
    // FILTER_MESSAGE_HEADER, then the driver's message (copied to an aligned buffer: events
    // are decoded in place and must be 2-byte aligned).
    if (message.size() < fb::proto::kFilterMessageHeaderBytes) {
      std::lock_guard<std::mutex> g(mu_);
      ++undecodable_;
      continue;
    }
    std::vector<uint16_t> body((message.size() - fb::proto::kFilterMessageHeaderBytes + 1) / 2);
    const size_t bytes = message.size() - fb::proto::kFilterMessageHeaderBytes;
    std::memcpy(body.data(), message.data() + fb::proto::kFilterMessageHeaderBytes, bytes);
    fb::proto::Header header;
    std::lock_guard<std::mutex> g(mu_);
    if (fb::proto::decode_header(body.data(), bytes, &header) != fb::proto::Error::kOk) {
      ++undecodable_;
      continue;
    }
    if (header.type == fb::proto::MessageType::kEvent) {
      fb::BackupEvent e;
      if (fb::proto::decode_event(body.data(), bytes, &e) != fb::proto::Error::kOk) {
        ++undecodable_;
        continue;
      }
      fbmodel::RecordedEvent r{e, fbmodel::Name(e.path.data, e.path.data + e.path.len)};
      r.event.path = fb::Str16();
      events_.push_back(r);
    } else if (header.type == fb::proto::MessageType::kGap) {
      fb::GapReport gap;
      if (fb::proto::decode_gap(body.data(), bytes, &gap) == fb::proto::Error::kOk)
        gaps_.push_back(gap);
      else
        ++undecodable_;
    } else {
      ++undecodable_;
    }
  }
}

std::vector<fbmodel::RecordedEvent> PortClient::events() const {
  std::lock_guard<std::mutex> g(mu_);
  return events_;
}

std::vector<fb::GapReport> PortClient::gaps() const {
  std::lock_guard<std::mutex> g(mu_);
  return gaps_;
}

size_t PortClient::undecodable() const {
  std::lock_guard<std::mutex> g(mu_);
  return undecodable_;
}

void PortClient::wait_for_events(size_t count, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (events_.size() >= count) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // any event beyond the expected ones
}

}  // namespace ksim::stories
