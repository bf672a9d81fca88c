#include "rules.h"

#include "event.h"
#include "rules_hash.h"

namespace fb {
namespace {

using rules_detail::hash_name;

constexpr Str16 kDefaultFolderNames[] = {Str16::lit(u"documents"), Str16::lit(u"pictures")};
constexpr uint32_t kListCount = 4;
constexpr uint32_t kMinSlots = 8;

constexpr uint64_t round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

// Slots for `count` rules: a power of two at least twice the count, so a probe always meets an
// empty slot and stays short.
uint32_t slot_count(uint32_t count) {
  if (count == 0) return 0;
  uint32_t slots = kMinSlots;
  while (slots < 2 * count) slots *= 2;
  return slots;
}

bool is_dot_name(Str16 s) { return (s.len == 1 && s[0] == u'.') || (s.len == 2 && s[0] == u'.' && s[1] == u'.'); }

bool has_unit(Str16 s, char16_t unit) {
  for (uint32_t i = 0; i < s.len; ++i)
    if (s[i] == unit) return true;
  return false;
}

RuleError check_folder_name(Str16 name) {
  if (name.empty()) return RuleError::kEmptyRule;
  if (name.len > kMaxRuleNameUnits) return RuleError::kRuleTooLong;
  if (has_unit(name, u'\\') || has_unit(name, u':') || has_unit(name, 0)) return RuleError::kInvalidCharacter;
  if (is_dot_name(name)) return RuleError::kPathMalformed;
  return RuleError::kNone;
}

RuleError check_extension(Str16 ext) {
  if (ext.empty()) return RuleError::kEmptyRule;
  if (ext.len > kMaxRuleNameUnits) return RuleError::kRuleTooLong;
  if (has_unit(ext, u'\\') || has_unit(ext, u':') || has_unit(ext, 0) || has_unit(ext, u'.'))
    return RuleError::kInvalidCharacter;
  return RuleError::kNone;
}

RuleError check_folder_path(Str16 path) {
  if (path.empty()) return RuleError::kEmptyRule;
  if (path.len > kMaxPathUnits) return RuleError::kRuleTooLong;
  if (path[0] != u'\\') return RuleError::kPathNotAbsolute;
  if (has_unit(path, u':') || has_unit(path, 0)) return RuleError::kInvalidCharacter;
  RuleError error = RuleError::kNone;
  any_component(path, [&](uint32_t start, uint32_t end) {
    const Str16 component = path.sub(start, end - start);
    if (component.empty() || is_dot_name(component)) error = RuleError::kPathMalformed;
    else if (component.len > kMaxRuleNameUnits) error = RuleError::kRuleTooLong;
    return error != RuleError::kNone;
  });
  return error;
}

// The rule as it is stored: extensions lose one leading dot, paths one trailing backslash.
Str16 normalize(RuleListId list, Str16 rule) {
  const bool is_extension = list == RuleListId::kIncludeExtensions || list == RuleListId::kExcludeExtensions;
  if (is_extension && rule.len > 0 && rule[0] == u'.') return rule.from(1);
  if (list == RuleListId::kFolderPaths && rule.len > 1 && rule[rule.len - 1] == u'\\') return rule.sub(0, rule.len - 1);
  return rule;
}

RuleError check_rule(RuleListId list, Str16 rule) {
  if (rule.data == nullptr && rule.len > 0) return RuleError::kNullList;
  switch (list) {
    case RuleListId::kFolderNames: return check_folder_name(rule);
    case RuleListId::kFolderPaths: return check_folder_path(rule);
    default: return check_extension(rule);
  }
}

const RuleList& list_of(const RuleConfig& config, RuleListId id) {
  switch (id) {
    case RuleListId::kFolderNames: return config.folder_names;
    case RuleListId::kFolderPaths: return config.folder_paths;
    case RuleListId::kIncludeExtensions: return config.include_extensions;
    default: return config.exclude_extensions;
  }
}

RuleStatus failure(RuleError error, RuleListId list, uint32_t index) {
  RuleStatus status;
  status.error = error;
  status.list = list;
  status.index = index;
  return status;
}

}  // namespace

// Lays the rule set out in its storage block:
//   [RuleSet][filters: 3 bitmaps][slots of lists 0..3][rule texts: uint32 len + upcased units]
struct RuleCompiler {
  static constexpr uint64_t header_bytes() { return round_up(sizeof(RuleSet), 8); }
  static constexpr uint64_t filter_bytes() { return uint64_t{RuleSet::kFilterCount} * rules_detail::kFilterBits / 8; }
  static uint64_t record_bytes(Str16 text) { return round_up(sizeof(uint32_t) + 2ull * text.len, 4); }

