// The client end of \FileBackupPort: connect with a hello, send requests, and turn any
// failure into the one-line error (with the version probe on a protocol mismatch).
#pragma once

#include <windows.h>

#include <stdint.h>

#include <vector>

#include "monitor/lib/errors.h"
#include "common/protocol/protocol.h"
#include "monitor/win/win_util.h"

namespace fbmon {

class Port {
 public:
  // FilterConnectCommunicationPort with the hello as connection context. The handle is
  // overlapped (the default), so a watcher can cancel a pending FilterGetMessage.
  HRESULT connect(fb::proto::HelloRole role);
  // FilterSendMessage; `reply` is resized to what came back.
  HRESULT send(const std::vector<uint8_t>& request, std::vector<uint8_t>& reply);
  HANDLE handle() const { return port_.get(); }
  void close() { port_.reset(); }

 private:
  UniqueHandle port_;
};

// The error line's data for a failed connect or send, asking the driver its protocol version
// (as a version probe) when it refused ours.
ErrorInfo port_error(HRESULT hr);

// Connects as a control client and sends one request; on failure fills `error`.
bool control_request(const std::vector<uint8_t>& request, std::vector<uint8_t>& reply, ErrorInfo& error);

}  // namespace fbmon
