// Fuzzes the registry parsing of FileBackup\Parameters (common/config/config_values.h) the way the driver
// runs it: raw values of any type and size -> EngineConfig, the four lists, drive-letter
// folder resolution, item filtering, the final rule config, and compilation.
//
// Input: records {key (1 byte, mod 8), type (1 byte), size (2 bytes LE)} followed by `size`
// bytes of data; each value lives in its own heap block of exactly its size (ASan sees any
// read past it). Invariants: the result is always loadable (sanitize_config leaves it as is,
// finish_rule_config's result compiles into exactly the size it announced), every produced
// item lies inside the input's bytes or the static defaults, and reports never lie about keys.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config/config_values.h"
#include "common/base/upcase.h"

namespace {

void check(bool ok) {
  if (!ok) abort();
}

class FakeDrives : public fb::DriveResolver {
 public:
  bool resolve(char16_t letter, fb::Str16* device) override {
    if (letter == u'Q') return false;  // a missing drive
    name_ = u"\\Device\\HarddiskVolume" + std::u16string(1, static_cast<char16_t>(u'0' + letter % 10));
    *device = fb::Str16(name_.data(), static_cast<uint32_t>(name_.size()));
    return true;
  }

 private:
  std::u16string name_;
};

bool inside(fb::Str16 s, const void* block, size_t bytes) {
  const auto* b = static_cast<const uint8_t*>(block);
  const auto* p = reinterpret_cast<const uint8_t*>(s.data);
  return s.len == 0 || (p >= b && p + 2 * static_cast<size_t>(s.len) <= b + bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fb::RawConfig raw;
  std::vector<std::unique_ptr<char16_t[]>> blocks;  // char16_t: list data is 2-byte aligned
  size_t at = 0;
  while (at + 4 <= size) {
    const uint32_t key = data[at] % fb::kConfigKeyCount;
    const uint32_t type = data[at + 1] % 12;
    uint32_t bytes = static_cast<uint32_t>(data[at + 2] | data[at + 3] << 8);
    at += 4;
    if (bytes > size - at) bytes = static_cast<uint32_t>(size - at);
    std::unique_ptr<char16_t[]> block(new char16_t[bytes / 2 + 1]);
    memcpy(block.get(), data + at, bytes);
    at += bytes;
    fb::RawValue& v = raw.values[key];
    v.present = true;
    v.type = type;
    v.data = block.get();
    v.size = bytes;
    blocks.push_back(std::move(block));
  }

  fb::ConfigReports reports;
  const fb::EngineConfig engine = fb::parse_engine_config(raw, &reports);
  const fb::EngineConfig sane = fb::sanitize_config(engine);
  check(sane.max_versions == engine.max_versions && engine.max_versions >= 1 &&
        engine.max_versions <= fb::kMaxBackupVersions && engine.max_file_size >= 1);

  const fb::ConfigKey list_keys[] = {fb::ConfigKey::kProtectedFolders, fb::ConfigKey::kFolderNames,
                                     fb::ConfigKey::kIncludeExtensions, fb::ConfigKey::kExcludeExtensions};
  std::vector<fb::Str16> storage[4];
  fb::RuleList lists[4];
  for (int i = 0; i < 4; ++i) {
    const fb::RawValue& v = raw[list_keys[i]];
    const uint32_t bound = fb::list_item_bound(v);
    storage[i].resize(bound);
    lists[i] = fb::parse_list(raw, list_keys[i], storage[i].data(), bound, &reports);
    check(lists[i].count <= fb::kMaxRulesPerList);
    if (lists[i].items == storage[i].data())
      for (uint32_t j = 0; j < lists[i].count; ++j) check(inside(lists[i].items[j], v.data, v.size));
  }
  auto filter = [&](int i, fb::RuleListId id) {
    if (lists[i].items == storage[i].data())
      lists[i].count = fb::drop_invalid_rules(id, list_keys[i], storage[i].data(), lists[i].count, &reports);
  };
  filter(1, fb::RuleListId::kFolderNames);
  filter(2, fb::RuleListId::kIncludeExtensions);
  filter(3, fb::RuleListId::kExcludeExtensions);

  FakeDrives drives;
  const uint64_t units = fb::protected_folders_units(lists[0].items, lists[0].count);
  std::vector<char16_t> text(units + 1);
  std::vector<fb::Str16> folders(lists[0].count + 1);
  uint32_t folder_count = fb::resolve_protected_folders(lists[0].items, lists[0].count, drives, text.data(), units,
                                                        folders.data(), &reports);
  for (uint32_t j = 0; j < folder_count; ++j) check(inside(folders[j], text.data(), units * 2));
  folder_count = fb::drop_invalid_rules(fb::RuleListId::kFolderPaths, fb::ConfigKey::kProtectedFolders,
                                        folders.data(), folder_count, &reports);

  fb::RuleConfig config;
  config.folder_paths = fb::RuleList{folders.data(), folder_count};
  config.folder_names = lists[1];
  config.include_extensions = lists[2];
  config.exclude_extensions = lists[3];
  size_t bytes = 0;
  const fb::RuleConfig final_config = fb::finish_rule_config(config, &reports, &bytes);
  std::unique_ptr<uint64_t[]> block(new uint64_t[bytes / 8 + 1]);
  const fb::RuleSet* rules = nullptr;
  check(fb::compile_rules(final_config, block.get(), bytes, fb::upcase_native, &rules).ok());

  for (uint32_t i = 0; i < reports.count(); ++i) {
    check(static_cast<uint32_t>(reports[i].key) < fb::kConfigKeyCount);
    check(reports[i].problem != fb::ValueProblem::kNone);
    check(strcmp(fb::value_problem_text(reports[i].problem), "unknown problem") != 0);
  }
  return 0;
}
