#include "driver/runtime/port.h"

#include "driver/registration.h"
#include "driver/nt/pool.h"
#include "driver/nt/raii.h"
#include "common/protocol/protocol.h"
#include "driver/runtime/port_protocol.h"
#include "driver/nt/trace.h"
#include "driver/nt/user_memory.h"

namespace fbk::port {
namespace {

struct PortState {
  PFLT_PORT server = nullptr;
  // The watcher's client port, and THE variable FltSendMessage is given and FltCloseClientPort
  // closes: Filter Manager synchronises a send with the close through it (FltCloseClientPort
  // sets it to NULL, after which FltSendMessage fails with STATUS_PORT_DISCONNECTED, and does
  // not free the port under a send that already took it). So senders take no lock of ours, and
  // connects and disconnects never queue behind a send waiting up to its timeout.
  PFLT_PORT watcher = nullptr;
  // Serialises claim_watcher with close_client (connect with disconnect), so a new watcher is
  // published only once the previous one's close has set `watcher` to NULL. Senders never take it.
  PushLock lock;
};

PortState g_port;

PFLT_PORT current_watcher() {
  return static_cast<PFLT_PORT>(InterlockedCompareExchangePointer(
      reinterpret_cast<PVOID volatile*>(&g_port.watcher), nullptr, nullptr));
}

// UNICODE_STRING wants a writable buffer pointer; the object manager only reads it.
static_assert(sizeof(WCHAR) == sizeof(char16_t), "UTF-16 units");

NTSTATUS FLTAPI on_connect(PFLT_PORT client_port, PVOID /*server_cookie*/, PVOID context,
                           ULONG context_size, PVOID* connection_cookie) {
  *connection_cookie = nullptr;
  const NTSTATUS status =
      protocol::on_connect(client_port, context, context_size, connection_cookie);
  if (!NT_SUCCESS(status)) {
    // Filter Manager closes client_port itself when the callback fails.
    FB_TRACE_WARNING("connection from process %p refused: 0x%08lx", PsGetCurrentProcessId(),
                     static_cast<ULONG>(status));
    *connection_cookie = nullptr;
    return status;
  }
  return STATUS_SUCCESS;
}

// The protocol layer closes the client port (close_client) and frees its cookie.
VOID FLTAPI on_disconnect(PVOID connection_cookie) { protocol::on_disconnect(connection_cookie); }

// Copies the caller's request into pool memory, lets the protocol answer into pool memory,
// and copies the answer back. Both copies are fault-safe (driver/nt/user_memory.h); Filter Manager does
// not capture FilterSendMessage buffers.
NTSTATUS FLTAPI on_message(PVOID connection_cookie, PVOID input, ULONG input_length,
                           PVOID output, ULONG output_length, PULONG bytes_returned) {
  *bytes_returned = 0;
  if (input_length > kMaxMessageBytes || output_length > kMaxMessageBytes)
    return STATUS_INVALID_BUFFER_SIZE;
  const bool from_user = ExGetPreviousMode() == UserMode;

  PoolBuffer buffer;  // request, then reply space
  if (!buffer.allocate(static_cast<size_t>(input_length) + output_length, pool::kPort))
    return STATUS_INSUFFICIENT_RESOURCES;
  unsigned char* request_copy = buffer.data();
  unsigned char* reply = buffer.data() + input_length;

  NTSTATUS status = from_user ? user_memory::read(request_copy, input, input_length)
                              : (RtlCopyMemory(request_copy, input, input_length), STATUS_SUCCESS);
  if (!NT_SUCCESS(status)) return status;

  ULONG written = 0;
  status = protocol::on_message(connection_cookie, {request_copy, input_length, reply, output_length},
                                &written);
  if (written > output_length) written = 0;  // a protocol bug must not leak pool to the caller
  if (written != 0) {
    const NTSTATUS copied = from_user ? user_memory::write(output, reply, written)
                                      : (RtlCopyMemory(output, reply, written), STATUS_SUCCESS);
    if (!NT_SUCCESS(copied)) return copied;
  }
  *bytes_returned = written;
  return status;
}

}  // namespace

NTSTATUS open(PFLT_FILTER filter) {
  g_port.lock.initialize();
  auto destroy_lock = on_scope_exit([] { g_port.lock.destroy(); });

  // Administrators and SYSTEM only: the port will let its client restore files and read
  // paths of every backed-up file on the machine.
  SecurityDescriptor security;
  NTSTATUS status = FltBuildDefaultSecurityDescriptor(security.put(), FLT_PORT_ALL_ACCESS);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("FltBuildDefaultSecurityDescriptor failed: 0x%08lx", static_cast<ULONG>(status));
    return status;
  }

  UNICODE_STRING name;
  name.Buffer = const_cast<PWCH>(reinterpret_cast<PCWCH>(fb::proto::kPortName));
  name.Length = static_cast<USHORT>(fb::proto::kPortNameUnits * sizeof(WCHAR));
  name.MaximumLength = static_cast<USHORT>(name.Length + sizeof(WCHAR));
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,
                             nullptr, security.get());
  status = FltCreateCommunicationPort(filter, &g_port.server, &attributes, nullptr, on_connect,
                                      on_disconnect, on_message, kMaxConnections);
  if (!NT_SUCCESS(status)) {
    g_port.server = nullptr;
    FB_TRACE_ERROR("FltCreateCommunicationPort(%wZ) failed: 0x%08lx", &name,
                   static_cast<ULONG>(status));
    return status;
  }
  destroy_lock.dismiss();
  FB_TRACE_INFO("port %wZ open", &name);
  return STATUS_SUCCESS;
}

void close() {
  if (g_port.server == nullptr) return;
  FltCloseCommunicationPort(g_port.server);
  g_port.server = nullptr;
  // The lock stays initialized: a client disconnect may still run until FltUnregisterFilter
  // returns. FltDeletePushLock is a no-op on current Windows, so nothing leaks.
}

bool claim_watcher(PFLT_PORT client) {
  ExclusiveLock hold(g_port.lock);
  // Interlocked: senders read the variable without our lock.
  return InterlockedCompareExchangePointer(reinterpret_cast<PVOID volatile*>(&g_port.watcher), client,
                                           nullptr) == nullptr;
}

void close_client(PFLT_PORT* client) {
  ExclusiveLock hold(g_port.lock);
  if (*client != nullptr && *client == g_port.watcher) {
    // Through the variable senders use, so Filter Manager synchronises the close with them.
    FltCloseClientPort(g_driver.filter, &g_port.watcher);  // sets g_port.watcher to nullptr
    *client = nullptr;
    return;
  }
  FltCloseClientPort(g_driver.filter, client);  // sets *client to nullptr
}

NTSTATUS send(PVOID message, ULONG message_size, PVOID reply, PULONG reply_size,
              PLARGE_INTEGER timeout) {
  // A cheap early answer only: a close between this check and the send is Filter Manager's
  // to synchronise (see PortState::watcher), and the send then fails with
  // STATUS_PORT_DISCONNECTED as well.
  if (current_watcher() == nullptr) return STATUS_PORT_DISCONNECTED;
  return FltSendMessage(g_driver.filter, &g_port.watcher, message, message_size, reply,
                        reply_size, timeout);
}

bool has_watcher() { return current_watcher() != nullptr; }

}  // namespace fbk::port
