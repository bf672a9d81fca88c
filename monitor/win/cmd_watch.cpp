// `fbmon watch`: one overlapped FilterGetMessage at a time, waited on together with a stop
// event that Ctrl+C sets; the pending read is cancelled (CancelIoEx) and drained before the
// buffer goes away. A broken port (driver unloaded) is retried until the driver is back.
#include <windows.h>

#include <fltuser.h>

#include <map>
#include <vector>

#include "monitor/win/commands.h"
#include "monitor/win/console.h"
#include "monitor/lib/driver_messages.h"
#include "monitor/lib/event_format.h"
#include "monitor/win/port.h"
#include "monitor/win/win_util.h"

namespace fbmon {
namespace {

// Set by Ctrl+C / Ctrl+Break / console close; the handler runs on its own thread.
HANDLE g_stop = nullptr;

BOOL WINAPI on_console_control(DWORD) {
  if (g_stop != nullptr) SetEvent(g_stop);
  return TRUE;
}

constexpr DWORD kReconnectMs = 2000;

// Process names by PID, looked up once each (the writer may have exited by the time a later
// event arrives; the first lookup is the best we get).
class ProcessNames {
 public:
  const std::string& get(uint64_t pid) {
    if (names_.size() > 4096) names_.clear();  // PIDs are reused; keep the cache short-lived
    auto it = names_.find(pid);
    if (it == names_.end()) it = names_.emplace(pid, process_image_name(pid)).first;
    return it->second;
  }

 private:
  std::map<uint64_t, std::string> names_;
};

class Watcher {
 public:
  explicit Watcher(const Command& c) : json_(c.json), filter_(c.filter) {}

  int run() {
    UniqueHandle stop(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    UniqueHandle message_ready(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    if (!stop.valid() || !message_ready.valid()) return fail_win32("cannot create an event");
    g_stop = stop.get();
    SetConsoleCtrlHandler(on_console_control, TRUE);
    const int status = loop(stop.get(), message_ready.get());
    SetConsoleCtrlHandler(on_console_control, FALSE);
    g_stop = nullptr;
    return status;
  }

 private:
  int loop(HANDLE stop, HANDLE message_ready) {
    bool ever_connected = false;
    for (;;) {
      Port port;
      const HRESULT hr = port.connect(fb::proto::HelloRole::kWatcher);
      if (FAILED(hr)) {
        // First time: say why and stop. After a disconnect: wait for the driver to come back.
        if (!ever_connected) return report(port_error(hr));
        if (WaitForSingleObject(stop, kReconnectMs) == WAIT_OBJECT_0) return 0;
        continue;
      }
      if (ever_connected) print_error("fbmon: reconnected to " + port_name());
      ever_connected = true;
      devices_ = build_device_table();
      tracker_.reset();
      if (read_messages(port, stop, message_ready)) return 0;  // stopped by Ctrl+C
      print_error("fbmon: lost " + port_name() + " (driver unloaded?); waiting for it to come back, Ctrl+C stops");
      if (WaitForSingleObject(stop, kReconnectMs) == WAIT_OBJECT_0) return 0;
    }
  }

  // Returns true when stopped by the user, false when the port broke.
  bool read_messages(Port& port, HANDLE stop, HANDLE message_ready) {
    std::vector<uint64_t> storage((sizeof(FILTER_MESSAGE_HEADER) + fb::proto::kMaxMessageBytes + 7) / 8);
    auto* header = reinterpret_cast<FILTER_MESSAGE_HEADER*>(storage.data());
    const DWORD capacity = static_cast<DWORD>(storage.size() * 8);
    for (;;) {
      OVERLAPPED ov{};
      ov.hEvent = message_ready;
      ResetEvent(message_ready);
      HRESULT hr = FilterGetMessage(port.handle(), header, capacity, &ov);
      if (hr != HRESULT_FROM_WIN32(ERROR_IO_PENDING) && FAILED(hr)) return false;
      const HANDLE waits[2] = {stop, message_ready};
      if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) == WAIT_OBJECT_0) {
        CancelIoEx(port.handle(), &ov);
        DWORD ignored = 0;
        GetOverlappedResult(port.handle(), &ov, &ignored, TRUE);  // the buffer must outlive the I/O
        return true;
      }
      DWORD bytes = 0;
      if (!GetOverlappedResult(port.handle(), &ov, &bytes, FALSE)) return false;
      const uint8_t* message = reinterpret_cast<const uint8_t*>(header + 1);
      // The count includes the FILTER_MESSAGE_HEADER; the decoder bounds the rest by its own length field.
      const size_t size = bytes > sizeof(FILTER_MESSAGE_HEADER) ? bytes - sizeof(FILTER_MESSAGE_HEADER)
                                                                : capacity - sizeof(FILTER_MESSAGE_HEADER);
      handle(decode_watch_message(message, size));
    }
  }

  void handle(const WatchMessage& m) {
    switch (m.kind) {
      case WatchMessage::Kind::kInvalid:
        print_error(invalid_message_line(m));
        return;
      case WatchMessage::Kind::kGap:
        tracker_.on_gap(m.gap);
        show_gap(m.gap);
        return;
      case WatchMessage::Kind::kEvent: {
        const fb::GapReport unreported = tracker_.on_event(m.event.sequence);
        if (unreported.dropped != 0) show_gap(unreported);
        EventContext context;
        context.local_time = utc_to_local(m.event.time);
        context.process_name = names_.get(m.event.process_id);
        context.win32_path = nt_to_win32(m.event.path, devices_).path;
        if (!event_matches(filter_, context)) return;
        print_line(json_ ? format_event_json(m.event, context) : format_event_text(m.event, context));
        return;
      }
    }
  }

  void show_gap(const fb::GapReport& gap) { print_line(json_ ? format_gap_json(gap) : format_gap_text(gap)); }

  int fail_win32(const char* what) {
    ErrorInfo e;
    e.code = GetLastError();
    e.code_kind = CodeKind::kWin32;
    e.detail = what;
    return report(e);
  }

  bool json_;
  std::string filter_;
  DeviceTable devices_;
  SequenceTracker tracker_;
  ProcessNames names_;
};

}  // namespace

int run_watch(const Command& command) {
  Watcher watcher(command);
  return watcher.run();
}

}  // namespace fbmon
