// Plays each story of story_plans() on its own file in `<scratch>\stories` and observes what
// the driver left: the file, its streams (FindFirstStreamW), `:backup` and `:backup.meta`, and
// the events for the file's path that arrive at fbcheck as the watcher (an overlapped
// FilterGetMessage kept pending, as `fbmon watch` does). judge_story() decides.
#include "monitor/fbcheck/win/stories.h"

#include <windows.h>

#include <fltuser.h>
#include <string.h>

#include "monitor/fbcheck/lib/protection.h"
#include "monitor/fbcheck/lib/story.h"
#include "monitor/fbcheck/win/files.h"
#include "monitor/lib/config.h"
#include "monitor/lib/driver_messages.h"
#include "monitor/lib/errors.h"
#include "monitor/win/port.h"

namespace fbcheck {
namespace {

static_assert(kErrorConnectionCountLimit == ERROR_CONNECTION_COUNT_LIMIT, "winerror.h");

constexpr DWORD kSettleMs = 300;     // quiet time before a story (late events of the last one)
constexpr DWORD kEventWaitMs = 10000;  // longest wait for a story's expected events
constexpr DWORD kGraceMs = 700;      // after them, for any unexpected extra event

// One pending FilterGetMessage at a time on the watcher port.
class EventReader {
 public:
  explicit EventReader(HANDLE port)
      : port_(port), storage_((sizeof(FILTER_MESSAGE_HEADER) + fb::proto::kMaxMessageBytes + 7) / 8),
        ready_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {}
  ~EventReader() {
    if (pending_) {
      CancelIoEx(port_, &ov_);
      DWORD ignored = 0;
      GetOverlappedResult(port_, &ov_, &ignored, TRUE);  // the buffer must outlive the I/O
    }
  }
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  struct Item {
    bool gap = false;
    uint64_t dropped = 0;
    SeenEvent event;
    std::wstring path;  // Win32 form
  };

  // Waits up to `ms` for one message; false on timeout or a broken port (*broken set).
  bool next(DWORD ms, const fbmon::DeviceTable& devices, Item* item, bool* broken) {
    *broken = false;
    if (!pending_ && !issue()) {
      *broken = true;
      return false;
    }
    if (WaitForSingleObject(ready_.get(), ms) != WAIT_OBJECT_0) return false;
    pending_ = false;
    DWORD bytes = 0;
    if (!GetOverlappedResult(port_, &ov_, &bytes, FALSE)) {
      *broken = true;
      return false;
    }
    const auto* header = reinterpret_cast<const FILTER_MESSAGE_HEADER*>(storage_.data());
    const size_t capacity = storage_.size() * 8;
    const size_t size = bytes > sizeof(FILTER_MESSAGE_HEADER) ? bytes - sizeof(FILTER_MESSAGE_HEADER)
                                                              : capacity - sizeof(FILTER_MESSAGE_HEADER);
    const fbmon::WatchMessage m = fbmon::decode_watch_message(header + 1, size);
    *item = Item();
    if (m.kind == fbmon::WatchMessage::Kind::kGap) {
      item->gap = true;
      item->dropped = m.gap.dropped;
    } else if (m.kind == fbmon::WatchMessage::Kind::kEvent) {
      item->event = seen_event(m.event);
      item->path = fbmon::to_wide(fbmon::nt_to_win32(m.event.path, devices).path);
    } else {
      item->gap = true;  // an undecodable message is an event we cannot account for
      item->dropped = 1;
    }
    return true;
  }

 private:
  bool issue() {
    memset(&ov_, 0, sizeof ov_);
    ov_.hEvent = ready_.get();
    ResetEvent(ready_.get());
    const HRESULT hr = FilterGetMessage(port_, reinterpret_cast<PFILTER_MESSAGE_HEADER>(storage_.data()),
                                        static_cast<DWORD>(storage_.size() * 8), &ov_);
    if (hr != HRESULT_FROM_WIN32(ERROR_IO_PENDING) && FAILED(hr)) return false;
    pending_ = true;
    return true;
  }

  HANDLE port_;
  std::vector<uint64_t> storage_;
  UniqueHandle ready_;
  OVERLAPPED ov_{};
  bool pending_ = false;
};

bool same_path(const std::wstring& a, const std::wstring& b) {
  return CompareStringOrdinal(a.c_str(), static_cast<int>(a.size()), b.c_str(), static_cast<int>(b.size()), TRUE) ==
         CSTR_EQUAL;
}

class Player {
 public:
  Player(HANDLE port, std::wstring dir) : reader_(port), dir_(std::move(dir)), devices_(fbmon::build_device_table()) {}

