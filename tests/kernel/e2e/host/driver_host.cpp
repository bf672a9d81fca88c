// fb_e2e_host: the shipped FileBackup.sys running under the host kernel, serving its
// \FileBackupPort to fbmon.exe under Wine through the test-only fltlib.dll
// (tests/wine/fltlib/fltlib_loopback.cpp, which documents the wire), and playing save stories
// on demand. Test-only; 127.0.0.1 only; bounded (8 connections, 1 MiB frames).
//
//   fb_e2e_host --port-file FILE      listens on an ephemeral loopback port, writes its number
//     [--bridge DIR]                  also serves the model bridge (model_bridge.h) at DIR: the
//                                     model's \Users\me\Documents, for fbmon's file I/O
//     [--bridge-process fbmon|application]  whom the bridge's requests come from: the newest
//                                     live port connection (fbmon; the default), or an ordinary
//                                     application (the bites twin: fbmon's writes get backed up)
//
// A connection whose first 8 bytes are "CONTROL\n" is the test script's: one command per
// line, one answer line each ("ok ..." or "error ..."):
//   story S1|S4|S5|fail|edit      a save story on the NTFS model (the driver sees it)
//   set NAME dword N | qword N | multi A;B;...   a Parameters value in the simulated registry
//                                 (what fbmon config wrote to Wine's registry, copied by the test)
//   unload | load                 fltmc unload / fltmc load (the model's files stay)
//   expect NAME STREAM|- TEXT     the model's Documents\NAME (stream, or - for the default
//                                 stream) holds exactly TEXT (the rest of the line; <missing>
//                                 for no such stream); "error ..." says what it holds
//   streams NAME                  "ok" and the named streams of Documents\NAME
//   bridge                        "ok" and whom the bridge attributed the requests that change
//                                 the model to: PID:COUNT ... (ModelBridge::mutations)
//   quit                          unload, report the leak checks, exit (1 if anything was found)
// Any other connection is a port client (one fbmon Filter* handle).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/engine/ops.h"
#if FB_E2E_BRIDGE
#include "tests/kernel/e2e/host/model_bridge.h"
#endif
#include "tests/kernel/e2e/image_host.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/nt/registry.h"
#include "tests/kernel/stories/image_driver.h"

