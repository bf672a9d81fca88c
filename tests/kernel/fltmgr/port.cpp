// Communication ports: the filter's side (FltCreateCommunicationPort, FltSendMessage,
// FltCloseClientPort, FltCloseCommunicationPort) and the user-mode client's
// (FilterConnectCommunicationPort, FilterGetMessage, FilterSendMessage, CloseHandle).
//   - A connection runs ConnectNotify in the client's process at PASSIVE_LEVEL with a kernel copy
//     of the connection context; a failure closes the client port (Filter Manager does it).
//   - A port whose security descriptor came from FltBuildDefaultSecurityDescriptor admits SYSTEM
//     and Administrators only: another client gets STATUS_ACCESS_DENIED before any callback.
//   - FltSendMessage without a reply returns once the client has taken the message with
//     FilterGetMessage; STATUS_TIMEOUT when the timeout passes first; STATUS_PORT_DISCONNECTED
//     when the port is or gets closed (FltCloseClientPort sets the caller's variable to NULL and
//     is synchronised with a send that already took the port).
//   - The client closing its handle runs DisconnectNotify, which must call FltCloseClientPort.
//   - FltUnregisterFilter disconnects every client of the filter's ports the same way.
#include <chrono>

#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/ports.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::flt {
namespace {

ClientPort* client_of(PFLT_PORT port) {
  auto* c = reinterpret_cast<ClientPort*>(port);
  return c != nullptr && c->header.magic == kObjectMagic && c->header.kind == ObjectKind::kClientPort ? c : nullptr;
}

}  // namespace

NTSTATUS FilterManager::create_port(Filter* filter, PFLT_PORT* out, const ObjectAttributes* attributes, void* cookie,
                                    ConnectNotify connect, DisconnectNotify disconnect, MessageNotify message,
                                    LONG max) {
  check_irql("FltCreateCommunicationPort", kPassiveLevel);
  if (out == nullptr || attributes == nullptr || attributes->ObjectName == nullptr || connect == nullptr ||
      disconnect == nullptr || max <= 0)
    return status::kInvalidParameter;
  *out = nullptr;
  if (filter == nullptr || filter != filter_) return status::kInvalidParameter;
  const UNICODE_STRING* n = attributes->ObjectName;
  const Name name(reinterpret_cast<const char16_t*>(n->Buffer), n->Length / 2);
  const bool admin = attributes->SecurityDescriptor != nullptr && admin_only(attributes->SecurityDescriptor);
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& p : ports_)
    if (!p->closed && fbmodel::fold(p->name) == fbmodel::fold(name)) return status::kObjectNameCollision;
  auto port = std::make_unique<ServerPort>();
  port->filter = filter;
  port->name = name;
  port->cookie = cookie;
  port->connect = connect;
  port->disconnect = disconnect;
  port->message = message;
  port->max_connections = max;
  port->admin_only = admin;
  *out = reinterpret_cast<PFLT_PORT>(port.get());
  ports_.push_back(std::move(port));
  return status::kSuccess;
}

void FilterManager::close_port(PFLT_PORT port) {
  check_irql("FltCloseCommunicationPort", kPassiveLevel);
  auto* p = reinterpret_cast<ServerPort*>(port);
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& owned : ports_)
    if (owned.get() == p) {
      if (p->closed) verifier::violation(verifier::kParameter, "FltCloseCommunicationPort twice");
      p->closed = true;  // no new connection; the connected clients stay
      return;
    }
  verifier::violation(verifier::kParameter, "FltCloseCommunicationPort of something that is no server port");
}

void FilterManager::close_client_port(Filter* filter, PFLT_PORT* client) {
  check_irql("FltCloseClientPort", kPassiveLevel);
  (void)filter;
  std::lock_guard<std::mutex> g(mu_);
  if (client == nullptr || *client == nullptr) return;
  ClientPort* c = client_of(*client);
  if (c == nullptr) {
    verifier::violation(verifier::kParameter, "FltCloseClientPort of something that is no client port");
    return;
  }
  if (!c->closed_by_filter) {
    c->closed_by_filter = true;
    --c->server->connections;
  }
  *client = nullptr;
  port_cv_.notify_all();
}

