#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {

std::string format_result(const Result& result) {
  const char* word = result.status == Status::kPass ? "PASS" : result.status == Status::kFail ? "FAIL" : "SKIP";
  std::string line = std::string(word) + " " + result.id + " " + result.name;
  if (result.status != Status::kPass && !result.detail.empty()) line += ": " + result.detail;
  return line;
}

Tally tally(const std::vector<Result>& results) {
  Tally t;
  for (const Result& r : results) {
    if (r.status == Status::kPass) ++t.passed;
    else if (r.status == Status::kFail) ++t.failed;
    else ++t.skipped;
  }
  return t;
}

std::string format_summary(const Tally& t) {
  return "fbcheck: " + std::to_string(t.passed) + " passed, " + std::to_string(t.failed) + " failed, " +
         std::to_string(t.skipped) + " skipped";
}

int exit_code(const Tally& t, StoriesOutcome stories) {
  if (t.failed != 0) return kExitFailures;
  switch (stories) {
    case StoriesOutcome::kRan: return kExitAllPassed;
    case StoriesOutcome::kNoDriver: return kExitNoDriver;
    case StoriesOutcome::kWatcherBusy: return kExitWatcherBusy;
    case StoriesOutcome::kNotProtected: return kExitNotProtected;
    case StoriesOutcome::kFactsOnly: return kExitFactsOnly;
  }
  return kExitFailures;
}

std::string win32_error_text(uint32_t error) {
  // Values from winerror.h (ERROR_*); names as Microsoft's "System Error Codes" page gives them.
  const char* name = nullptr;
  switch (error) {
    case 0: name = "success"; break;
    case 2: name = "file not found"; break;
    case 3: name = "path not found"; break;
    case 5: name = "access denied"; break;
    case 6: name = "invalid handle"; break;
    case 32: name = "sharing violation"; break;
    case 38: name = "end of file"; break;
    case 50: name = "not supported"; break;
    case 87: name = "invalid parameter"; break;
    case 120: name = "not implemented"; break;
    case 123: name = "invalid name"; break;
    case 183: name = "already exists"; break;
    case 303: name = "delete pending"; break;
    case 1175: name = "unable to remove the replaced file"; break;
    case 1176: name = "unable to move the replacement file"; break;
    case 1177: name = "unable to move the replacement file (2)"; break;
  }
  std::string text = "error " + std::to_string(error);
  if (name != nullptr) text += std::string(" (") + name + ")";
  return text;
}

}  // namespace fbcheck

namespace fbcheck {

bool watcher_busy_hresult(uint32_t hresult) {
  return hresult == (0x80070000u | kErrorConnectionCountLimit) || hresult == (0xC0000246u | 0x10000000u);
}

}  // namespace fbcheck

namespace fbcheck {

const char* stories_skip_reason(StoriesOutcome outcome) {
  switch (outcome) {
    case StoriesOutcome::kRan: return "";
    case StoriesOutcome::kNoDriver: return "the driver is not reachable";
    case StoriesOutcome::kWatcherBusy: return "another watcher is connected";
    case StoriesOutcome::kNotProtected: return "the folder is not protected";
    case StoriesOutcome::kFactsOnly: return "not asked for (--facts-only)";
  }
  return "";
}

}  // namespace fbcheck