namespace {

using fbmodel::Name;
using ksim::flt::FilterManager;
namespace access = fb::access;

constexpr int kMaxConnections = 8;
constexpr uint32_t kMaxFrame = 1u << 20;
constexpr uint8_t kConnect = 1, kSend = 2, kGet = 3, kReply = 4;
constexpr uint64_t kFirstClientProcess = 9000;  // fbmon's "process ids", one per connection
constexpr uint64_t kApplication = 4242;
// Whom the bridge's requests come from while no fbmon is connected: a Wine process that is no
// port client, an ordinary application to the driver.
constexpr uint64_t kUnconnectedWineProcess = 7000;

const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";

ksim::e2e::ImageHost* g_host = nullptr;
std::shared_mutex g_sim;  // shared: a call into the simulation; exclusive: unload/load
std::atomic<int> g_connections{0};
std::atomic<bool> g_quit{false};
std::atomic<uint64_t> g_next_process{kFirstClientProcess};
std::mutex g_log_mu;

// The process ids of the live port connections, oldest first: the bridge attributes its
// requests to the newest (model_bridge.h says why).
std::mutex g_processes_mu;
std::vector<uint64_t> g_live_processes;
bool g_bridge_as_application = false;

uint64_t bridge_requestor() {
  if (g_bridge_as_application) return kApplication;
  std::lock_guard<std::mutex> g(g_processes_mu);
  return g_live_processes.empty() ? kUnconnectedWineProcess : g_live_processes.back();
}

void log(const std::string& line) {
  std::lock_guard<std::mutex> g(g_log_mu);
  std::fprintf(stderr, "fb_e2e_host: %s\n", line.c_str());
}

bool recv_all(int fd, void* data, size_t size) {
  auto* p = static_cast<uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = recv(fd, p, size, 0);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool send_all(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool answer(int fd, int32_t status, const void* data, uint32_t size) {
  const uint32_t length = 8 + size;
  return send_all(fd, &length, 4) && send_all(fd, &status, 4) && send_all(fd, &size, 4) &&
         (size == 0 || send_all(fd, data, size));
}

// A port the filter closed: reset (not a graceful close) so the client's pending read fails.
void reset_connection(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

// --- one fbmon port handle -------------------------------------------------------------------------

class PortConnection {
 public:
  explicit PortConnection(int fd) : fd_(fd), process_(g_next_process++) {}

  void serve() {
    for (;;) {
      uint32_t length = 0;
      uint8_t kind = 0;
      if (!recv_all(fd_, &length, 4) || length == 0 || length > kMaxFrame || !recv_all(fd_, &kind, 1)) break;
      std::vector<uint8_t> payload(length - 1);
      if (!payload.empty() && !recv_all(fd_, payload.data(), payload.size())) break;
      if (!handle(kind, payload)) break;
    }
    close_client();
  }

 private:
  bool handle(uint8_t kind, const std::vector<uint8_t>& p) {
    if (kind == kConnect) return connect(p);
    if (client_ == nullptr && !connected_once_) return answer(fd_, ksim::flt::status::kInvalidParameter, nullptr, 0);
    if (kind == kSend) return send_request(p);
    if (kind == kGet) return get(p);
    if (kind == kReply) return answer(fd_, ksim::flt::status::kNotSupported, nullptr, 0);  // the driver never asks
    return false;
  }

  bool connect(const std::vector<uint8_t>& p) {
    uint32_t name_bytes = 0, context_bytes = 0;
    if (p.size() < 8) return false;
    std::memcpy(&name_bytes, p.data(), 4);
    if (name_bytes % 2 != 0 || 4 + name_bytes + 4 > p.size()) return false;
    std::memcpy(&context_bytes, p.data() + 4 + name_bytes, 4);
    if (8 + name_bytes + context_bytes != p.size()) return false;
    Name name(name_bytes / 2, u'\0');
    std::memcpy(name.data(), p.data() + 4, name_bytes);
    NTSTATUS s;
    {
      std::shared_lock<std::shared_mutex> g(g_sim);
      if (g_host == nullptr || !g_host->loaded()) {
        s = ksim::flt::status::kObjectNameNotFound;  // no driver, no port
      } else {
        s = FilterManager::get().client_connect(name, p.data() + 8 + name_bytes, context_bytes, process_,
                                                /*administrator=*/true, &client_);
      }
    }
    connected_once_ = s >= 0;
    if (s >= 0) {
      std::lock_guard<std::mutex> g(live_mu());
      live().insert(this);
      std::lock_guard<std::mutex> p(g_processes_mu);
      g_live_processes.push_back(process_);
    }
    log("connect from process " + std::to_string(process_) + ": status " + std::to_string(static_cast<uint32_t>(s)));
    return answer(fd_, s, nullptr, 0);
  }

  bool send_request(const std::vector<uint8_t>& p) {
    if (p.size() < 4) return false;
    uint32_t capacity = 0;
    std::memcpy(&capacity, p.data(), 4);
    if (capacity > kMaxFrame) return false;
    std::vector<uint8_t> reply(capacity);
    ULONG returned = 0;
    NTSTATUS s = ksim::flt::status::kPortDisconnected;
    {
      std::shared_lock<std::shared_mutex> g(g_sim);
      if (client_ != nullptr)
        s = FilterManager::get().client_send(client_, p.data() + 4, static_cast<ULONG>(p.size() - 4), reply.data(),
                                             capacity, &returned);
    }
    if (returned > capacity) returned = 0;
    return answer(fd_, s, reply.data(), s >= 0 ? returned : 0);
  }

  // One message per get; waits for it while watching the client's socket (fbmon closing the
  // handle, or cancelling and exiting) and the filter's side (a disconnect).
  bool get(const std::vector<uint8_t>& p) {
    if (p.size() != 4) return false;
    uint32_t capacity = 0;
    std::memcpy(&capacity, p.data(), 4);
    std::vector<uint8_t> message;
    for (;;) {
      NTSTATUS s = ksim::flt::status::kPortDisconnected;
      {
        std::shared_lock<std::shared_mutex> g(g_sim);
        if (client_ != nullptr) s = FilterManager::get().client_get_message(client_, &message, 100);
      }
      if (s == 0) break;
      if (s != ksim::flt::status::kTimeout) {
        log("port of process " + std::to_string(process_) + " disconnected by the filter");
        reset_connection(fd_);
        return false;
      }
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 0) > 0) {  // the client went away (or, against the wire, sent more)
        char c;
        if (recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) return false;
      }
    }
    if (message.size() > capacity) message.resize(capacity);
    return send_all(fd_, message.data(), message.size());
  }

  void close_client() {
    {
      std::lock_guard<std::mutex> g(live_mu());
      live().erase(this);
      std::lock_guard<std::mutex> p(g_processes_mu);
      for (auto it = g_live_processes.begin(); it != g_live_processes.end(); ++it)
        if (*it == process_) {
          g_live_processes.erase(it);
          break;
        }
    }
    std::shared_lock<std::shared_mutex> g(g_sim);
    if (client_ != nullptr) FilterManager::get().client_close(client_);
    client_ = nullptr;
  }

 public:
  // The simulation forgets its ports at a load: connections still attached lose their client.
  static void forget_all_clients() {
    std::lock_guard<std::mutex> g(live_mu());
    for (PortConnection* c : live()) c->client_ = nullptr;
  }
  static std::mutex& live_mu() {
    static std::mutex m;
    return m;
  }
  static std::set<PortConnection*>& live() {
    static std::set<PortConnection*> s;
    return s;
  }

 private:
  int fd_;
  uint64_t process_;
  ksim::flt::ClientPort* client_ = nullptr;
  bool connected_once_ = false;
};

// --- the test script's commands ------------------------------------------------------------------

NTSTATUS open_file(const Name& path, uint32_t access, fb::CreateDisposition d, ksim::flt::SimFile** f) {
  ksim::flt::OpenRequest r;
  r.path = path;
  r.access = access;
  r.disposition = d;
  r.process_id = kApplication;
  return FilterManager::get().open(r, f);
}

std::string edit(const Name& path, const std::string& data) {
  ksim::flt::SimFile* f = nullptr;
  if (open_file(path, access::kReadData | access::kWriteData, fb::CreateDisposition::kOpen, &f) != 0)
    return "error open";
  const NTSTATUS s = FilterManager::get().write(f, 0, data);
  FilterManager::get().close(f);
  return s == 0 ? "ok" : "error write";
}

std::string story(const std::string& name) {
  std::shared_lock<std::shared_mutex> g(g_sim);
  if (!g_host->loaded()) return "error not loaded";
  fbmodel::Volume& v = g_host->volume();
  FilterManager& fm = FilterManager::get();
  if (name == "S1") {  // in-place write: report.docx, 9 bytes before
    const Name doc = kDocs + u"report.docx";
    v.put(doc, "version 1");
    ksim::flt::SimFile* f = nullptr;
    if (open_file(doc, access::kReadData | access::kWriteData, fb::CreateDisposition::kOpen, &f) != 0) return "error open";
    fm.write(f, 0, "VERSION 2");
    fm.write(f, 9, "!");
    fm.close(f);
    return "ok";
  }
  if (name == "S4") {  // overwrite on open: notes.txt, 5 bytes before
    const Name doc = kDocs + u"notes.txt";
    v.put(doc, "old 1");
    ksim::flt::SimFile* f = nullptr;
    if (open_file(doc, access::kWriteData, fb::CreateDisposition::kOverwriteIf, &f) != 0) return "error open";
    fm.write(f, 0, "new 2");
    fm.close(f);
    return "ok";
  }
  if (name == "S5") {  // Word: temp file renamed over thesis.docx (12 bytes before)
    const Name doc = kDocs + u"thesis.docx", temp = kDocs + u"~WRL0001.tmp";
    v.put(doc, "thesis draft");
    ksim::flt::SimFile* f = nullptr;
    if (open_file(temp, access::kReadData | access::kWriteData | access::kDelete, fb::CreateDisposition::kCreate, &f) != 0)
      return "error open";
    fm.write(f, 0, "thesis final");
    const NTSTATUS s = fm.rename(f, doc, true);
    fm.close(f);
    return s == 0 ? "ok" : "error rename";
  }
  if (name == "fail") {  // the disk fills during the copy of big.bin (20000 bytes)
    const Name doc = kDocs + u"big.bin";
    v.put(doc, std::string(20000, 'a'));
    v.fail_writes_after(10000);
    const std::string r = edit(doc, "X");
    v.clear_faults();
    return r;
  }
  if (name == "edit") return edit(kDocs + u"report.docx", "edited");
  if (name == "restore-doc") {  // doc.txt: version 1 -> version 2 in place (one backup, slot 1)
    const Name doc = kDocs + u"doc.txt";
    v.put(doc, "version 1");
    return edit(doc, "version 2");
  }
  return "error unknown story " + name;
}

std::vector<std::u16string> split_multi(const std::string& list) {
  std::vector<std::u16string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ';'))
    if (!item.empty()) out.emplace_back(item.begin(), item.end());
  return out;
}

