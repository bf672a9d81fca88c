// The shipped FileBackup.sys as a story drives it: DriverEntry with the service key (and its
// Parameters values) in the simulated registry, the volumes the simulated Filter Manager
// attaches to, a watcher connected to \FileBackupPort whose events are decoded with common/'s
// decoder, and the unload (fltmc unload) followed by the host kernel's leak checks.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/events/event.h"
#include "common/protocol/protocol.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/loader/pe_loader.h"
#include "tests/model/filter_harness.h"

namespace ksim::stories {

extern const std::u16string kServiceKey;  // \Registry\Machine\...\Services\FileBackup
extern const std::u16string kParametersKey;
extern const fbmodel::Name kNtfsVolume;   // \Device\HarddiskVolume2 (NTFS)
extern const fbmodel::Name kFatVolume;    // \Device\HarddiskVolume3 (FAT)
constexpr uint64_t kWatcherProcess = 7000;  // fbmon

// Routes the image's ObfDereferenceObject of a FILE_OBJECT the simulated Filter Manager made
// (FltCreateFileEx2's referenced object) to it, and every other object to the ntoskrnl
// simulation: an interposer in the image's IAT slot, installed after the load. (The ntoskrnl
// simulation's object manager does not know Filter Manager's file objects; a hook there would
// make this unnecessary.)
void route_file_object_dereference(const LoadedImage& image);

// DriverEntry(DriverObject, RegistryPath) at PASSIVE_LEVEL in the System process.
NTSTATUS call_driver_entry(const LoadedImage& image);

// A user-mode client of \FileBackupPort.
class PortClient {
 public:
  PortClient() = default;
  ~PortClient();
  // FilterConnectCommunicationPort with a hello of `role` (protocol version `version`).
  NTSTATUS connect(fb::proto::HelloRole role, uint64_t process_id = kWatcherProcess, bool administrator = true,
                   uint16_t version = fb::proto::kProtocolVersion);
  NTSTATUS connect_raw(const void* context, uint32_t size, uint64_t process_id, bool administrator);
  // FilterSendMessage: the reply bytes in *reply.
  NTSTATUS send(const void* request, uint32_t size, std::vector<uint8_t>* reply, uint32_t reply_capacity = 4096);
  // A reader thread takes every message (FilterGetMessage) and decodes it.
  void start_reading();
  void stop_reading();
  void close();
  bool connected() const { return port_ != nullptr; }
  flt::ClientPort* port() const { return port_; }

  // Events decoded so far (paths copied); gaps; messages that did not decode.
  std::vector<fbmodel::RecordedEvent> events() const;
  std::vector<fb::GapReport> gaps() const;
  size_t undecodable() const;
  // Waits until at least `count` events arrived (and then a quiet moment for any extra), or
  // `timeout_ms` passed.
  void wait_for_events(size_t count, int timeout_ms = 3000);

 private:
  void read_loop();
  flt::ClientPort* port_ = nullptr;
  std::thread reader_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<fbmodel::RecordedEvent> events_;
  std::vector<fb::GapReport> gaps_;
  size_t undecodable_ = 0;
};

}  // namespace ksim::stories
