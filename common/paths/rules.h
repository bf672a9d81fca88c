// Which files FileBackup protects: folder-name rules (any parent folder with that name),
// folder-path rules (a folder and everything below it, as NT paths the driver has resolved:
// `\Device\HarddiskVolume3\Users\me\Documents`), and extension include / exclude lists
// (an empty include list includes every extension).
//
// Names compare the way NTFS compares them: upcased UTF-16 units, whole path components only
// (`\mydocuments\` is not `documents`), and only the folders above the file count (a file named
// `documents` is not in a `documents` folder). A file is protected when a folder rule covers it,
// its extension is not excluded, and the include list is empty or lists its extension.
//
// Rules are compiled once, at load time, into one block of caller-provided storage: hash tables
// of upcased names, path prefixes and extensions, each behind a bitmap filter keyed by length
// and first/last unit, so a match costs one filter probe per parent folder whether there are 2
// rules or 1000 (see common/paths/rules_hash.h). The compiled RuleSet refers only to its own block (by offsets), never changes, and
// can be published with a single pointer swap. Matching never allocates and never writes.
//
//   size_t bytes;  rules_storage_size(config, &bytes);       // validates, sizes
//   void* block = allocate(bytes);                           // kRuleStorageAlignment-aligned
//   const RuleSet* rules;  compile_rules(config, block, bytes, RtlUpcaseUnicodeChar, &rules);
//   rules->matches(parts);                                   // parts from parse_nt_path
#pragma once

#include "common/base/fb_base.h"
#include "common/paths/nt_path.h"
#include "common/base/upcase.h"

namespace fb {

struct RuleList {
  const Str16* items = nullptr;
  uint32_t count = 0;
};

struct RuleConfig {
  RuleList folder_names;        // `documents`
  RuleList folder_paths;        // `\Device\HarddiskVolume3\Users\me\Documents` (a trailing `\` is ignored)
  RuleList include_extensions;  // `docx` or `.docx`
  RuleList exclude_extensions;  // `tmp` or `.tmp`
};

// Folder names `documents` and `pictures`, nothing else: what the driver uses when the
// configuration names no rules.
RuleConfig default_rule_config();

constexpr uint32_t kMaxRulesPerList = 4096;
constexpr uint32_t kMaxRuleNameUnits = 255;               // a folder name or an extension (NTFS limit)
constexpr uint32_t kMaxRuleStorageBytes = 16u << 20;      // whole compiled set
constexpr uint32_t kRuleStorageAlignment = 8;

enum class RuleListId : uint8_t {
  kFolderNames = 0,
  kFolderPaths = 1,
  kIncludeExtensions = 2,
  kExcludeExtensions = 3,
};

enum class RuleError : uint8_t {
  kNone = 0,
  kEmptyRule = 1,           // "" (or "." for an extension)
  kInvalidCharacter = 2,    // `\` in a name, `:` or NUL anywhere, `.` inside an extension
  kRuleTooLong = 3,         // name/extension over kMaxRuleNameUnits, path over kMaxPathUnits
  kPathNotAbsolute = 4,     // a folder path not starting with `\`
  kPathMalformed = 5,       // empty, `.` or `..` component in a folder path; `.`/`..` as a name
  kTooManyRules = 6,        // a list longer than kMaxRulesPerList
  kNullList = 7,            // count > 0 with no items, or a null Str16 with len > 0
  kRulesTooLarge = 8,       // the compiled set would exceed kMaxRuleStorageBytes
  kStorageTooSmall = 9,     // compile_rules: size below what rules_storage_size said
  kStorageMisaligned = 10,  // compile_rules: storage not kRuleStorageAlignment-aligned
  kNoUpcase = 11,           // compile_rules: no upcase function
};

// Which rule was wrong, for the driver's log.
struct RuleStatus {
  RuleError error = RuleError::kNone;
  RuleListId list = RuleListId::kFolderNames;
  uint32_t index = 0;  // position in that list

