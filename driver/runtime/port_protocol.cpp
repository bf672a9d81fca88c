// What connections and messages on \FileBackupPort mean (common/protocol/protocol.h is the format).
//
// Connections: the connection context is a hello naming a role. One watcher (receives events
// from the sender thread), any number of control clients (statistics, reload) and version
// probes (may only ask for the driver's version, so a mismatched fbmon can say "driver speaks
// protocol N, this fbmon speaks M"). Each connection gets a cookie (its Connection, nonpaged)
// allocated here at connect and freed at disconnect, after its client port is closed.
//
// Messages: port.cpp has already copied the request into kernel memory; common/
// common/protocol/control_requests.h decodes it with the protocol validators and writes the reply, or an error
// reply (status + the decode error) for a malformed, unknown or not-allowed request. The
// callback returns STATUS_SUCCESS whenever a reply was written, so fbmon always gets a reason.
#include "driver/runtime/port_protocol.h"

#include "driver/runtime/config_current.h"
#include "common/protocol/control_requests.h"
#include "driver/runtime/engine_seam.h"
#include "driver/runtime/event_pipeline.h"
#include "driver/nt/pool.h"
#include "driver/runtime/port.h"
#include "common/protocol/protocol.h"
#include "driver/runtime/sender_thread.h"
#include "driver/nt/trace.h"

