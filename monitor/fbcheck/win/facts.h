// The NTFS facts N1-N13, each checked with real Win32 / NT calls in its own files under `dir`.
#pragma once

#include <string>
#include <vector>

#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {

// Runs every fact in order; `on_result` is called as each one ends (so lines appear live).
std::vector<Result> check_facts(const std::wstring& dir, void (*on_result)(const Result&));

}  // namespace fbcheck