  static RuleStatus measure(const RuleConfig& config, uint64_t* bytes) {
    uint64_t total = header_bytes() + filter_bytes();
    for (uint32_t l = 0; l < kListCount; ++l) {
      const RuleListId id = static_cast<RuleListId>(l);
      const RuleList& list = list_of(config, id);
      if (list.count > kMaxRulesPerList) return failure(RuleError::kTooManyRules, id, list.count);
      if (list.count > 0 && list.items == nullptr) return failure(RuleError::kNullList, id, 0);
      total += uint64_t{slot_count(list.count)} * sizeof(RuleSet::Slot);
      for (uint32_t i = 0; i < list.count; ++i) {
        const RuleError error = check_rule(id, normalize(id, list.items[i]));
        if (error != RuleError::kNone) return failure(error, id, i);
        total += record_bytes(normalize(id, list.items[i]));
      }
    }
    if (total > kMaxRuleStorageBytes) return failure(RuleError::kRulesTooLarge, RuleListId::kFolderNames, 0);
    *bytes = total;
    return RuleStatus{};
  }

  RuleSet* set;
  uint8_t* base;
  uint32_t next_free;

  RuleCompiler(void* storage, UpcaseFn upcase) : set(new (storage) RuleSet()), base(static_cast<uint8_t*>(storage)) {
    set->upcase_ = upcase;
    set->ascii_apart_ = rules_detail::upcase_keeps_ascii_apart(upcase);
    set->filters_offset_ = static_cast<uint32_t>(header_bytes());
    for (uint64_t i = 0; i < filter_bytes(); ++i) base[set->filters_offset_ + i] = 0;
    next_free = static_cast<uint32_t>(header_bytes() + filter_bytes());
  }

  const RuleSet* finish() {
    set->storage_bytes_ = next_free;
    return set;
  }

  void lay_out_tables(const RuleConfig& config) {
    for (uint32_t l = 0; l < kListCount; ++l) {
      const uint32_t slots = slot_count(list_of(config, static_cast<RuleListId>(l)).count);
      RuleSet::Table& table = set->tables_[l];
      table.slots_offset = next_free;
      table.mask = slots ? slots - 1 : 0;
      table.count = 0;
      RuleSet::Slot* slot = slots_of(table);
      for (uint32_t i = 0; i < slots; ++i) slot[i] = RuleSet::Slot{0, 0};
      next_free += slots * static_cast<uint32_t>(sizeof(RuleSet::Slot));
    }
  }

  RuleSet::Slot* slots_of(const RuleSet::Table& table) { return reinterpret_cast<RuleSet::Slot*>(base + table.slots_offset); }

  void set_filter_bit(RuleSet::Filter filter, uint32_t bit) {
    uint8_t* bitmap = base + set->filters_offset_ + filter * (rules_detail::kFilterBits / 8);
    bitmap[bit / 8] = static_cast<uint8_t>(bitmap[bit / 8] | (1u << (bit % 8)));
  }

  uint32_t store_upcased(Str16 text) {
    const uint32_t offset = next_free;
    __builtin_memcpy(base + offset, &text.len, sizeof text.len);
    char16_t* units = reinterpret_cast<char16_t*>(base + offset + sizeof(uint32_t));
    for (uint32_t i = 0; i < text.len; ++i) units[i] = upcase_unit(text[i], set->upcase_);
    next_free += static_cast<uint32_t>(record_bytes(text));
    return offset;
  }

  // Adds text under its hash unless an equal rule is already there.
  void insert(RuleSet::Table& table, Str16 text) {
    const uint64_t hash = hash_name(text, set->upcase_);
    if (set->contains(table, hash, text)) return;
    RuleSet::Slot* slots = slots_of(table);
    uint32_t i = static_cast<uint32_t>(hash) & table.mask;
    while (slots[i].string_offset != 0) i = (i + 1) & table.mask;
    slots[i].tag = static_cast<uint32_t>(hash >> 32);
    slots[i].string_offset = store_upcased(text);
    ++table.count;
  }