// The Parameters values as fbmon config left them (the registry is the disk's: it survives a
// reload, so every load writes them again).
ksim::e2e::HostConfig g_config;

std::string set_value(std::istringstream& in) {
  std::string name, type, value;
  in >> name >> type;
  std::getline(in >> std::ws, value);
  ksim::e2e::HostConfig& c = g_config;
  try {
    if (name == "MaxVersions" && type == "dword") {
      c.has_max_versions = true;
      c.max_versions = static_cast<uint32_t>(std::stoul(value));
    } else if (name == "Enabled" && type == "dword") {
      c.has_enabled = true;
      c.enabled = static_cast<uint32_t>(std::stoul(value));
    } else if (name == "MaxFileSize" && type == "qword") {
      c.has_max_file_size = true;
      c.max_file_size = std::stoull(value);
    } else if (name == "MinFreeSpace" && type == "qword") {
      c.has_min_free_space = true;
      c.min_free_space = std::stoull(value);
    } else if (name == "ProtectedFolders" && type == "multi") {
      c.has_protected_folders = true;
      c.protected_folders = split_multi(value);
    } else if (name == "FolderNames" && type == "multi") {
      c.has_folder_names = true;
      c.folder_names = split_multi(value);
    } else if (name == "IncludeExtensions" && type == "multi") {
      c.has_include_extensions = true;
      c.include_extensions = split_multi(value);
    } else if (name == "ExcludeExtensions" && type == "multi") {
      c.has_exclude_extensions = true;
      c.exclude_extensions = split_multi(value);
    } else {
      return "error unknown value " + name + " " + type;
    }
  } catch (const std::exception&) {
    return "error bad number " + value;
  }
  std::shared_lock<std::shared_mutex> g(g_sim);
  g_host->write_config(g_config);
  return "ok";
}

