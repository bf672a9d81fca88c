#include "monitor/win/port.h"

#include <fltuser.h>

#include "monitor/lib/driver_messages.h"

namespace fbmon {

HRESULT Port::connect(fb::proto::HelloRole role) {
  const std::vector<uint8_t> hello = hello_context(role);
  HANDLE raw = nullptr;
  const HRESULT hr = FilterConnectCommunicationPort(wide_ptr(fb::proto::kPortName), 0, hello.data(),
                                                    static_cast<WORD>(hello.size()), nullptr, &raw);
  if (SUCCEEDED(hr)) port_.reset(raw);
  return hr;
}

HRESULT Port::send(const std::vector<uint8_t>& request, std::vector<uint8_t>& reply) {
  reply.assign(fb::proto::kMaxReplyBytes, 0);
  DWORD returned = 0;
  const HRESULT hr = FilterSendMessage(port_.get(), const_cast<uint8_t*>(request.data()),
                                       static_cast<DWORD>(request.size()), reply.data(),
                                       static_cast<DWORD>(reply.size()), &returned);
  reply.resize(SUCCEEDED(hr) ? returned : 0);
  return hr;
}

namespace {

// Connects as a version probe (always accepted) and asks for the driver's version; 0 if that
// fails too.
uint16_t probe_driver_version() {
  Port probe;
  if (FAILED(probe.connect(fb::proto::HelloRole::kVersionProbe))) return 0;
  fb::proto::Hello hello;
  hello.role = fb::proto::HelloRole::kVersionProbe;
  std::vector<uint8_t> request(fb::proto::kHelloBytes), reply;
  fb::proto::encode_hello(hello, request.data(), request.size());
  if (FAILED(probe.send(request, reply))) return 0;
  return read_probe_reply(reply.data(), reply.size());
}

}  // namespace

ErrorInfo port_error(HRESULT hr) {
  ErrorInfo e;
  e.code = static_cast<uint32_t>(hr);
  e.code_kind = CodeKind::kHresult;
  e.failure = classify_port_hresult(e.code, is_elevated());
  if (e.failure == Failure::kProtocolMismatch) {
    e.our_protocol = fb::proto::kProtocolVersion;
    e.driver_protocol = probe_driver_version();
  }
  return e;
}

bool control_request(const std::vector<uint8_t>& request, std::vector<uint8_t>& reply, ErrorInfo& error) {
  Port port;
  HRESULT hr = port.connect(fb::proto::HelloRole::kControl);
  if (SUCCEEDED(hr)) hr = port.send(request, reply);
  if (FAILED(hr)) {
    error = port_error(hr);
    return false;
  }
  return true;
}

}  // namespace fbmon
