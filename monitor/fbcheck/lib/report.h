// fbcheck's output: one line per fact or story (PASS / FAIL / SKIP), the summary line, and the
// process exit status. docs/fbcheck.md documents the formats and the exit codes.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace fbcheck {

enum class Status { kPass, kFail, kSkip };

struct Result {
  std::string id;      // "N1", "S4", "DEL"
  std::string name;    // "overwrite of the default stream deletes named streams"
  Status status = Status::kFail;
  std::string detail;  // FAIL: "expected ..., got ..."; SKIP: the reason; PASS: empty
};

// "PASS N1 <name>", "FAIL S4 <name>: <detail>", "SKIP N12 <name>: <reason>".
std::string format_result(const Result& result);

struct Tally {
  uint32_t passed = 0;
  uint32_t failed = 0;
  uint32_t skipped = 0;
};
Tally tally(const std::vector<Result>& results);

// "fbcheck: 11 passed, 0 failed, 2 skipped".
std::string format_summary(const Tally& tally);

// Why the stories ran or not.
enum class StoriesOutcome {
  kRan,            // connected as the watcher and played every story
  kNoDriver,       // \FileBackupPort absent, refused (not elevated) or not implemented (Wine)
  kWatcherBusy,    // another watcher (fbmon watch) is connected
  kNotProtected,   // the scratch folder is not protected by the driver's rules
  kFactsOnly,      // --facts-only
};

// Exit codes (docs/fbcheck.md):
constexpr int kExitAllPassed = 0;       // every fact and story passed (N12, N13 are always skipped)
constexpr int kExitFailures = 1;        // at least one FAIL (whatever else happened)
constexpr int kExitUsage = 2;           // bad command line
constexpr int kExitSetup = 3;           // the scratch folder could not be made
constexpr int kExitNoDriver = 4;        // facts passed; stories skipped: driver not reachable
constexpr int kExitWatcherBusy = 5;     // facts passed; stories skipped: another watcher is connected
constexpr int kExitNotProtected = 6;    // facts passed; stories skipped: folder not protected
constexpr int kExitFactsOnly = 7;       // facts passed; stories not asked for (--facts-only)

int exit_code(const Tally& tally, StoriesOutcome stories);

// "error 5 (access denied)": a Win32 error code with its name for the codes the checks meet.
std::string win32_error_text(uint32_t error);

}  // namespace fbcheck

namespace fbcheck {

// A watcher connect refused because another watcher is connected: the driver's
// STATUS_CONNECTION_COUNT_LIMIT (fb::proto::kWatcherBusyStatus) as FilterConnectCommunicationPort
// returns it, HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT = 1238) or HRESULT_FROM_NT.
constexpr uint32_t kErrorConnectionCountLimit = 1238;
bool watcher_busy_hresult(uint32_t hresult);

}  // namespace fbcheck

namespace fbcheck {

// The short reason each skipped story's SKIP line carries (the long one is printed once above):
// "the driver is not reachable", ...; "" for kRan.
const char* stories_skip_reason(StoriesOutcome outcome);

}  // namespace fbcheck
