// Rule matching: the textbook driver's per-create folder check against our compiled rule set,
// both over the same deterministic corpus of NT paths (tests/bench/path_corpus.h), the whole
// corpus per iteration; items_per_second is paths per second.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/bench/path_corpus.h"
#include "tests/bench/ratios.h"
#include "common/paths/nt_path.h"
#include "common/paths/rules.h"
#include "common/base/upcase.h"

namespace {

FB_BENCH_TARGET("rules: BM_RuleMatch/2 is at least 20x faster than the textbook check",
                "BM_TextbookDirectoryMatch", "BM_RuleMatch/2", fbbench::Compare::kAtLeast, 20.0);
FB_BENCH_TARGET("rules: 1000 rules cost at most 1.5x the time of 2", "BM_RuleMatch/1000", "BM_RuleMatch/2",
                fbbench::Compare::kAtMost, 1.5);

// Both sides start from a parsed name, as in a driver: the textbook's ParentDir comes from
// FltParseFileNameInformation, ours from fb::parse_nt_path (done once per create for the
// stream checks too). BM_ParseNtPath measures that parse on its own.
struct ParsedCorpus {
  std::vector<fb::NtPathParts> parts;
  ParsedCorpus() {
    for (const std::u16string_view& path : fbbench::nt_path_corpus()) {
      fb::NtPathParts p;
      if (fb::parse_nt_path(fb::Str16(path.data(), static_cast<uint32_t>(path.size())), &p) == fb::nt::kSuccess)
        parts.push_back(p);
    }
  }
};

const ParsedCorpus& parsed_corpus() {
  static const ParsedCorpus corpus;
  return corpus;
}

// --- the textbook approach, re-implemented ----------------------------------------------------
// Per create: refuse a parent directory (volume-relative, with its trailing backslash, as in
// ParentDir) over 1024 bytes, allocate a 1024 + 2 byte buffer, zero it, copy the directory in,
// lower-case it in place one character at a time (_wcslwr calls the lower-casing routine per
// character), search it for "\documents\" and then "\pictures\", free the buffer.

__attribute__((noinline)) char16_t lower_case(char16_t c) {
  if ((c >= u'A' && c <= u'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return static_cast<char16_t>(c + 0x20);
  if (c >= 0x410 && c <= 0x42F) return static_cast<char16_t>(c + 0x20);
  return c;
}

// wcsstr on NUL-terminated char16_t strings, the naive way.
bool contains_naive(const char16_t* haystack, const char16_t* needle) {
  for (; *haystack; ++haystack) {
    size_t i = 0;
    while (needle[i] && haystack[i] == needle[i]) ++i;
    if (!needle[i]) return true;
  }
  return false;
}

bool textbook_is_backup_directory(const char16_t* parent_dir, size_t units) {
  constexpr size_t kMaxBytes = 1024;
  if (units * sizeof(char16_t) > kMaxBytes) return false;
  char16_t* copy = new char16_t[kMaxBytes / sizeof(char16_t) + 1];
  std::memset(copy, 0, kMaxBytes + sizeof(char16_t));
  for (size_t i = 0; i < units && parent_dir[i]; ++i) copy[i] = parent_dir[i];
  for (char16_t* p = copy; *p; ++p) *p = lower_case(*p);
  const bool hit = contains_naive(copy, u"\\documents\\") || contains_naive(copy, u"\\pictures\\");
  delete[] copy;
  return hit;
}

void BM_TextbookDirectoryMatch(benchmark::State& state) {
  const std::vector<fb::NtPathParts>& corpus = parsed_corpus().parts;
  size_t hits = 0;
  for (auto _ : state) {
    for (const fb::NtPathParts& parts : corpus)  // ParentDir = parent + its trailing backslash
      hits += textbook_is_backup_directory(parts.parent.data, parts.parent.len + 1);
    benchmark::DoNotOptimize(hits);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * corpus.size()));
  state.counters["hits"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_TextbookDirectoryMatch)->Unit(benchmark::kMicrosecond);

void BM_ParseNtPath(benchmark::State& state) {
  const std::vector<std::u16string_view>& corpus = fbbench::nt_path_corpus();
  size_t parsed = 0;
  for (auto _ : state) {
    for (const std::u16string_view& path : corpus) {
      fb::NtPathParts parts;
      parsed += fb::parse_nt_path(fb::Str16(path.data(), static_cast<uint32_t>(path.size())), &parts) == fb::nt::kSuccess;
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * corpus.size()));
}
BENCHMARK(BM_ParseNtPath)->Unit(benchmark::kMicrosecond);

// The least any exact matcher of folder-name rules does per create: find where each component
// of the parent ends (a rule can match any of them). Separators found as in RuleSet, 64 units
// at a time with 16-unit SSE2 loads, nothing else. Measured without a target, as the floor under
// BM_RuleMatch: textbook / this bounds the ratio the rules target asks for (docs/testing.md).
__attribute__((noinline)) uint64_t parent_separators(const fb::NtPathParts& parts) {
  const char16_t* const path_end = parts.file_path.data + parts.file_path.len;
  const uint32_t readable = static_cast<uint32_t>(path_end - parts.parent.data);  // parent lies in file_path
  uint64_t all = 0;
  for (uint32_t base = 0; base < parts.parent.len; base += 64)
    all ^= fb::separator_mask64_within(parts.parent.data, base, readable) + base;
  return all;
}

void BM_ParentSeparatorScan(benchmark::State& state) {
  const std::vector<fb::NtPathParts>& corpus = parsed_corpus().parts;
  uint64_t folded = 0;
  for (auto _ : state) {
    for (const fb::NtPathParts& parts : corpus)
      if (parts.parent.len >= 16) folded += parent_separators(parts);  // every corpus parent is
    benchmark::DoNotOptimize(folded);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * corpus.size()));
}
BENCHMARK(BM_ParentSeparatorScan)->Unit(benchmark::kMicrosecond);

// --- ours -----------------------------------------------------------------------------------

// The two defaults plus generated rules, spread over the kinds: about half folder names, a
// third folder paths (one of which covers corpus folders), the rest excluded extensions.
struct GeneratedRules {
  std::vector<std::u16string> text[4];
  std::vector<fb::Str16> views[4];
  std::vector<uint64_t> storage;
  const fb::RuleSet* set = nullptr;

  explicit GeneratedRules(size_t total) {
    text[0] = {u"documents", u"pictures"};
    // Names and paths of many lengths, as a real list would have them.
    const char16_t* const words[] = {u"Tx", u"Scans", u"Client Files ", u"Übersicht", u"Проекты", u"Q", u"Mail Archive of ",
                                     u"Invoices-", u"Design Assets ", u"Shared With Everyone "};
    const char16_t* const users[] = {u"alice", u"bob", u"dave", u"ken"};
    const char16_t* const trees[] = {u"\\Archive", u"\\Work\\Clients\\C", u"\\Music\\Album ", u"\\Projects\\2024\\P"};
    for (size_t i = 2; i < total; ++i) {
      const std::u16string n = std::u16string(u"") + char16_t(u'0' + i % 10) + char16_t(u'0' + i / 10 % 10) +
                               char16_t(u'0' + i / 100 % 10);
      switch (i % 6) {
        case 0: case 1: case 2: text[0].push_back(words[i % 10] + n); break;
        case 3: case 4:
          text[1].push_back(u"\\Device\\HarddiskVolume3\\Users\\" + std::u16string(users[i % 4]) + trees[i / 6 % 4] + n);
          break;
        default: text[3].push_back(u"x" + n.substr(0, 1 + i % 3)); break;
      }
    }
    text[1].push_back(u"\\Device\\HarddiskVolume4\\Users\\ken\\Desktop");  // covers part of the corpus
    fb::RuleConfig config;
    fb::RuleList* lists[4] = {&config.folder_names, &config.folder_paths, &config.include_extensions,
                              &config.exclude_extensions};
    for (int l = 0; l < 4; ++l) {
      for (const std::u16string& s : text[l]) views[l].emplace_back(s.data(), static_cast<uint32_t>(s.size()));
      lists[l]->items = views[l].data();
      lists[l]->count = static_cast<uint32_t>(views[l].size());
    }
    if (total <= 2) config.folder_paths = fb::RuleList{};  // exactly the two defaults
    size_t bytes = 0;
    if (!fb::rules_storage_size(config, &bytes).ok()) return;
    storage.resize(bytes / 8 + 1);
    if (!fb::compile_rules(config, storage.data(), storage.size() * 8, fb::upcase_native, &set).ok()) set = nullptr;
  }
};

void BM_RuleMatch(benchmark::State& state) {
  const std::vector<fb::NtPathParts>& corpus = parsed_corpus().parts;
  const GeneratedRules rules(static_cast<size_t>(state.range(0)));
  if (rules.set == nullptr) {
    state.SkipWithError("rules did not compile");
    return;
  }
  size_t hits = 0;
  for (auto _ : state) {
    for (const fb::NtPathParts& parts : corpus) hits += rules.set->matches(parts);
    benchmark::DoNotOptimize(hits);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * corpus.size()));
  state.counters["hits"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RuleMatch)->Arg(2)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
