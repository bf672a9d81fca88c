// A deterministic corpus of realistic NT paths, as the Filter Manager reports them, for the
// rule-matching benchmarks: user profiles (Documents, Pictures, Desktop, Downloads, AppData,
// source trees), Program Files, ProgramData and Windows, on three volumes, with a realistic
// mix of extensions, a few named streams, non-ASCII names and look-alike folders
// (`MyDocuments`, a file named `documents`). The same seed always gives the same corpus.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fbbench {

std::vector<std::u16string> make_nt_path_corpus(size_t count, uint64_t seed);

// make_nt_path_corpus(12000, fixed seed), built once, the paths back to back in one buffer
// (as names the Filter Manager just built sit in cache, rather than scattered over the heap).
const std::vector<std::u16string_view>& nt_path_corpus();

}  // namespace fbbench
