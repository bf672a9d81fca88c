// What connections and messages on \FileBackupPort mean (common/protocol.h is the format).
//
// Connections: the connection context is a hello naming a role. One watcher (receives events
// from the sender thread), any number of control clients (statistics, reload) and version
// probes (may only ask for the driver's version, so a mismatched fbmon can say "driver speaks
// protocol N, this fbmon speaks M"). Each connection gets a cookie (its Connection, nonpaged)
// allocated here at connect and freed at disconnect, after its client port is closed.
//
// Messages: port.cpp has already copied the request into kernel memory; every request is
// decoded with the common/ validators and answered with its reply, or with an error reply
// (status + the decode error) for a malformed, unknown or not-allowed request. The callback
// returns STATUS_SUCCESS whenever a reply was written, so fbmon always gets a reason.
#include "port_protocol.h"

#include "config_current.h"
#include "engine_host.h"
#include "event_pipeline.h"
#include "kernel_new.h"
#include "port.h"
#include "protocol.h"
#include "sender_thread.h"
#include "trace.h"

namespace fbk::protocol {
namespace {

namespace proto = fb::proto;

struct Connection {
  PFLT_PORT client;
  proto::HelloRole role;
  uint16_t version;
  uint64_t process_id;
  uint32_t slot;  // index in g_clients.process_ids
};

// Process ids of connected clients, one slot per possible connection; 0 = free. Read at any
// IRQL by is_client_process (the engine asks on the I/O path), so plain interlocked words.
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

// The request type as received, for error replies (0 when not even the header is there).
uint16_t raw_type(const Request& request) {
  if (request.input_length < 8) return 0;
  const auto* bytes = static_cast<const uint8_t*>(request.input);
  return static_cast<uint16_t>(bytes[6] | bytes[7] << 8);
}

// Writes the encoded reply or says why it could not.
NTSTATUS finish(const proto::EncodeResult& encoded, ULONG* bytes_written) {
  if (encoded.error == proto::Error::kOutputTooSmall) {
    FB_TRACE("reply of %lu bytes does not fit the caller's buffer", static_cast<ULONG>(encoded.size));
    return STATUS_BUFFER_TOO_SMALL;
  }
  if (encoded.error != proto::Error::kOk) {
    FB_TRACE_ERROR("reply encoding failed: %s", proto::error_text(encoded.error));
    return STATUS_INTERNAL_ERROR;
  }
  *bytes_written = encoded.size;
  return STATUS_SUCCESS;
}

NTSTATUS refuse(const Request& request, NTSTATUS status, proto::Error why, ULONG* bytes_written) {
  proto::ErrorReply reply;
  reply.status = status;
  reply.request_type = raw_type(request);
  reply.decode_error = why;
  FB_TRACE("request type 0x%04x refused: 0x%08lx (%s)", reply.request_type,
           static_cast<ULONG>(status), proto::error_text(why));
  return finish(proto::encode_error_reply(reply, request.output, request.output_capacity), bytes_written);
}

NTSTATUS answer_hello(const Request& request, ULONG* bytes_written) {
  proto::Hello hello;
  const proto::Error error = proto::decode_hello(request.input, request.input_length, &hello);
  if (error != proto::Error::kOk) return refuse(request, STATUS_INVALID_PARAMETER, error, bytes_written);
  proto::HelloReply reply;
  reply.status = hello.version == proto::kProtocolVersion ? fb::nt::kSuccess : proto::kVersionMismatchStatus;
  reply.driver_version = proto::kProtocolVersion;
  return finish(proto::encode_hello_reply(reply, request.output, request.output_capacity), bytes_written);
}

NTSTATUS answer_stats(const Request& request, ULONG* bytes_written) {
  const proto::Error error = proto::decode_get_stats(request.input, request.input_length);
  if (error != proto::Error::kOk) return refuse(request, STATUS_INVALID_PARAMETER, error, bytes_written);
  proto::StatsReply reply;
  host::engine_fill_statistics(&reply.stats);
  const fb::QueueCounters queue = events::counters();
  reply.stats.events_dropped = queue.dropped();
  reply.stats.queue_high_water = queue.high_water_events;
  reply.stats.queue_high_water_bytes = queue.high_water_bytes;
  reply.stats.queue_capacity_bytes = queue.capacity_bytes;
  reply.stats.rules_loaded = config::rules_loaded();
  return finish(proto::encode_stats_reply(reply, request.output, request.output_capacity), bytes_written);
}

NTSTATUS answer_reload(const Request& request, ULONG* bytes_written) {
  const proto::Error error = proto::decode_reload_config(request.input, request.input_length);
  if (error != proto::Error::kOk) return refuse(request, STATUS_INVALID_PARAMETER, error, bytes_written);
  proto::ReloadConfigReply reply;
  reply.status = config::reload(&reply.rules_loaded);
  FB_TRACE("configuration reload requested by process %p: 0x%08lx, %lu rules",
           PsGetCurrentProcessId(), static_cast<ULONG>(reply.status), static_cast<ULONG>(reply.rules_loaded));
  return finish(proto::encode_reload_config_reply(reply, request.output, request.output_capacity),
                bytes_written);
}

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
  // The watcher last: nothing after it can fail, so there is no claim to undo.
  if (hello.role == proto::HelloRole::kWatcher) {
    if (!port::claim_watcher(client_port)) {
      FB_TRACE_WARNING("process %p: a watcher is already connected: connection refused",
                       PsGetCurrentProcessId());
      free_slot(connection->slot);
      delete connection;
      return STATUS_CONNECTION_COUNT_LIMIT;
    }
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

  proto::Header header;
  const proto::Error error = proto::decode_header(request.input, request.input_length, &header);
  if (error != proto::Error::kOk) {
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    if (error == proto::Error::kUnknownType) status = STATUS_INVALID_DEVICE_REQUEST;
    if (error == proto::Error::kUnsupportedVersion) status = proto::kVersionMismatchStatus;
    return refuse(request, status, error, bytes_written);
  }
  if (connection->role == proto::HelloRole::kVersionProbe && header.type != proto::MessageType::kHello)
    return refuse(request, STATUS_ACCESS_DENIED, proto::Error::kUnexpectedType, bytes_written);

  switch (header.type) {
    case proto::MessageType::kHello: return answer_hello(request, bytes_written);
    case proto::MessageType::kGetStats: return answer_stats(request, bytes_written);
    case proto::MessageType::kReloadConfig: return answer_reload(request, bytes_written);
    default:  // events, gaps and replies travel the other way
      return refuse(request, STATUS_INVALID_DEVICE_REQUEST, proto::Error::kUnexpectedType, bytes_written);
  }
}

}  // namespace fbk::protocol

namespace fbk::host {

bool is_monitor_process(uint64_t process_id) {
  if (process_id == 0) return false;
  for (uint32_t i = 0; i < static_cast<uint32_t>(port::kMaxConnections); ++i)
    if (static_cast<uint64_t>(protocol::g_clients.process_ids[i]) == process_id) return true;
  return false;
}

uint64_t monitor_process_id() { return static_cast<uint64_t>(protocol::g_clients.watcher_process_id); }

}  // namespace fbk::host
