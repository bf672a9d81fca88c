// `fbmon status`: asks the service control manager (installed? start type? running?), Filter
// Manager's user-mode API (the volumes FileBackup's instances are attached to) and the port
// (hello: loaded and its protocol; statistics: its event queue). Each source that fails is
// reported as unknown with its reason; the others are still shown. lib/status formats.
#include <windows.h>

#include <fltuser.h>

#include <vector>

#include "monitor/win/commands.h"
#include "monitor/win/console.h"
#include "monitor/lib/driver_messages.h"
#include "monitor/lib/status.h"
#include "monitor/lib/text.h"
#include "monitor/win/port.h"
#include "monitor/win/win_util.h"

namespace fbmon {
namespace {

constexpr const wchar_t* kServiceName = L"FileBackup";  // the INF's service and filter name

class ScHandle {
 public:
  explicit ScHandle(SC_HANDLE h) : h_(h) {}
  ~ScHandle() {
    if (h_ != nullptr) CloseServiceHandle(h_);
  }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
  SC_HANDLE get() const { return h_; }

 private:
  SC_HANDLE h_;
};

std::string win32_failure(const char* call, DWORD error) {
  return std::string(call) + " failed, error " + format_hex32(error);
}

void query_service(StatusReport& s) {
  ScHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (manager.get() == nullptr) {
    s.service_error = win32_failure("OpenSCManager", GetLastError());
    return;
  }
  ScHandle service(OpenServiceW(manager.get(), kServiceName, SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS));
  if (service.get() == nullptr) {
    const DWORD error = GetLastError();
    if (error == ERROR_SERVICE_DOES_NOT_EXIST) {
      s.service_known = true;
      return;
    }
    s.service_error = win32_failure("OpenService", error);
    return;
  }
  s.service_known = true;
  s.service_installed = true;
  DWORD needed = 0;
  QueryServiceConfigW(service.get(), nullptr, 0, &needed);
  std::vector<uint8_t> buffer(needed ? needed : sizeof(QUERY_SERVICE_CONFIGW));
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
  if (QueryServiceConfigW(service.get(), config, static_cast<DWORD>(buffer.size()), &needed))
    s.start_type = config->dwStartType;
  SERVICE_STATUS status{};
  if (QueryServiceStatus(service.get(), &status)) s.service_running = status.dwCurrentState == SERVICE_RUNNING;
}

void query_volumes(StatusReport& s) {
  if (running_on_wine()) {  // Wine's fltlib has these as stubs that abort the process
    s.volumes_error = "Filter Manager's instance list is not available here (Wine cannot host the driver)";
    return;
  }
  std::vector<uint8_t> buffer(4096);
  DWORD returned = 0;
  HANDLE find = INVALID_HANDLE_VALUE;
  HRESULT hr = FilterInstanceFindFirst(kServiceName, InstanceFullInformation, buffer.data(),
                                       static_cast<DWORD>(buffer.size()), &returned, &find);
  if (hr == HRESULT_FROM_WIN32(ERROR_NO_MORE_ITEMS)) {
    s.volumes_known = true;  // loaded but attached nowhere, or not loaded
    return;
  }
  if (FAILED(hr)) {
    s.volumes_error = "FilterInstanceFindFirst failed, HRESULT " + format_hex32(static_cast<uint32_t>(hr)) +
                      (hr == E_NOTIMPL ? " (no Filter Manager here)" : "");
    return;
  }
  s.volumes_known = true;
  while (SUCCEEDED(hr)) {
    const auto* info = reinterpret_cast<const INSTANCE_FULL_INFORMATION*>(buffer.data());
    const std::wstring volume(reinterpret_cast<const wchar_t*>(buffer.data() + info->VolumeNameBufferOffset),
                              info->VolumeNameLength / sizeof(wchar_t));
    wchar_t dos[MAX_PATH] = L"";
    s.volumes.push_back(SUCCEEDED(FilterGetDosName(volume.c_str(), dos, MAX_PATH)) && dos[0] ? narrow(dos) + " (" + narrow(volume) + ")"
                                                                                              : narrow(volume));
    hr = FilterInstanceFindNext(find, InstanceFullInformation, buffer.data(), static_cast<DWORD>(buffer.size()),
                                &returned);
  }
  FilterInstanceFindClose(find);
}

void query_driver(StatusReport& s) {
  s.our_protocol = fb::proto::kProtocolVersion;
  Port port;
  HRESULT hr = port.connect(fb::proto::HelloRole::kControl);
  std::vector<uint8_t> reply;
  if (SUCCEEDED(hr)) {
    fb::proto::Hello hello;
    std::vector<uint8_t> request(fb::proto::kHelloBytes);
    fb::proto::encode_hello(hello, request.data(), request.size());
    hr = port.send(request, reply);
  }
  if (FAILED(hr)) {
    std::string line = error_line(port_error(hr));
    if (line.compare(0, 7, "fbmon: ") == 0) line = line.substr(7);
    s.port_problem = line;
    return;
  }
  s.driver_loaded = true;
  s.protocol = read_probe_reply(reply.data(), reply.size());
  std::vector<uint8_t> ask(fb::proto::kGetStatusBytes);
  fb::proto::encode_get_status(ask.data(), ask.size());
  if (SUCCEEDED(port.send(ask, reply))) {
    const StatusResult status = read_status_reply(reply.data(), reply.size());
    if (status.ok) {
      s.driver_known = true;
      s.driver = status.driver;
    }
  }
  std::vector<uint8_t> request(fb::proto::kGetStatsBytes);
  fb::proto::encode_get_stats(request.data(), request.size());
  if (SUCCEEDED(port.send(request, reply))) {
    const StatsResult stats = read_stats_reply(reply.data(), reply.size());
    if (stats.ok) {
      s.stats_known = true;
      s.stats = stats.stats;
    }
  }
}

}  // namespace

int run_status(const Command& command) {
  StatusReport s;
  query_service(s);
  query_driver(s);
  query_volumes(s);
  if (command.json) print_line(format_status_json(s));
  else print_out(format_status(s));
  return 0;
}

}  // namespace fbmon
