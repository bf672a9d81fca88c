// Hashes used by the compiled rule set. A string is hashed from its length and its first,
// middle and last four upcased units only, so hashing a path component or a path prefix costs
// the same for any length; every hash hit is confirmed by a full comparison, so collisions cost
// time, never correctness. Before hashing, a one-bit filter keyed by even cheaper features
// (length, first and last unit) turns away almost every string no rule can match.
// The compiler hashes rule strings and the matcher hashes paths with these same functions.
#pragma once

#include "common/base/fb_base.h"
#include "common/base/upcase.h"

namespace fb {
namespace rules_detail {

// Four UTF-16 units, little end first, as one 64-bit word.
inline uint64_t load4(const char16_t* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// Upcases four units packed in a word when all are ASCII (a-z -> A-Z, lane by lane without
// branches); returns false, leaving *word alone, when any unit is not ASCII.
inline bool upcase4_ascii(uint64_t* word) {
  constexpr uint64_t kLanes = 0x0001000100010001ull;
  const uint64_t v = *word;
  if (v & (0xFF80 * kLanes)) return false;
  const uint64_t at_least_a = v + (0x80 - u'a') * kLanes;       // bit 7 set where v >= 'a'
  const uint64_t above_z = v + (0x80 - u'z' - 1) * kLanes;      // bit 7 set where v > 'z'
  const uint64_t lower = at_least_a & ~above_z & (0x0080 * kLanes);
  *word = v - (lower >> 2);                                      // 0x80 >> 2 == 'a' - 'A'
  return true;
}

// Up to four units [p, p + n) upcased and packed; n <= 4.
inline uint64_t pack_upcased(const char16_t* p, uint32_t n, UpcaseFn upcase) {
  if (n == 4) {
    uint64_t word = load4(p);
    if (upcase4_ascii(&word)) return word;
  }
  uint64_t word = 0;
  for (uint32_t i = 0; i < n; ++i) word |= static_cast<uint64_t>(upcase_unit(p[i], upcase)) << (16 * i);
  return word;
}

inline uint64_t mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

// Hash of a string (path component, extension, path prefix), case-insensitive through `upcase`.
inline uint64_t hash_name(Str16 name, UpcaseFn upcase) {
  const uint32_t n = name.len < 4 ? name.len : 4;
  const uint64_t head = pack_upcased(name.data, n, upcase);
  if (name.len <= 4) return mix(head * 0x9E3779B97F4A7C15ull + name.len);
  const uint64_t tail = pack_upcased(name.data + name.len - 4, 4, upcase);
  const uint64_t middle = name.len > 8 ? pack_upcased(name.data + name.len / 2 - 2, 4, upcase) : 0;
  return mix(head * 0x9E3779B97F4A7C15ull + (tail ^ name.len) * 0xC2B2AE3D27D4EB4Full + middle * 0x165667B19E3779F9ull);
}

// The filters: bitmaps of kFilterBits bits, indexed directly by a few bits of the features
// (no multiply: this runs once per path component).
constexpr uint32_t kFilterBits = 1u << 14;

// Whether no unit above U+007F upcases to ASCII under `upcase` (true of NTFS's table): then
// every non-ASCII unit can share one filter bucket without asking `upcase`. compile_rules
// checks it once for the function it is given.
inline bool upcase_keeps_ascii_apart(UpcaseFn upcase) {
  if (upcase == upcase_native) return true;  // tests/unit/common/paths/rules_test.cpp checks this
  for (uint32_t unit = 0x80; unit <= 0xFFFF; ++unit)
    if (upcase(static_cast<char16_t>(unit)) < 0x80) return false;
  return true;
}

// A unit folded for the filters: units whose upcased forms are equal fold equal. ASCII letters
// fold to lower case; a non-ASCII unit folds to one bucket (0xA0), or, when the upcase function
// maps some non-ASCII units onto ASCII, like the ASCII unit it upcases to.
// The ASCII-or-bucket fold on its own has no branch (a conditional move), so the matcher can
// fold every component's ends inline.
inline uint32_t fold_ascii_or_bucket(uint32_t unit) { return (unit < 0x80 ? unit : 0x80u) | 0x20u; }

inline uint32_t fold_unit(char16_t unit, UpcaseFn upcase, bool ascii_apart) {
  if (!ascii_apart && unit >= 0x80) return fold_ascii_or_bucket(upcase(unit));
  return fold_ascii_or_bucket(unit);
}

// Filter bit of a name of `len` units whose first and last units fold to `first` and `last`.
inline uint32_t name_filter_bit_of(uint32_t len, uint32_t first, uint32_t last) {
  return (len & 15) | (first & 31) << 4 | (last & 31) << 9;
}

// Filter bit of a non-empty name: its length and its folded first and last units.
inline uint32_t name_filter_bit(Str16 name, UpcaseFn upcase, bool ascii_apart) {
  return name_filter_bit_of(name.len, fold_unit(name.data[0], upcase, ascii_apart),
                            fold_unit(name.data[name.len - 1], upcase, ascii_apart));
}

// Filter bit of a path prefix: its length and its folded last unit.
inline uint32_t prefix_filter_bit_of(uint32_t len, uint32_t last) { return (len & 511) | (last & 31) << 9; }

inline uint32_t prefix_filter_bit(Str16 prefix, UpcaseFn upcase, bool ascii_apart) {
  return prefix_filter_bit_of(prefix.len, fold_unit(prefix.data[prefix.len - 1], upcase, ascii_apart));
}

}  // namespace rules_detail
}  // namespace fb
