// The protocol layer's hooks into the communication port (port.cpp calls them).
//
// port.cpp does the Filter Manager bookkeeping; these functions decide what a connection and
// a message mean. They run at PASSIVE_LEVEL in the context of the fbmon thread that called
// FilterConnectCommunicationPort / FilterSendMessage / CloseHandle.
#pragma once

#include "flt_kernel.h"

namespace fbk::protocol {

// What FilterSendMessage passed. When requestor_mode is UserMode, input and output are
// user-mode addresses that Filter Manager has NOT captured: another thread of the caller can
// unmap them at any moment. GCC has no __try/__except, so never dereference them directly:
// copy them in and out through a fault-safe helper (to be provided with the protocol; for
// reads, MmCopyMemory after checking the range is below MmUserProbeAddress).
struct Request {
  const void* input;
  ULONG input_length;
  void* output;
  ULONG output_length;
  KPROCESSOR_MODE requestor_mode;
};

// A client connected; context is the connection context fbmon passed (captured by Filter
// Manager into kernel memory, so it is safe to read). A failure status refuses the connection.
NTSTATUS on_connect(const void* context, ULONG context_size);

// The connected client went away (closed its handle, exited, or the filter is unloading).
void on_disconnect();

// One FilterSendMessage. *bytes_returned is what was written to request.output.
NTSTATUS on_message(const Request& request, ULONG* bytes_returned);

}  // namespace fbk::protocol