std::string unload() {
  std::string findings;
  bool ok;
  {
    // Not exclusive: the unload disconnects the clients, whose threads must be able to finish
    // their calls and notice.
    std::shared_lock<std::shared_mutex> g(g_sim);
    ok = g_host->unload(&findings);
  }
  std::unique_lock<std::shared_mutex> g(g_sim);
  PortConnection::forget_all_clients();
  if (!ok) {
    for (char& c : findings)
      if (c == '\n') c = '|';
    return "error " + findings;
  }
  return "ok";
}

std::string load() {
  std::unique_lock<std::shared_mutex> g(g_sim);
  PortConnection::forget_all_clients();
  std::string error;
  if (!g_host->load(g_config, &error)) return "error " + error;
  return "ok";
}

Name docs_name(const std::string& name) { return kDocs + Name(name.begin(), name.end()); }

std::string expect_content(std::istringstream& in) {
  std::string name, stream, text;
  in >> name >> stream;
  std::getline(in >> std::ws, text);
  if (name.empty() || stream.empty()) return "error usage: expect NAME STREAM|- TEXT";
  std::shared_lock<std::shared_mutex> g(g_sim);
  const std::string holds =
      g_host->volume().content(docs_name(name), stream == "-" ? Name() : Name(stream.begin(), stream.end()));
  if (holds == text) return "ok";
  return "error " + name + (stream == "-" ? "" : ":" + stream) + " holds '" + holds + "', expected '" + text + "'";
}

std::string list_streams(std::istringstream& in) {
  std::string name;
  in >> name;
  std::shared_lock<std::shared_mutex> g(g_sim);
  std::string out = "ok";
  for (const Name& s : g_host->volume().stream_names(docs_name(name))) out += " " + std::string(s.begin(), s.end());
  return out;
}

#if FB_E2E_BRIDGE
ksim::e2e::ModelBridge* g_bridge = nullptr;
#endif