  void add_rule(RuleListId id, Str16 rule) {
    switch (id) {
      case RuleListId::kFolderNames:
        set_filter_bit(RuleSet::kNameFilter, rules_detail::name_filter_bit(rule, set->upcase_, set->ascii_apart_));
        break;
      case RuleListId::kFolderPaths: {
        set_filter_bit(RuleSet::kPathFilter, rules_detail::prefix_filter_bit(rule, set->upcase_, set->ascii_apart_));
        set->path_lengths_[(rule.len / 64) % 64] |= uint64_t{1} << (rule.len % 64);
        if (set->shortest_path_ == 0 || rule.len < set->shortest_path_) set->shortest_path_ = rule.len;
        break;
      }
      default:
        set_filter_bit(RuleSet::kExtensionFilter, rules_detail::name_filter_bit(rule, set->upcase_, set->ascii_apart_));
        break;
    }
    insert(set->tables_[static_cast<uint32_t>(id)], rule);
  }
};

NtStatus RuleStatus::nt_status() const {
  switch (error) {
    case RuleError::kNone: return nt::kSuccess;
    case RuleError::kStorageTooSmall:
    case RuleError::kStorageMisaligned: return nt::kBufferTooSmall;
    default: return nt::kInvalidParameter;
  }
}

RuleConfig default_rule_config() {
  RuleConfig config;
  config.folder_names.items = kDefaultFolderNames;
  config.folder_names.count = sizeof kDefaultFolderNames / sizeof kDefaultFolderNames[0];
  return config;
}

RuleStatus rules_storage_size(const RuleConfig& config, size_t* bytes) {
  uint64_t total = 0;
  const RuleStatus status = RuleCompiler::measure(config, &total);
  *bytes = status.ok() ? static_cast<size_t>(total) : 0;
  return status;
}

RuleStatus compile_rules(const RuleConfig& config, void* storage, size_t size, UpcaseFn upcase,
                         const RuleSet** out) {
  uint64_t needed = 0;
  const RuleStatus status = RuleCompiler::measure(config, &needed);
  if (!status.ok()) return status;
  if (upcase == nullptr) return failure(RuleError::kNoUpcase, RuleListId::kFolderNames, 0);
  if (storage == nullptr || size < needed) return failure(RuleError::kStorageTooSmall, RuleListId::kFolderNames, 0);
  if (reinterpret_cast<uintptr_t>(storage) % kRuleStorageAlignment != 0)
    return failure(RuleError::kStorageMisaligned, RuleListId::kFolderNames, 0);

  RuleCompiler compiler(storage, upcase);
  compiler.lay_out_tables(config);
  for (uint32_t l = 0; l < kListCount; ++l) {
    const RuleListId id = static_cast<RuleListId>(l);
    const RuleList& list = list_of(config, id);
    for (uint32_t i = 0; i < list.count; ++i) compiler.add_rule(id, normalize(id, list.items[i]));
  }
  *out = compiler.finish();
  return RuleStatus{};
}

// --- matching --------------------------------------------------------------------------------

inline bool RuleSet::filter_has(Filter filter, uint32_t bit) const {
  const uint8_t* bitmap = reinterpret_cast<const uint8_t*>(this) + filters_offset_ + filter * (rules_detail::kFilterBits / 8);
  return (bitmap[bit / 8] >> (bit % 8)) & 1;
}

Str16 RuleSet::string_at(uint32_t offset) const {
  const uint8_t* base = reinterpret_cast<const uint8_t*>(this);
  uint32_t len;
  __builtin_memcpy(&len, base + offset, sizeof len);
  return Str16(reinterpret_cast<const char16_t*>(base + offset + sizeof(uint32_t)), len);
}

// Whether `text` (as written; compared upcased) is in `table`, looked up by its hash.
bool RuleSet::contains(const Table& table, uint64_t hash, Str16 text) const {
  if (table.count == 0) return false;
  const Slot* slots = reinterpret_cast<const Slot*>(reinterpret_cast<const uint8_t*>(this) + table.slots_offset);
  const uint32_t tag = static_cast<uint32_t>(hash >> 32);
  for (uint32_t i = static_cast<uint32_t>(hash) & table.mask;; i = (i + 1) & table.mask) {
    const Slot& slot = slots[i];
    if (slot.string_offset == 0) return false;
    if (slot.tag != tag) continue;
    const Str16 rule = string_at(slot.string_offset);
    if (rule.len != text.len) continue;
    uint32_t k = 0;
    while (k < text.len && upcase_unit(text[k], upcase_) == rule[k]) ++k;
    if (k == text.len) return true;
  }
}

// The filter bit first (inline, the same cost for 2 rules as for 1000), then the hash table.
inline bool RuleSet::is_folder_name(Str16 component) const {
  if (!filter_has(kNameFilter, rules_detail::name_filter_bit(component, upcase_, ascii_apart_))) return false;
  return contains(table(RuleListId::kFolderNames), hash_name(component, upcase_), component);
}

inline bool RuleSet::is_folder_path(Str16 prefix) const {
  if (!filter_has(kPathFilter, rules_detail::prefix_filter_bit(prefix, upcase_, ascii_apart_))) return false;
  return contains(table(RuleListId::kFolderPaths), hash_name(prefix, upcase_), prefix);
}

// Folder-path rules that end inside the volume name or at its end (`\Device\HarddiskVolume3`:
// the whole volume). Only configurations with such a short rule pay for this walk.
bool RuleSet::volume_prefix_covered(const NtPathParts& parts) const {
  const Str16 dir = parts.directory;
  return any_component(parts.volume, [&](uint32_t start, uint32_t end) {
    return end != start && path_length_listed(end) && is_folder_path(dir.sub(0, end));
  });
}

// One walk over the components of the parent. Each costs a filter probe for folder names and a
// bit test of its prefix length for folder paths, whatever the number of rules; the hash tables
// are consulted only for what passes.
RuleVerdict RuleSet::folder_verdict(const NtPathParts& parts) const {
  const bool names = table(RuleListId::kFolderNames).count != 0;
  const bool paths = table(RuleListId::kFolderPaths).count != 0;
  if (!names && !paths) return RuleVerdict::kNotCovered;
  if (paths && shortest_path_ <= parts.volume.len && volume_prefix_covered(parts)) return RuleVerdict::kFolderPath;
  const Str16 dir = parts.directory;
  const Str16 parent = parts.parent;
  const uint32_t parent_at = parts.volume.len;  // parent == dir.from(parent_at)
  RuleVerdict verdict = RuleVerdict::kNotCovered;
  any_component(parent, [&](uint32_t start, uint32_t end) {
    if (end == start) return false;  // only a hand-made NtPathParts has empty components
    if (names && is_folder_name(parent.sub(start, end - start))) {
      verdict = RuleVerdict::kFolderName;
    } else if (paths && path_length_listed(parent_at + end) &&
               is_folder_path(dir.sub(0, parent_at + end))) {
      verdict = RuleVerdict::kFolderPath;
    }
    return verdict != RuleVerdict::kNotCovered;
  });
  return verdict;
}

// Only called when some extension is listed.
RuleVerdict RuleSet::extension_verdict(Str16 file_name) const {
  const Table& include = table(RuleListId::kIncludeExtensions);
  const Table& exclude = table(RuleListId::kExcludeExtensions);
  const Str16 ext = file_extension(file_name);
  const bool listed = !ext.empty() && filter_has(kExtensionFilter, rules_detail::name_filter_bit(ext, upcase_, ascii_apart_));
  const uint64_t hash = listed ? hash_name(ext, upcase_) : 0;
  if (listed && contains(exclude, hash, ext)) return RuleVerdict::kExtensionExcluded;
  if (include.count != 0 && !(listed && contains(include, hash, ext))) return RuleVerdict::kExtensionNotIncluded;
  return RuleVerdict::kNotCovered;
}

RuleVerdict RuleSet::evaluate(const NtPathParts& parts) const {
  if (parts.volume_only || parts.file_name.empty()) return RuleVerdict::kNotAFile;
  if (table(RuleListId::kIncludeExtensions).count != 0 || table(RuleListId::kExcludeExtensions).count != 0) {
    const RuleVerdict by_extension = extension_verdict(parts.file_name);
    if (by_extension != RuleVerdict::kNotCovered) return by_extension;
  }
  return folder_verdict(parts);
}

bool RuleSet::matches(Str16 nt_path) const {
  NtPathParts parts;
  if (!nt_success(parse_nt_path(nt_path, &parts))) return false;
  return matches(parts);
}

}  // namespace fb
