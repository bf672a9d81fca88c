// Placeholder protocol until the wire protocol (common/protocol*.h) is wired in: accepts the
// connection so fbmon can see the driver is there, and answers every message with
// STATUS_INVALID_DEVICE_REQUEST.
#include "port_protocol.h"

#include "trace.h"

namespace fbk::protocol {

NTSTATUS on_connect(const void*, ULONG context_size) {
  FB_TRACE("client connected with a %lu-byte context", context_size);
  return STATUS_SUCCESS;
}

void on_disconnect() {}

NTSTATUS on_message(const Request& request, ULONG* bytes_written) {
  *bytes_written = 0;
  FB_TRACE("message of %lu bytes refused: no protocol yet", request.input_length);
  return STATUS_INVALID_DEVICE_REQUEST;
}

}  // namespace fbk::protocol