  Result play(const StoryPlan& plan) {
    const std::wstring file = dir_ + L"\\" + fbmon::to_wide(plan.file_name);
    StoryObservation seen;
    seen.process_id = GetCurrentProcessId();
    collect(file, 0, kSettleMs, &seen);  // nothing of ours is in flight; whatever comes is not this story's
    seen = StoryObservation();
    seen.process_id = GetCurrentProcessId();
    if (const DWORD e = write_file(file, CREATE_NEW, plan.old_content)) {
      seen.failed_step = "creating the file: " + win32_error_text(e);
      return judge_story(plan, seen);
    }
    seen.failed_step = act(plan, file);
    if (!seen.failed_step.empty()) return judge_story(plan, seen);
    collect(file, plan.events.size(), kEventWaitMs, &seen);
    observe(file, &seen);
    return judge_story(plan, seen);
  }

  bool port_broken() const { return broken_; }

 private:
  // The story's action; "" or the step that failed.
  std::string act(const StoryPlan& plan, const std::wstring& file) {
    DWORD e = 0;
    const std::wstring temp = file + L".new";
    switch (plan.action) {
      case StoryAction::kInPlace:
      case StoryAction::kDelete: {
        {
          UniqueHandle h = open_file(file, GENERIC_WRITE, OPEN_EXISTING, &e);
          if (!h.valid()) return "opening for writing: " + win32_error_text(e);
          if ((e = write_handle(h.get(), plan.written))) return "WriteFile: " + win32_error_text(e);
        }
        if (plan.action == StoryAction::kInPlace) return "";
        if (!DeleteFileW(file.c_str())) return "DeleteFileW: " + win32_error_text(GetLastError());
        return "";
      }
      case StoryAction::kAppend: {
        UniqueHandle h = open_file(file, FILE_APPEND_DATA | SYNCHRONIZE, OPEN_EXISTING, &e);
        if (!h.valid()) return "opening with FILE_APPEND_DATA only: " + win32_error_text(e);
        if ((e = write_handle(h.get(), plan.written))) return "WriteFile: " + win32_error_text(e);
        return "";
      }
      case StoryAction::kTruncate: {
        UniqueHandle h = open_file(file, GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING, &e);
        if (!h.valid()) return "opening for writing: " + win32_error_text(e);
        if (!SetEndOfFile(h.get())) return "SetEndOfFile at 0: " + win32_error_text(GetLastError());
        if ((e = write_handle(h.get(), plan.written))) return "WriteFile: " + win32_error_text(e);
        return "";
      }
      case StoryAction::kCreateAlways:
        if ((e = write_file(file, CREATE_ALWAYS, plan.written))) return "CREATE_ALWAYS: " + win32_error_text(e);
        return "";
      case StoryAction::kRenameOver:
        if ((e = write_file(temp, CREATE_NEW, plan.written))) return "writing the temp file: " + win32_error_text(e);
        if (!MoveFileExW(temp.c_str(), file.c_str(), MOVEFILE_REPLACE_EXISTING))
          return "MoveFileExW(REPLACE_EXISTING): " + win32_error_text(GetLastError());
        return "";
      case StoryAction::kReplaceFile:
        if ((e = write_file(temp, CREATE_NEW, plan.written))) return "writing the temp file: " + win32_error_text(e);
        if (!ReplaceFileW(file.c_str(), temp.c_str(), nullptr, 0, nullptr, nullptr))
          return "ReplaceFileW: " + win32_error_text(GetLastError());
        return "";
      case StoryAction::kMapped: {
        UniqueHandle h = open_file(file, GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING, &e);
        if (!h.valid()) return "opening for writing: " + win32_error_text(e);
        UniqueHandle mapping(CreateFileMappingW(h.get(), nullptr, PAGE_READWRITE, 0, 0, nullptr));
        if (!mapping.valid()) return "CreateFileMappingW(PAGE_READWRITE): " + win32_error_text(GetLastError());
        void* view = MapViewOfFile(mapping.get(), FILE_MAP_WRITE, 0, 0, 0);
        if (view == nullptr) return "MapViewOfFile(FILE_MAP_WRITE): " + win32_error_text(GetLastError());
        memcpy(view, plan.written.data(), plan.written.size());
        const BOOL flushed = FlushViewOfFile(view, 0);
        const DWORD flush_error = flushed ? 0 : GetLastError();
        UnmapViewOfFile(view);
        if (!flushed) return "FlushViewOfFile: " + win32_error_text(flush_error);
        return "";
      }
    }
    return "unknown story";
  }

  // Reads messages until `count` events for `file` arrived (or `wait_ms` passed), then for
  // kGraceMs more to catch extra ones.
  void collect(const std::wstring& file, size_t count, DWORD wait_ms, StoryObservation* seen) {
    ULONGLONG deadline = GetTickCount64() + wait_ms;
    bool graced = false;
    for (;;) {
      if (!graced && count != 0 && seen->events.size() >= count) {
        deadline = GetTickCount64() + kGraceMs;
        graced = true;
      }
      const ULONGLONG now = GetTickCount64();
      if (now >= deadline) return;
      EventReader::Item item;
      bool broken = false;
      if (!reader_.next(static_cast<DWORD>(deadline - now), devices_, &item, &broken)) {
        if (broken) broken_ = true;
        if (broken) return;
        continue;
      }
      if (item.gap) seen->events_dropped += item.dropped;
      else if (same_path(item.path, file)) seen->events.push_back(item.event);
    }
  }

