// Fuzzes the rule compiler and, differentially, the matcher. Input: UTF-16 units split into
// lines at U+000A; a line starting with '#' is a path to match, any other line is a rule whose
// first unit picks the list (mod 4: folder names, folder paths, include, exclude extensions).
// The compiled set lives in a heap block of exactly the size asked for (ASan checks every
// access); every verdict is compared with a plain re-implementation of the rules.
// Inputs of odd size compile with an upcase function that maps a non-ASCII unit onto ASCII.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "common/paths/nt_path.h"
#include "common/paths/rules.h"
#include "common/base/upcase.h"

namespace {

using fb::RuleVerdict;

void check(bool ok) {
  if (!ok) abort();
}

fb::Str16 S(const std::u16string& s) { return fb::Str16(s.data(), static_cast<uint32_t>(s.size())); }

// Odd-sized inputs use an upcase function that maps dotless i onto ASCII 'I', which takes the
// filters' slow folding path.
char16_t dotless_i_upcase(char16_t c) { return c == 0x0131 ? u'I' : fb::upcase_native(c); }
fb::UpcaseFn g_upcase = fb::upcase_native;

bool same(fb::Str16 a, fb::Str16 b) { return fb::equal_ignore_case(a, b, g_upcase); }

// The rules as a person would read them: no hashing, no filters.
struct Reference {
  std::vector<std::u16string> lists[4];

  bool listed(int list, fb::Str16 text) const {
    for (const std::u16string& rule : lists[list]) {
      fb::Str16 r = S(rule);
      if (list >= 2 && r.len && r[0] == u'.') r = r.from(1);
      if (list == 1 && r.len > 1 && r[r.len - 1] == u'\\') r.len -= 1;
      if (same(r, text)) return true;
    }
    return false;
  }

  RuleVerdict evaluate(const fb::NtPathParts& p) const {
    if (p.volume_only || p.file_name.empty()) return RuleVerdict::kNotAFile;
    if (!lists[2].empty() || !lists[3].empty()) {
      const fb::Str16 ext = fb::file_extension(p.file_name);
      if (!ext.empty() && listed(3, ext)) return RuleVerdict::kExtensionExcluded;
      if (!lists[2].empty() && (ext.empty() || !listed(2, ext))) return RuleVerdict::kExtensionNotIncluded;
    }
    // Boundaries inside the volume (folder paths only), then each parent folder: name, then path.
    for (uint32_t end = 1; end <= p.volume.len; ++end)
      if ((end == p.volume.len || p.volume[end] == u'\\') && listed(1, p.directory.sub(0, end)))
        return RuleVerdict::kFolderPath;
    RuleVerdict verdict = RuleVerdict::kNotCovered;
    fb::any_component(p.parent, [&](uint32_t start, uint32_t end) {
      if (end == start) return false;
      if (listed(0, p.parent.sub(start, end - start))) verdict = RuleVerdict::kFolderName;
      else if (listed(1, p.directory.sub(0, p.volume.len + end))) verdict = RuleVerdict::kFolderPath;
      return verdict != RuleVerdict::kNotCovered;
    });
    return verdict;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  g_upcase = (size & 1) ? dotless_i_upcase : fb::upcase_native;
  std::u16string text(size / 2, u'\0');
  memcpy(&text[0], data, text.size() * sizeof(char16_t));

  Reference reference;
  std::vector<std::u16string> paths;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(u'\n', start);
    if (end == std::u16string::npos) end = text.size();
    std::u16string line = text.substr(start, end - start);
    if (!line.empty() && line[0] == u'#') paths.push_back(line.substr(1));
    else if (!line.empty()) reference.lists[line[0] % 4].push_back(line.substr(1));
    start = end + 1;
  }

  std::vector<fb::Str16> views[4];
  fb::RuleConfig config;
  fb::RuleList* lists[4] = {&config.folder_names, &config.folder_paths, &config.include_extensions,
                            &config.exclude_extensions};
  for (int l = 0; l < 4; ++l) {
    for (const std::u16string& s : reference.lists[l]) views[l].push_back(S(s));
    lists[l]->items = views[l].data();
    lists[l]->count = static_cast<uint32_t>(views[l].size());
  }

  size_t bytes = 0;
  const fb::RuleStatus sized = fb::rules_storage_size(config, &bytes);
  if (!sized.ok()) {
    check(bytes == 0);
    return 0;
  }
  void* storage = malloc(bytes);
  const fb::RuleSet* set = nullptr;
  check(fb::compile_rules(config, storage, bytes, g_upcase, &set).ok());
  check(set != nullptr && set->storage_bytes() <= bytes);
  for (const std::u16string& path : paths) {
    fb::NtPathParts parts;
    if (fb::parse_nt_path(S(path), &parts) != fb::nt::kSuccess) {
      check(!set->matches(S(path)));
      continue;
    }
    const RuleVerdict got = set->evaluate(parts);
    check(got == reference.evaluate(parts));
    check(set->matches(S(path)) == (got == RuleVerdict::kFolderName || got == RuleVerdict::kFolderPath));
  }
  free(storage);
  return 0;
}