namespace fbk::protocol {
namespace {

namespace proto = fb::proto;

static_assert(proto::kWatcherBusyStatus == static_cast<fb::NtStatus>(STATUS_CONNECTION_COUNT_LIMIT),
              "the refusal of a second watcher is STATUS_CONNECTION_COUNT_LIMIT");

struct Connection {
  PFLT_PORT client;
  proto::HelloRole role;
  uint16_t version;
  uint64_t process_id;
  uint32_t slot;  // index in g_clients.process_ids
};

// Process ids of connected clients, one slot per possible connection; 0 = free. Read at any
// IRQL by runtime::is_monitor_process (the callbacks ask on the I/O path): interlocked words.
struct Clients {
  volatile LONG64 process_ids[port::kMaxConnections];
  volatile LONG64 watcher_process_id;
};
Clients g_clients;  // zero-initialized image data

const char* role_text(proto::HelloRole role) {
  switch (role) {
    case proto::HelloRole::kWatcher: return "watcher";
    case proto::HelloRole::kControl: return "control";
    case proto::HelloRole::kVersionProbe: return "version probe";
  }
  return "unknown";
}

bool take_slot(uint64_t process_id, uint32_t* slot) {
  for (uint32_t i = 0; i < static_cast<uint32_t>(port::kMaxConnections); ++i) {
    if (InterlockedCompareExchange64(&g_clients.process_ids[i], static_cast<LONG64>(process_id), 0) == 0) {
      *slot = i;
      return true;
    }
  }
  return false;
}

void free_slot(uint32_t slot) { InterlockedExchange64(&g_clients.process_ids[slot], 0); }

// What the requests need from the driver (common/protocol/control_requests.h decides everything else).
class DriverRequestHost final : public proto::RequestHost {
 public:
  void fill_statistics(fb::Statistics* out) override {
    runtime::engine_fill_statistics(out);
    const fb::QueueCounters queue = events::counters();
    out->events_dropped = queue.dropped();
    out->queue_high_water = queue.high_water_events;
    out->queue_high_water_bytes = queue.high_water_bytes;
    out->queue_capacity_bytes = queue.capacity_bytes;
    out->rules_loaded = config::rules_loaded();
  }
  void fill_status(proto::DriverStatus* out) override {
    out->driver_major = FB_VERSION_MAJOR;
    out->driver_minor = FB_VERSION_MINOR;
    out->driver_patch = FB_VERSION_PATCH;
    const LONG64 watcher = InterlockedCompareExchange64(&g_clients.watcher_process_id, 0, 0);
    out->watcher_connected = watcher != 0;
    out->watcher_process_id = static_cast<uint64_t>(watcher);
  }
  fb::NtStatus reload(uint32_t* rules_loaded) override {
    const NTSTATUS status = config::reload(rules_loaded);
    FB_TRACE("configuration reload requested by process %p: 0x%08lx, %lu rules", PsGetCurrentProcessId(),
             static_cast<ULONG>(status), static_cast<ULONG>(*rules_loaded));
    return status;
  }
};

}  // namespace

NTSTATUS on_connect(PFLT_PORT client_port, const void* context, ULONG context_size, void** cookie) {
  *cookie = nullptr;
  const uint64_t process_id = reinterpret_cast<uint64_t>(PsGetCurrentProcessId());
  proto::Hello hello;
  const fb::NtStatus verdict = proto::connect_status(context, context_size, &hello);
  if (verdict == proto::kVersionMismatchStatus) {
    FB_TRACE_WARNING("process %p speaks protocol %u, this driver speaks %u: connection refused",
                     PsGetCurrentProcessId(), static_cast<unsigned>(hello.version),
                     static_cast<unsigned>(proto::kProtocolVersion));
    return verdict;
  }
  if (!fb::nt_success(verdict)) {
    FB_TRACE_WARNING("process %p sent no valid hello (%lu bytes): connection refused",
                     PsGetCurrentProcessId(), context_size);
    return verdict;
  }

  auto* connection = new (pool::kPort) Connection{client_port, hello.role, hello.version, process_id, 0};
  if (connection == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  if (!take_slot(process_id, &connection->slot)) {  // Filter Manager caps connections first
    delete connection;
    return STATUS_CONNECTION_COUNT_LIMIT;
  }
  // The watcher last: nothing after it can fail, so there is no claim to undo. The claim is
  // the atomic test of "a watcher is connected"; proto::admission_status decides what follows.
  const bool wants_watcher = hello.role == proto::HelloRole::kWatcher;
  const bool claimed = wants_watcher && port::claim_watcher(client_port);
  const fb::NtStatus admitted = proto::admission_status(hello.role, /*watcher_connected=*/wants_watcher && !claimed);
  if (!fb::nt_success(admitted)) {
    FB_TRACE_WARNING("process %p: a watcher is already connected: connection refused", PsGetCurrentProcessId());
    free_slot(connection->slot);
    delete connection;
    return admitted;
  }
  if (claimed) {
    InterlockedExchange64(&g_clients.watcher_process_id, static_cast<LONG64>(process_id));
    sender::wake();  // deliver what is queued, and the gap of what was dropped meanwhile
  }
  FB_TRACE("%s connected from process %p (protocol %u)", role_text(hello.role),
           PsGetCurrentProcessId(), static_cast<unsigned>(hello.version));
  *cookie = connection;
  return STATUS_SUCCESS;
}

void on_disconnect(void* cookie) {
  auto* connection = static_cast<Connection*>(cookie);
  if (connection == nullptr) return;
  if (connection->role == proto::HelloRole::kWatcher)
    InterlockedExchange64(&g_clients.watcher_process_id, 0);
  port::close_client(&connection->client);
  free_slot(connection->slot);
  FB_TRACE("%s of process %p disconnected", role_text(connection->role),
           reinterpret_cast<PVOID>(connection->process_id));
  delete connection;
}

NTSTATUS on_message(void* cookie, const Request& request, ULONG* bytes_written) {
  *bytes_written = 0;
  const auto* connection = static_cast<const Connection*>(cookie);
  if (connection == nullptr) return STATUS_INVALID_DEVICE_STATE;
  DriverRequestHost driver;
  const proto::RequestOutcome outcome = proto::answer_request(
      connection->role, request.input, request.input_length, request.output, request.output_capacity, driver);
  if (outcome.answered == proto::MessageType::kErrorReply)
    FB_TRACE("request from process %p refused: 0x%08lx", reinterpret_cast<PVOID>(connection->process_id),
             static_cast<ULONG>(outcome.reply_status));
  if (!fb::nt_success(outcome.status)) return outcome.status;
  *bytes_written = outcome.bytes;
  return STATUS_SUCCESS;
}

}  // namespace fbk::protocol

namespace fbk::runtime {

bool is_monitor_process(uint64_t process_id) {
  if (process_id == 0) return false;
  for (uint32_t i = 0; i < static_cast<uint32_t>(port::kMaxConnections); ++i)
    if (static_cast<uint64_t>(protocol::g_clients.process_ids[i]) == process_id) return true;
  return false;
}

uint64_t monitor_process_id() { return static_cast<uint64_t>(protocol::g_clients.watcher_process_id); }

}  // namespace fbk::runtime
