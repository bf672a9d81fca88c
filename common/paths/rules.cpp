#include "common/paths/rules.h"

#include "common/events/event.h"
#include "common/paths/rules_hash.h"

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

inline const uint8_t* RuleSet::filter(Filter which) const {
  return reinterpret_cast<const uint8_t*>(this) + filters_offset_ + which * (rules_detail::kFilterBits / 8);
}

inline bool RuleSet::filter_has(Filter which, uint32_t bit) const { return (filter(which)[bit / 8] >> (bit % 8)) & 1; }


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
    if (rule.len == text.len && equals_upcased(text, rule)) return true;
  }
}

// Whether `text` upcased is `rule` (stored upcased, of the same length): four units per step
// while they are ASCII, then one at a time.
bool RuleSet::equals_upcased(Str16 text, Str16 rule) const {
  uint32_t k = 0;
  for (; k + 4 <= text.len; k += 4) {
    uint64_t word = rules_detail::load4(text.data + k);
    if (!rules_detail::upcase4_ascii(&word)) break;
    if (word != rules_detail::load4(rule.data + k)) return false;
  }
  for (; k < text.len; ++k)
    if (upcase_unit(text[k], upcase_) != rule[k]) return false;
  return true;
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

// The units from parent.data on that may be read: up to the end of file_path when the parent
// lies inside it (always, for parts from parse_nt_path: the file name follows the parent), so
// the 16-unit separator loads seldom need the slower tail cases; else just the parent.
uint32_t RuleSet::readable_from_parent(const NtPathParts& parts) {
  const uintptr_t parent_begin = reinterpret_cast<uintptr_t>(parts.parent.data);
  const uintptr_t path_begin = reinterpret_cast<uintptr_t>(parts.file_path.data);
  const uintptr_t path_end = path_begin + 2ull * parts.file_path.len;
  if (parent_begin < path_begin || parent_begin + 2ull * parts.parent.len > path_end) return parts.parent.len;
  return static_cast<uint32_t>((path_end - parent_begin) / 2);
}

// The full check of a component that passed the filters: parent[start, end).
RuleVerdict RuleSet::component_verdict(const NtPathParts& parts, uint32_t start, uint32_t end) const {
  if (end == start) return RuleVerdict::kNotCovered;  // only a hand-made NtPathParts has empty components
  if (is_folder_name(parts.parent.sub(start, end - start))) return RuleVerdict::kFolderName;
  const uint32_t prefix_len = parts.volume.len + end;  // parent == directory.from(volume.len)
  if (path_length_listed(prefix_len) && is_folder_path(parts.directory.sub(0, prefix_len)))
    return RuleVerdict::kFolderPath;
  return RuleVerdict::kNotCovered;
}

// The first component of the parent that component_verdict covers, walked the plain way: for
// an upcase function that may map non-ASCII units onto ASCII, and for parts too short to read
// 16 units from the parent on (only hand-made ones).
RuleVerdict RuleSet::folder_verdict_plain(const NtPathParts& parts) const {
  RuleVerdict verdict = RuleVerdict::kNotCovered;
  any_component(parts.parent, [&](uint32_t start, uint32_t end) {
    verdict = component_verdict(parts, start, end);
    return verdict != RuleVerdict::kNotCovered;
  });
  return verdict;
}

// The components of the parent, their separators found 64 units at a time with no branch on
// where the parent ends. Screening a component is a probe of the name filter (its length and
// folded first and last units) and one of the path filter (the length of the path up to it and
// its folded last unit): the same code whatever the number and kinds of rules (an unused
// filter is all zeros). What passes is confirmed by component_verdict (the hash tables).
// Needs ascii_apart_ (true for NTFS's table): folding is then a conditional move per unit.
RuleVerdict RuleSet::folder_verdict_screened(const NtPathParts& parts, uint32_t readable) const {
  const char16_t* const units = parts.parent.data;
  const uint32_t len = parts.parent.len;
  const uint8_t* const names = filter(kNameFilter);
  const uint8_t* const paths = filter(kPathFilter);
  const uint32_t parent_at = parts.volume.len;
  uint32_t start = 1;  // after the parent's leading backslash
  for (uint32_t base = 0;; base += 64) {
    // Separators in this block, the parent's end standing in for the last one.
    uint64_t mask = separator_mask64_within(units, base, readable) & ~uint64_t{base == 0};
    const bool last_block = len - base < 64;
    if (last_block) mask = (mask & ((uint64_t{1} << (len - base)) - 1)) | uint64_t{1} << (len - base);
    while (mask != 0) {
      const uint32_t end = base + static_cast<uint32_t>(__builtin_ctzll(mask));
      mask &= mask - 1;
      const uint32_t first_at = start < end ? start : end - 1;  // an empty component has no first unit
      const uint32_t first = rules_detail::fold_ascii_or_bucket(units[first_at]);
      const uint32_t last = rules_detail::fold_ascii_or_bucket(units[end - 1]);
      const uint32_t name_bit = rules_detail::name_filter_bit_of(end - start, first, last);
      const uint32_t path_bit = rules_detail::prefix_filter_bit_of(parent_at + end, last);
      const uint32_t passes = (names[name_bit / 8] >> (name_bit % 8)) | (paths[path_bit / 8] >> (path_bit % 8));
      if (passes & 1) {
        const RuleVerdict verdict = component_verdict(parts, start, end);
        if (verdict != RuleVerdict::kNotCovered) return verdict;
      }
      start = end + 1;
    }
    if (last_block) return RuleVerdict::kNotCovered;
  }
}

RuleVerdict RuleSet::folder_verdict(const NtPathParts& parts) const {
  if (table(RuleListId::kFolderNames).count == 0 && table(RuleListId::kFolderPaths).count == 0)
    return RuleVerdict::kNotCovered;
  if (shortest_path_ != 0 && shortest_path_ <= parts.volume.len && volume_prefix_covered(parts))
    return RuleVerdict::kFolderPath;
  if (parts.parent.len == 0) return RuleVerdict::kNotCovered;
  const uint32_t readable = readable_from_parent(parts);
  if (!ascii_apart_ || readable < 16) return folder_verdict_plain(parts);
  return folder_verdict_screened(parts, readable);
}

// file_extension(parts.file_name), the last dot found with one 16-unit compare when the name
// is at most 16 units and ends file_path (always, for parts from parse_nt_path), reading the
// units of file_path before it.
Str16 RuleSet::extension_of(const NtPathParts& parts) {
  const Str16 name = parts.file_name;
  const Str16 path = parts.file_path;
  const bool name_ends_path = path.len >= 16 && name.len <= 16 && name.len <= path.len &&
                              name.data == path.data + (path.len - name.len);
  if (!name_ends_path) return file_extension(name);
  const uint32_t dots = unit_mask16(path, path.len - 16, u'.') >> (16 - name.len);  // bit i: name[i]
  if (dots == 0) return Str16(name.data + name.len, 0);
  return name.from(32 - static_cast<uint32_t>(__builtin_clz(dots)));
}

// Only called when some extension is listed.
RuleVerdict RuleSet::extension_verdict(const NtPathParts& parts) const {
  const Table& include = table(RuleListId::kIncludeExtensions);
  const Table& exclude = table(RuleListId::kExcludeExtensions);
  const Str16 ext = extension_of(parts);
  const bool listed = !ext.empty() && filter_has(kExtensionFilter, rules_detail::name_filter_bit(ext, upcase_, ascii_apart_));
  const uint64_t hash = listed ? hash_name(ext, upcase_) : 0;
  if (listed && contains(exclude, hash, ext)) return RuleVerdict::kExtensionExcluded;
  if (include.count != 0 && !(listed && contains(include, hash, ext))) return RuleVerdict::kExtensionNotIncluded;
  return RuleVerdict::kNotCovered;
}

RuleVerdict RuleSet::evaluate(const NtPathParts& parts) const {
  if (parts.volume_only || parts.file_name.empty()) return RuleVerdict::kNotAFile;
  if (table(RuleListId::kIncludeExtensions).count != 0 || table(RuleListId::kExcludeExtensions).count != 0) {
    const RuleVerdict by_extension = extension_verdict(parts);
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
