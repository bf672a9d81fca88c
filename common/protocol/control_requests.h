// The driver's answers to client requests (FilterSendMessage on \FileBackupPort), portable so
// that every decision is tested natively; driver/runtime/port_protocol.cpp only copies buffers and
// calls answer_request.
//
// Rules:
//   - every request is checked with the protocol decoders (common/protocol/protocol.h) before it is acted on;
//   - a request that does not decode, or that the connection's role may not send, or whose
//     type is unknown or travels the other way (events, gaps, replies), gets an ErrorReply
//     with a status and the decode error, never silence:
//       malformed                -> STATUS_INVALID_PARAMETER
//       other protocol version   -> STATUS_REVISION_MISMATCH (kVersionMismatchStatus)
//       unknown / wrong direction-> STATUS_INVALID_DEVICE_REQUEST
//       version probe asking for anything but a hello -> STATUS_ACCESS_DENIED
//   - hello: answered with the driver's version (status kVersionMismatchStatus if the hello's
//     version differs, so a version probe learns both numbers);
//   - get statistics: what the host fills in;
//   - reload: the host's reload status and the rules now loaded;
//   - get status (protocol 2): what the host fills in (build version, watcher).
// The result is kSuccess with the reply's size whenever a reply was written, kBufferTooSmall
// when the caller's output cannot hold it (nothing written).
#pragma once

#include "common/base/fb_base.h"
#include "common/protocol/protocol.h"
#include "common/protocol/stats.h"

namespace fb {
namespace proto {

// What the driver does for the requests that need it.
class RequestHost {
 public:
  virtual void fill_statistics(Statistics* out) = 0;
  // Re-reads the configuration; *rules_loaded: rules in force afterwards (old ones on failure).
  virtual NtStatus reload(uint32_t* rules_loaded) = 0;
  // The driver's build version and whether a watcher is connected (fbmon status).
  virtual void fill_status(DriverStatus* out) = 0;

 protected:
  RequestHost() = default;
  ~RequestHost() = default;
};

struct RequestOutcome {
  NtStatus status = nt::kSuccess;  // kSuccess: a reply of `bytes` is in the output
  uint32_t bytes = 0;
  MessageType answered = MessageType::kErrorReply;  // which reply was written
  NtStatus reply_status = nt::kSuccess;             // the status the reply carries
};

RequestOutcome answer_request(HelloRole role, const void* request, uint32_t request_bytes, void* reply,
                              uint32_t reply_capacity, RequestHost& host);

}  // namespace proto
}  // namespace fb