NTSTATUS FilterManager::send_message(Filter* filter, PFLT_PORT* client, const void* buffer, ULONG length, void* reply,
                                     ULONG* reply_length, const LARGE_INTEGER* timeout) {
  check_irql("FltSendMessage", kApcLevel);
  (void)filter;
  if (client == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (reply != nullptr || reply_length != nullptr) return status::kNotSupported;  // the image never asks for one
  if (faults::should_fail(faults::Kind::kSend)) return status::kInsufficientResources;
  std::unique_lock<std::mutex> g(mu_);
  ClientPort* c = client_of(*client);  // read under the lock FltCloseClientPort takes
  if (c == nullptr || c->closed_by_filter || c->client_closed) return status::kPortDisconnected;
  auto message = std::make_shared<PendingMessage>();
  FilterMessageHeader header{0, c->next_message_id++};
  message->bytes.resize(sizeof header + length);
  std::memcpy(message->bytes.data(), &header, sizeof header);
  std::memcpy(message->bytes.data() + sizeof header, buffer, length);
  c->pending.push_back(message);
  port_cv_.notify_all();
  const auto done = [&] { return message->taken || c->closed_by_filter || c->client_closed; };
  if (timeout == nullptr) {
    port_cv_.wait(g, done);
  } else {
    // Negative: relative, in 100 ns units. Positive (absolute system time): treated as "now".
    const int64_t q = timeout->QuadPart;
    const auto wait = std::chrono::microseconds(q < 0 ? (-q) / 10 : 0);
    port_cv_.wait_for(g, wait, done);
  }
  if (message->taken) {
    ++counters_.messages_sent;
    return status::kSuccess;
  }
  for (auto it = c->pending.begin(); it != c->pending.end(); ++it)
    if (*it == message) {
      c->pending.erase(it);
      break;
    }
  return c->closed_by_filter || c->client_closed ? status::kPortDisconnected : status::kTimeout;
}

// --- the client's side --------------------------------------------------------------------------

NTSTATUS FilterManager::client_connect(const Name& port_name, const void* context, ULONG size, uint64_t pid,
                                       bool administrator, ClientPort** out) {
  *out = nullptr;
  std::shared_ptr<ClientPort> c;
  ServerPort* server = nullptr;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& p : ports_)
      if (!p->closed && fbmodel::fold(p->name) == fbmodel::fold(port_name)) server = p.get();
    if (server == nullptr) return status::kObjectNameNotFound;
    if (server->admin_only && !administrator) return status::kAccessDenied;
    if (server->connections >= server->max_connections) return status::kConnectionCountLimit;
    c = std::make_shared<ClientPort>();
    c->server = server;
    c->process_id = pid;
    ++server->connections;
    clients_.push_back(c);
  }
  // Filter Manager hands the callback a kernel copy of the connection context.
  std::vector<uint8_t> copy(static_cast<const uint8_t*>(context), static_cast<const uint8_t*>(context) + size);
  void* cookie = nullptr;
  NTSTATUS s;
  {
    thread::Scope scope(kPassiveLevel, pid, 1);
    ksim::verifier::CallbackScope callback("ConnectNotifyCallback", reinterpret_cast<const void*>(server->connect));
    s = server->connect(reinterpret_cast<PFLT_PORT>(c.get()), server->cookie, copy.empty() ? nullptr : copy.data(),
                        size, &cookie);
  }
  std::lock_guard<std::mutex> g(mu_);
  if (s < 0) {
    if (!c->closed_by_filter) {
      c->closed_by_filter = true;
      --server->connections;
    }
    c->client_closed = true;
    return s;
  }
  c->cookie = cookie;
  *out = c.get();
  return s;
}

void FilterManager::client_close(ClientPort* c) {
  bool notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (c->client_closed) return;
    c->client_closed = true;
    notify = !c->closed_by_filter;
    port_cv_.notify_all();
  }
  if (!notify) return;
  {
    thread::Scope scope(kPassiveLevel, c->process_id, 0);
    ksim::verifier::CallbackScope callback("DisconnectNotifyCallback", reinterpret_cast<const void*>(c->server->disconnect));
    c->server->disconnect(c->cookie);
  }
  std::lock_guard<std::mutex> g(mu_);
  if (!c->closed_by_filter) {
    verifier::violation(verifier::kClientPort, "DisconnectNotify returned without FltCloseClientPort");
    c->closed_by_filter = true;
    --c->server->connections;
  }
}

void FilterManager::disconnect_clients(Filter* filter) {
  std::vector<ClientPort*> open;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& c : clients_)
      if (c->server->filter == filter && !c->client_closed && !c->closed_by_filter) open.push_back(c.get());
  }
  for (ClientPort* c : open) client_close(c);
}

NTSTATUS FilterManager::client_send(ClientPort* c, const void* input, ULONG input_length, void* output,
                                    ULONG output_length, ULONG* returned) {
  *returned = 0;
  MessageNotify message;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (c->closed_by_filter || c->client_closed) return status::kPortDisconnected;
    message = c->server->message;
  }
  if (message == nullptr) return status::kInvalidParameter;
  ULONG written = 0;
  NTSTATUS s;
  {
    thread::Scope scope(kPassiveLevel, c->process_id, 1);
    ksim::verifier::CallbackScope callback("MessageNotifyCallback", reinterpret_cast<const void*>(message));
    s = message(c->cookie, const_cast<void*>(input), input_length, output, output_length, &written);
  }
  if (written > output_length)
    verifier::violation(verifier::kReplyOverrun, std::to_string(written) + " bytes returned into " +
                                                     std::to_string(output_length));
  *returned = written;
  return s;
}

NTSTATUS FilterManager::client_get_message(ClientPort* c, std::vector<uint8_t>* out, int timeout_ms) {
  std::unique_lock<std::mutex> g(mu_);
  const auto ready = [&] { return !c->pending.empty() || c->closed_by_filter || c->client_closed; };
  if (timeout_ms < 0)
    port_cv_.wait(g, ready);
  else
    port_cv_.wait_for(g, std::chrono::milliseconds(timeout_ms), ready);
  if (c->pending.empty()) return c->closed_by_filter || c->client_closed ? status::kPortDisconnected : status::kTimeout;
  std::shared_ptr<PendingMessage> m = c->pending.front();
  c->pending.pop_front();
  m->taken = true;
  *out = m->bytes;
  port_cv_.notify_all();
  return status::kSuccess;
}

size_t FilterManager::open_ports() const {
  std::lock_guard<std::mutex> g(mu_);
  size_t n = 0;
  for (const auto& p : ports_)
    if (!p->closed) ++n;
  return n;
}

size_t FilterManager::connected_clients() const {
  std::lock_guard<std::mutex> g(mu_);
  size_t n = 0;
  for (const auto& c : clients_)
    if (!c->closed_by_filter) ++n;
  return n;
}

}  // namespace ksim::flt