  static void observe(const std::wstring& file, StoryObservation* seen) {
    const ReadResult content = read_file(file);
    seen->file_exists = content.ok || content.error != ERROR_FILE_NOT_FOUND;
    seen->content = content.content;
    if (!seen->file_exists) return;
    std::vector<std::wstring> names;
    DWORD error = 0;
    seen->streams_listed = list_streams(file, &names, &error);
    if (!seen->streams_listed) seen->streams_error = "FindFirstStreamW: " + win32_error_text(error);
    for (const std::wstring& n : names) seen->streams.push_back(std::u16string(fbmon::u16(n.c_str()), n.size()));
    const ReadResult backup = read_file(file + L":backup");
    seen->backup_read = backup.ok;
    seen->backup = backup.content;
    const ReadResult meta = read_file(file + L":backup.meta");
    seen->meta_read = meta.ok;
    seen->meta.assign(meta.content.begin(), meta.content.end());
  }

  EventReader reader_;
  std::wstring dir_;
  fbmon::DeviceTable devices_;
  bool broken_ = false;
};

// The Parameters values the driver reads, as RegQueryValueExW returns them; absent ones stay absent.
struct RegistryValues {
  fb::RawConfig raw;
  std::vector<uint8_t> bytes[fb::kConfigKeyCount];

  void read() {
    HKEY key = nullptr;
    const std::wstring path = fbmon::to_wide(std::u16string(fbmon::kParametersKey));
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path.c_str(), 0, KEY_QUERY_VALUE, &key) != ERROR_SUCCESS) return;
    for (uint32_t i = 0; i < fb::kConfigKeyCount; ++i) {
      const fb::Str16 name16 = fb::config_value_name(static_cast<fb::ConfigKey>(i));
      const std::wstring name(reinterpret_cast<const wchar_t*>(name16.data), name16.len);
      DWORD type = 0, size = 0;
      if (RegQueryValueExW(key, name.c_str(), nullptr, &type, nullptr, &size) != ERROR_SUCCESS) continue;
      bytes[i].resize(size + 2);
      if (RegQueryValueExW(key, name.c_str(), nullptr, &type, bytes[i].data(), &size) != ERROR_SUCCESS) continue;
      raw.values[i].present = true;
      raw.values[i].type = type;
      raw.values[i].data = bytes[i].data();
      raw.values[i].size = size;
    }
    RegCloseKey(key);
  }
};

std::string strip_prefix(std::string line) {
  const std::string prefix = "fbmon: ";
  if (line.compare(0, prefix.size(), prefix) == 0) line.erase(0, prefix.size());
  return line;
}

}  // namespace

StoriesOutcome play_stories(const std::wstring& scratch, std::vector<Result>& results,
                            void (*on_result)(const Result&), std::string* reason) {
  fbmon::Port port;
  const HRESULT hr = port.connect(fb::proto::HelloRole::kWatcher);
  if (FAILED(hr)) {
    if (watcher_busy_hresult(static_cast<uint32_t>(hr))) {
      *reason = "another watcher is connected to \\FileBackupPort (stop `fbmon watch` and run fbcheck again)";
      return StoriesOutcome::kWatcherBusy;
    }
    *reason = strip_prefix(fbmon::error_line(fbmon::port_error(hr)));
    return StoriesOutcome::kNoDriver;
  }
  const std::wstring dir = scratch + L"\\stories";
  if (!CreateDirectoryW(dir.c_str(), nullptr)) {
    *reason = "cannot make " + utf8(dir) + ": " + win32_error_text(GetLastError());
    return StoriesOutcome::kNotProtected;
  }
  RegistryValues registry;
  registry.read();
  const std::wstring probe = dir + L"\\" + fbmon::to_wide(story_plans().front().file_name);
  const Protection protection =
      protection_of(registry.raw, fbmon::build_device_table(), std::u16string(fbmon::u16(probe.c_str()), probe.size()));
  if (!protection.covered) {
    *reason = utf8(dir) + " is not protected: " + protection.why +
              " (run fbcheck in a folder below Documents, or `fbmon config add-folder`)";
    return StoriesOutcome::kNotProtected;
  }
  Player player(port.handle(), dir);
  for (const StoryPlan& plan : story_plans()) {
    results.push_back(player.play(plan));
    on_result(results.back());
  }
  return StoriesOutcome::kRan;
}

}  // namespace fbcheck
