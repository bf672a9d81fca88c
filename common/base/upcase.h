// Case-insensitive comparison the way NTFS compares names: every UTF-16 code unit is mapped
// through an upcase table (1:1, no folding of ß to SS, no normalization), then compared.
//
// The driver passes RtlUpcaseUnicodeChar; native builds and tests use fb::upcase_native, which
// reproduces the $UpCase table Windows (Vista and later) writes when it formats an NTFS volume
// for the ASCII, Latin-1 Supplement, Latin Extended-A, Greek and Cyrillic blocks (+ Cyrillic
// Supplement up to U+0513). Everything else maps to itself.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

using UpcaseFn = char16_t (*)(char16_t);

// The NTFS upcase mapping for the blocks above; identity elsewhere. Notable values, all as the
// Windows table has them: U+00DF ß and U+00B5 µ stay, U+00FF ÿ -> U+0178 Ÿ, U+03C2 ς -> U+03A3 Σ,
// U+0131 ı stays (only 'i' maps to 'I').
char16_t upcase_native(char16_t unit);

// Every upcase table NTFS has used maps ASCII a-z to A-Z and leaves the rest of ASCII alone, so
// ASCII units never need the indirect call; other units always go through `upcase`.
inline char16_t upcase_unit(char16_t unit, UpcaseFn upcase) {
  if (unit < 0x80) return (unit >= u'a' && unit <= u'z') ? static_cast<char16_t>(unit - 0x20) : unit;
  return upcase(unit);
}

// a and b have the same length and equal upcased units.
bool equal_ignore_case(Str16 a, Str16 b, UpcaseFn upcase);

// s begins with prefix, comparing upcased units.
bool starts_with_ignore_case(Str16 s, Str16 prefix, UpcaseFn upcase);

}  // namespace fb
