// Communication ports of the simulated Filter Manager (docs: FltCreateCommunicationPort,
// FltSendMessage, FltCloseClientPort, FltCloseCommunicationPort; user mode:
// FilterConnectCommunicationPort, FilterGetMessage, FilterSendMessage). Private to
// tests/kernel/fltmgr/; tests use port_client.h.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "tests/kernel/fltmgr/filter_manager.h"

namespace ksim::flt {

struct ServerPort {
  ObjectHeader header{ObjectKind::kServerPort};
  Filter* filter = nullptr;
  Name name;
  void* cookie = nullptr;
  ConnectNotify connect = nullptr;
  DisconnectNotify disconnect = nullptr;
  MessageNotify message = nullptr;
  LONG max_connections = 0;
  bool admin_only = false;  // its security descriptor came from FltBuildDefaultSecurityDescriptor
  bool closed = false;
  int connections = 0;
};

struct PendingMessage {
  std::vector<uint8_t> bytes;  // FILTER_MESSAGE_HEADER + the filter's message
  bool taken = false;
};

struct ClientPort {
  ObjectHeader header{ObjectKind::kClientPort};
  ServerPort* server = nullptr;
  void* cookie = nullptr;         // ConnectionPortCookie
  uint64_t process_id = 0;
  bool closed_by_filter = false;  // FltCloseClientPort ran (or the connect was refused)
  bool client_closed = false;     // the user-mode handle is closed
  uint64_t next_message_id = 1;
  std::deque<std::shared_ptr<PendingMessage>> pending;
};

}  // namespace ksim::flt
