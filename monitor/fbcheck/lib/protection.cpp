#include "monitor/fbcheck/lib/protection.h"

#include <stdint.h>

#include <vector>

#include "common/base/upcase.h"
#include "common/paths/nt_path.h"
#include "common/paths/rules.h"
#include "monitor/lib/text.h"

namespace fbcheck {
namespace {

// Drive letters from the device table (`C:` -> `\Device\HarddiskVolume3`).
class TableDrives : public fb::DriveResolver {
 public:
  explicit TableDrives(const fbmon::DeviceTable& table) : table_(table) {}
  bool resolve(char16_t letter, fb::Str16* device) override {
    for (const fbmon::DeviceMapping& m : table_.mappings) {
      if (m.dos.size() == 2 && m.dos[1] == u':' && fbmon::ascii_upper(m.dos[0]) == fbmon::ascii_upper(letter)) {
        *device = fbmon::view(m.device);
        return true;
      }
    }
    return false;
  }

 private:
  const fbmon::DeviceTable& table_;
};

fb::RuleList split(const fb::RawConfig& raw, fb::ConfigKey key, std::vector<fb::Str16>& storage,
                   fb::ConfigReports* reports) {
  storage.assign(fb::list_item_bound(raw[key]) + 1, fb::Str16());
  return fb::parse_list(raw, key, storage.data(), static_cast<uint32_t>(storage.size()), reports);
}

// parse_list returns the defaults (read-only) or views into `storage`; only the latter is filtered.
void drop_invalid(fb::RuleListId list, fb::ConfigKey key, std::vector<fb::Str16>& storage, fb::RuleList* rules,
                  fb::ConfigReports* reports) {
  if (rules->count == 0 || rules->items != storage.data()) return;
  rules->count = fb::drop_invalid_rules(list, key, storage.data(), rules->count, reports);
}

const char* verdict_text(fb::RuleVerdict verdict) {
  switch (verdict) {
    case fb::RuleVerdict::kFolderName: return "a parent folder has a name listed in FolderNames";
    case fb::RuleVerdict::kFolderPath: return "it is below a folder listed in ProtectedFolders";
    case fb::RuleVerdict::kNotCovered: return "no folder rule covers it";
    case fb::RuleVerdict::kExtensionExcluded: return "its extension is in ExcludeExtensions";
    case fb::RuleVerdict::kExtensionNotIncluded: return "its extension is not in IncludeExtensions";
    case fb::RuleVerdict::kNotAFile: return "it is a volume or its root";
  }
  return "unknown verdict";
}

}  // namespace

Protection protection_of(const fb::RawConfig& raw, const fbmon::DeviceTable& devices,
                         const std::u16string& win32_file) {
  Protection p;
  fb::ConfigReports reports;
  if (!fb::parse_engine_config(raw, &reports).enabled) {
    p.why = "the driver is disabled (Enabled = 0)";
    return p;
  }
  std::vector<fb::Str16> folders_storage, names_storage, include_storage, exclude_storage;
  const fb::RuleList win32_folders = split(raw, fb::ConfigKey::kProtectedFolders, folders_storage, &reports);
  fb::RuleList names = split(raw, fb::ConfigKey::kFolderNames, names_storage, &reports);
  fb::RuleList include = split(raw, fb::ConfigKey::kIncludeExtensions, include_storage, &reports);
  fb::RuleList exclude = split(raw, fb::ConfigKey::kExcludeExtensions, exclude_storage, &reports);
  drop_invalid(fb::RuleListId::kFolderNames, fb::ConfigKey::kFolderNames, names_storage, &names, &reports);
  drop_invalid(fb::RuleListId::kIncludeExtensions, fb::ConfigKey::kIncludeExtensions, include_storage, &include,
               &reports);
  drop_invalid(fb::RuleListId::kExcludeExtensions, fb::ConfigKey::kExcludeExtensions, exclude_storage, &exclude,
               &reports);

  TableDrives drives(devices);
  std::vector<char16_t> resolved_text(fb::protected_folders_units(win32_folders.items, win32_folders.count) + 1);
  std::vector<fb::Str16> resolved(win32_folders.count + 1);
  fb::RuleList folders;
  folders.items = resolved.data();
  folders.count = win32_folders.count == 0
                      ? 0
                      : fb::resolve_protected_folders(win32_folders.items, win32_folders.count, drives,
                                                      resolved_text.data(), resolved_text.size(), resolved.data(),
                                                      &reports);
  if (folders.count != 0)
    folders.count = fb::drop_invalid_rules(fb::RuleListId::kFolderPaths, fb::ConfigKey::kProtectedFolders,
                                           resolved.data(), folders.count, &reports);

  fb::RuleConfig lists;
  lists.folder_names = names;
  lists.folder_paths = folders;
  lists.include_extensions = include;
  lists.exclude_extensions = exclude;
  size_t bytes = 0;
  const fb::RuleConfig config = fb::finish_rule_config(lists, &reports, &bytes);
  std::vector<uint64_t> storage(bytes / sizeof(uint64_t) + 1);
  const fb::RuleSet* rules = nullptr;
  if (!fb::compile_rules(config, storage.data(), storage.size() * sizeof(uint64_t), fb::upcase_native, &rules).ok()) {
    p.why = "the rules do not compile";
    return p;
  }
  const std::u16string nt = fbmon::win32_to_nt(fbmon::view(win32_file), devices);
  fb::NtPathParts parts;
  if (nt.empty() || !fb::nt_success(fb::parse_nt_path(fbmon::view(nt), &parts))) {
    p.why = "its drive has no NT device name (not a local drive?)";
    return p;
  }
  const fb::RuleVerdict verdict = rules->evaluate(parts);
  p.covered = verdict == fb::RuleVerdict::kFolderName || verdict == fb::RuleVerdict::kFolderPath;
  p.why = verdict_text(verdict);
  return p;
}

}  // namespace fbcheck