void serve_control(int fd) {
  std::string line;
  char c;
  while (recv(fd, &c, 1, 0) == 1) {
    if (c != '\n') {
      if (line.size() < 4096) line += c;
      continue;
    }
    std::istringstream in(line);
    line.clear();
    std::string command;
    in >> command;
    std::string reply;
    if (command == "story") {
      std::string name;
      in >> name;
      reply = story(name);
    } else if (command == "set") {
      reply = set_value(in);
    } else if (command == "unload") {
      reply = unload();
    } else if (command == "load") {
      reply = load();
    } else if (command == "expect") {
      reply = expect_content(in);
    } else if (command == "streams") {
      reply = list_streams(in);
#if FB_E2E_BRIDGE
    } else if (command == "bridge") {
      reply = g_bridge == nullptr ? "error no bridge" : "ok " + g_bridge->mutations();
#endif
    } else if (command == "quit") {
#if FB_E2E_BRIDGE
      if (g_bridge != nullptr && g_bridge->running()) {
        std::string problem;
        const size_t left = g_bridge->stop(&problem);
        if (!problem.empty()) log(problem);
        if (left != 0) log("the bridge's clients left " + std::to_string(left) + " file(s) open");
      }
#endif
      reply = g_host->loaded() ? unload() : "ok";
      g_quit = true;
    } else {
      reply = "error unknown command " + command;
    }
    log(command + ": " + reply);
    reply += "\n";
    send_all(fd, reply.data(), reply.size());
    if (g_quit) break;
  }
}

void serve(int fd) {
  char first[8];
  if (recv(fd, first, sizeof first, MSG_PEEK | MSG_WAITALL) == 8 && std::memcmp(first, "CONTROL\n", 8) == 0) {
    recv_all(fd, first, 8);
    serve_control(fd);
  } else {
    PortConnection(fd).serve();
  }
  close(fd);
  --g_connections;
}

}  // namespace

int main(int argc, char** argv) {
  std::string port_file, bridge_dir, bridge_process = "fbmon";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--port-file") port_file = argv[i + 1];
    else if (option == "--bridge") bridge_dir = argv[i + 1];
    else if (option == "--bridge-process") bridge_process = argv[i + 1];
  }
  if (port_file.empty() || (bridge_process != "fbmon" && bridge_process != "application")) {
    std::fprintf(stderr, "usage: fb_e2e_host --port-file FILE [--bridge DIR [--bridge-process fbmon|application]]\n");
    return 2;
  }
  g_bridge_as_application = bridge_process == "application";
  ksim::e2e::ImageHost host;
  g_host = &host;
  std::string error;
  if (!host.load(ksim::e2e::HostConfig(), &error)) {
    std::fprintf(stderr, "fb_e2e_host: %s\n", error.c_str());
    return 1;
  }
#if FB_E2E_BRIDGE
  ksim::e2e::ModelBridge bridge;
  if (!bridge_dir.empty()) {
    ksim::e2e::BridgeOptions options;
    options.mount_point = bridge_dir;
    options.root = kDocs.substr(0, kDocs.size() - 1);
    options.host = &host;
    options.sim_lock = &g_sim;
    options.requestor = bridge_requestor;
    if (!bridge.start(options, &error)) {
      std::fprintf(stderr, "fb_e2e_host: %s\n", error.c_str());
      return 1;
    }
    g_bridge = &bridge;
    log("model bridge mounted at " + bridge_dir + " (requests from " + bridge_process + ")");
  }
#else
  if (!bridge_dir.empty()) {
    std::fprintf(stderr, "fb_e2e_host: built without libfuse3, no model bridge: apt-get install fuse3 libfuse3-dev\n");
    return 1;
  }
#endif
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // never another interface
  socklen_t size = sizeof address;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, kMaxConnections) != 0 || getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    std::perror("fb_e2e_host: listen");
    return 1;
  }
  {
    std::ofstream out(port_file + ".tmp");
    out << ntohs(address.sin_port) << "\n";
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  log("listening on 127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
  std::vector<std::thread> threads;
  while (!g_quit) {
    pollfd pfd{listener, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    if (g_connections >= kMaxConnections) {
      close(fd);
      continue;
    }
    ++g_connections;
    threads.emplace_back(serve, fd);
  }
  close(listener);
  // Port connections end when their clients close or the unload disconnected them.
  for (std::thread& t : threads) t.detach();
#if FB_E2E_BRIDGE
  if (bridge.running()) bridge.stop();
#endif
  std::string findings;
  const bool clean = !host.loaded() || host.unload(&findings);
  if (!clean) std::fprintf(stderr, "fb_e2e_host: unload findings:\n%s", findings.c_str());
  std::fflush(stderr);
  _exit(clean ? 0 : 1);
}
