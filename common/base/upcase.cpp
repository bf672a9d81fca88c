#include "common/base/upcase.h"

namespace fb {
namespace {

// Ranges whose lower-case letters sit at a fixed distance from their capitals.
struct ShiftRange {
  char16_t first;  // inclusive
  char16_t last;   // inclusive
  int16_t delta;   // added to the unit
};

// Ranges where capital and small letters alternate: the unit after each even-offset capital
// (first, first+2, ...) is its small letter.
struct PairRange {
  char16_t first_capital;
  char16_t last_small;
};

struct Single {
  char16_t unit;
  char16_t upper;
};

constexpr ShiftRange kShifts[] = {
    {0x00E0, 0x00F6, -32},  // à..ö (÷ U+00F7 is not a letter)
    {0x00F8, 0x00FE, -32},  // ø..þ
    {0x037B, 0x037D, 130},  // ͻ..ͽ -> Ͻ..Ͽ
    {0x03AC, 0x03AC, -38},  // ά -> Ά
    {0x03AD, 0x03AF, -37},  // έ ή ί
    {0x03B1, 0x03C1, -32},  // α..ρ
    {0x03C2, 0x03C2, -31},  // final sigma ς -> Σ
    {0x03C3, 0x03CB, -32},  // σ..ϋ
    {0x03CC, 0x03CC, -64},  // ό -> Ό
    {0x03CD, 0x03CE, -63},  // ύ ώ
    {0x0430, 0x044F, -32},  // а..я
    {0x0450, 0x045F, -80},  // ѐ..џ
};

constexpr PairRange kPairs[] = {
    {0x0100, 0x012F}, {0x0132, 0x0137}, {0x0139, 0x0148}, {0x014A, 0x0177}, {0x0179, 0x017E},
    {0x03D8, 0x03EF}, {0x03F7, 0x03F8}, {0x03FA, 0x03FB}, {0x0460, 0x0481}, {0x048A, 0x04BF},
    {0x04C1, 0x04C4}, {0x04C5, 0x04C8}, {0x04C9, 0x04CE}, {0x04D0, 0x04EB}, {0x04EC, 0x04ED},
    {0x04EE, 0x04F5}, {0x04F6, 0x0513},
};

constexpr Single kSingles[] = {
    {0x00FF, 0x0178},  // ÿ -> Ÿ (in Latin Extended-A)
    {0x03F2, 0x03F9},  // lunate sigma ϲ -> Ϲ
    {0x04CF, 0x04C0},  // palochka ӏ -> Ӏ
};

}  // namespace

char16_t upcase_native(char16_t unit) {
  if (unit < 0x80) return upcase_unit(unit, nullptr);
  for (const Single& s : kSingles)
    if (unit == s.unit) return s.upper;
  for (const ShiftRange& r : kShifts)
    if (unit >= r.first && unit <= r.last) return static_cast<char16_t>(unit + r.delta);
  for (const PairRange& p : kPairs) {
    if (unit > p.first_capital && unit <= p.last_small && ((unit - p.first_capital) & 1) == 1)
      return static_cast<char16_t>(unit - 1);
  }
  return unit;
}

bool equal_ignore_case(Str16 a, Str16 b, UpcaseFn upcase) {
  return a.len == b.len && starts_with_ignore_case(a, b, upcase);
}

bool starts_with_ignore_case(Str16 s, Str16 prefix, UpcaseFn upcase) {
  if (prefix.len > s.len) return false;
  for (uint32_t i = 0; i < prefix.len; ++i) {
    if (s.data[i] == prefix.data[i]) continue;
    if (upcase_unit(s.data[i], upcase) != upcase_unit(prefix.data[i], upcase)) return false;
  }
  return true;
}

}  // namespace fb
