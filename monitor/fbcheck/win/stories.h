// The save stories (monitor/fbcheck/lib/story.h) played through real Win32 calls in
// `<scratch>\stories`, with fbcheck connected to \FileBackupPort as the driver's watcher.
#pragma once

#include <string>
#include <vector>

#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {

// Appends one result per story (calling on_result as each ends) and returns kRan; or returns why
// no story was played, with *reason (one sentence) and nothing appended.
StoriesOutcome play_stories(const std::wstring& scratch, std::vector<Result>& results,
                            void (*on_result)(const Result&), std::string* reason);

}  // namespace fbcheck
