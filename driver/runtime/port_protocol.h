// The protocol layer's hooks into the communication port (port.cpp calls them).
//
// port.cpp does the Filter Manager bookkeeping; these functions decide what a connection and
// a message mean. They run at PASSIVE_LEVEL in the context of the fbmon thread that called
// FilterConnectCommunicationPort / FilterSendMessage / CloseHandle.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk::protocol {

// One FilterSendMessage, already copied into kernel memory by port.cpp: the protocol layer
// never touches the caller's (user-mode, uncaptured) buffers. `output` has room for
// `output_capacity` bytes (what the caller offered, up to port::kMaxMessageBytes); what the
// protocol writes there is copied back to the caller.
struct Request {
  const void* input;
  ULONG input_length;
  void* output;
  ULONG output_capacity;
};

// A client connected. context is the hello fbmon passed as connection context (captured by
// Filter Manager into kernel memory, so it is safe to read). On success *cookie is this
// connection's state, handed back to on_disconnect and on_message. A failure status refuses
// the connection: STATUS_REVISION_MISMATCH (fb::proto::kVersionMismatchStatus) for another
// protocol version, fb::proto::kWatcherBusyStatus (STATUS_CONNECTION_COUNT_LIMIT) for a second
// watcher (fb::proto::admission_status), STATUS_INVALID_PARAMETER
// for a context that is not a hello.
NTSTATUS on_connect(PFLT_PORT client_port, const void* context, ULONG context_size, void** cookie);

// The client went away (closed its handle, exited, or the filter is unloading): closes its
// client port and frees the cookie.
void on_disconnect(void* cookie);

// One FilterSendMessage from the client `cookie`. *bytes_written (<= output_capacity) is what
// the reply holds.
NTSTATUS on_message(void* cookie, const Request& request, ULONG* bytes_written);

// runtime::monitor_process_id and runtime::is_monitor_process (driver/runtime/engine_seam.h) are implemented in
// driver/runtime/port_protocol.cpp: the connections know the processes.

}  // namespace fbk::protocol
