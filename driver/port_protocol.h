// The protocol layer's hooks into the communication port (port.cpp calls them).
//
// port.cpp does the Filter Manager bookkeeping; these functions decide what a connection and
// a message mean. They run at PASSIVE_LEVEL in the context of the fbmon thread that called
// FilterConnectCommunicationPort / FilterSendMessage / CloseHandle.
#pragma once

#include "flt_kernel.h"

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

// A client connected; context is the connection context fbmon passed (captured by Filter
// Manager into kernel memory, so it is safe to read). A failure status refuses the connection.
NTSTATUS on_connect(const void* context, ULONG context_size);

// The connected client went away (closed its handle, exited, or the filter is unloading).
void on_disconnect();

// One FilterSendMessage. *bytes_written (<= output_capacity) is what the reply holds.
NTSTATUS on_message(const Request& request, ULONG* bytes_written);

}  // namespace fbk::protocol