  bool ok() const { return error == RuleError::kNone; }
  NtStatus nt_status() const;  // kSuccess, kBufferTooSmall for storage problems, else kInvalidParameter
};

// Why a path is or is not protected.
enum class RuleVerdict : uint8_t {
  kNotCovered = 0,            // no folder rule covers the file
  kFolderName = 1,            // protected: a parent folder has a listed name
  kFolderPath = 2,            // protected: below a listed folder path
  kExtensionExcluded = 3,     // on the exclude list
  kExtensionNotIncluded = 4,  // the include list is not empty and does not list it
  kNotAFile = 5,              // the volume or its root directory
};

class RuleSet {
 public:
  // True when the file (its default stream, whatever stream `parts` names) is protected.
  bool matches(const NtPathParts& parts) const {
    const RuleVerdict v = evaluate(parts);
    return v == RuleVerdict::kFolderName || v == RuleVerdict::kFolderPath;
  }
  // Parses first; a name that does not parse matches nothing.
  bool matches(Str16 nt_path) const;
  RuleVerdict evaluate(const NtPathParts& parts) const;

  uint32_t rule_count(RuleListId list) const { return tables_[static_cast<int>(list)].count; }
  uint32_t storage_bytes() const { return storage_bytes_; }

 private:
  friend struct RuleCompiler;
  struct Table {
    uint32_t slots_offset;  // from `this` to the first Slot
    uint32_t mask;          // slot count - 1 (a power of two)
    uint32_t count;         // distinct rules stored
  };
  struct Slot {
    uint32_t tag;            // high half of the hash
    uint32_t string_offset;  // from `this` to the rule's text; 0 = empty slot
  };
  enum Filter : uint32_t { kNameFilter = 0, kPathFilter = 1, kExtensionFilter = 2, kFilterCount = 3 };

  RuleSet() = default;
  // Only ever constructed in place, in its storage block, by compile_rules.
  static void* operator new(size_t, void* where) noexcept { return where; }
  const Table& table(RuleListId list) const { return tables_[static_cast<uint32_t>(list)]; }
  const uint8_t* filter(Filter which) const;
  bool filter_has(Filter which, uint32_t bit) const;
  Str16 string_at(uint32_t offset) const;  // a rule's upcased text: uint32 len, then the units
  bool contains(const Table& table, uint64_t hash, Str16 text) const;
  bool equals_upcased(Str16 text, Str16 rule) const;
  bool path_length_listed(uint32_t len) const { return (path_lengths_[(len / 64) % 64] >> (len % 64)) & 1; }
  bool is_folder_name(Str16 component) const;
  bool is_folder_path(Str16 prefix) const;
  static Str16 extension_of(const NtPathParts& parts);
  RuleVerdict extension_verdict(const NtPathParts& parts) const;
  bool volume_prefix_covered(const NtPathParts& parts) const;
  static uint32_t readable_from_parent(const NtPathParts& parts);
  RuleVerdict component_verdict(const NtPathParts& parts, uint32_t start, uint32_t end) const;
  RuleVerdict folder_verdict_plain(const NtPathParts& parts) const;
  RuleVerdict folder_verdict_screened(const NtPathParts& parts, uint32_t readable) const;
  RuleVerdict folder_verdict(const NtPathParts& parts) const;

  UpcaseFn upcase_ = nullptr;
  bool ascii_apart_ = false;        // rules_detail::upcase_keeps_ascii_apart(upcase_)
  uint64_t path_lengths_[64] = {};  // bit (n mod 4096) set: a folder-path rule is n units long
  uint32_t shortest_path_ = 0;      // length of the shortest folder-path rule
  Table tables_[4] = {};
  uint32_t filters_offset_ = 0;    // kFilterCount bitmaps of rules_detail::kFilterBits bits
  uint32_t storage_bytes_ = 0;
};

// Validates config and says how many bytes compile_rules needs.
RuleStatus rules_storage_size(const RuleConfig& config, size_t* bytes);

// Builds the RuleSet at the start of storage (aligned to kRuleStorageAlignment, at least the
// size above). *out is set only on success. Nothing outside storage is kept: config's strings
// may be freed afterwards. upcase must stay callable as long as the set is used.
RuleStatus compile_rules(const RuleConfig& config, void* storage, size_t size, UpcaseFn upcase,
                         const RuleSet** out);

}  // namespace fb
