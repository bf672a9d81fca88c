#include "monitor/lib/text.h"

#include <stdio.h>

namespace fbmon {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_high_surrogate(char16_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool is_low_surrogate(char16_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void append_utf16(std::u16string& out, char32_t cp) {
  if (cp < 0x10000) {
    out += static_cast<char16_t>(cp);
  } else {
    cp -= 0x10000;
    out += static_cast<char16_t>(0xD800 + (cp >> 10));
    out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
  }
}

// Decodes one UTF-8 sequence at text[i]; advances i. Overlong forms, surrogates and
// truncated sequences decode as U+FFFD consuming one byte.
char32_t next_code_point(const std::string& text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) { ++i; return lead; }
  int extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) { extra = 1; cp = lead & 0x1F; min = 0x80; }
  else if ((lead & 0xF0) == 0xE0) { extra = 2; cp = lead & 0x0F; min = 0x800; }
  else if ((lead & 0xF8) == 0xF0) { extra = 3; cp = lead & 0x07; min = 0x10000; }
  else { ++i; return kReplacement; }
  if (i + extra >= text.size()) { ++i; return kReplacement; }  // truncated
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) { ++i; return kReplacement; }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { ++i; return kReplacement; }
  i += extra + 1;
  return cp;
}

}  // namespace

std::string to_utf8(fb::Str16 text) {
  std::string out;
  out.reserve(text.len);
  for (uint32_t i = 0; i < text.len; ++i) {
    const char16_t c = text[i];
    if (is_high_surrogate(c) && i + 1 < text.len && is_low_surrogate(text[i + 1])) {
      append_utf8(out, 0x10000 + ((char32_t(c) - 0xD800) << 10) + (char32_t(text[i + 1]) - 0xDC00));
      ++i;
    } else if (is_high_surrogate(c) || is_low_surrogate(c)) {
      append_utf8(out, kReplacement);
    } else {
      append_utf8(out, c);
    }
  }
  return out;
}

std::string to_utf8(const std::u16string& text) { return to_utf8(view(text)); }

std::u16string to_utf16(const std::string& text) {
  std::u16string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) append_utf16(out, next_code_point(text, i));
  return out;
}

char16_t ascii_upper(char16_t c) { return (c >= u'a' && c <= u'z') ? static_cast<char16_t>(c - 32) : c; }

bool equal_ascii_nocase(fb::Str16 a, fb::Str16 b) {
  if (a.len != b.len) return false;
  for (uint32_t i = 0; i < a.len; ++i)
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  return true;
}

bool starts_with_ascii_nocase(fb::Str16 text, fb::Str16 prefix) {
  return text.len >= prefix.len && equal_ascii_nocase(text.sub(0, prefix.len), prefix);
}

bool contains_ascii_nocase(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return true;
  const auto upper = [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; };
  for (size_t start = 0; start + needle.size() <= haystack.size(); ++start) {
    size_t k = 0;
    while (k < needle.size() && upper(haystack[start + k]) == upper(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

std::string format_size(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  char buf[32];
  if (bytes < 1024) {
    snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    return buf;
  }
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 6) { value /= 1024.0; ++unit; }
  // Round first, then pick the precision, so 1023.96 KiB does not print as "1024.0 KiB".
  if (value >= 999.5 && unit < 6) { value /= 1024.0; ++unit; }
  const int decimals = value < 9.995 ? 2 : (value < 99.95 ? 1 : 0);
  snprintf(buf, sizeof buf, "%.*f %s", decimals, value, kUnits[unit]);
  return buf;
}

std::string format_duration(uint64_t units_100ns) {
  char buf[32];
  const double ms = static_cast<double>(units_100ns) / 10000.0;
  if (ms < 10.0) snprintf(buf, sizeof buf, "%.1f ms", ms);
  else if (ms < 1000.0) snprintf(buf, sizeof buf, "%.0f ms", ms);
  else snprintf(buf, sizeof buf, "%.2f s", ms / 1000.0);
  return buf;
}

std::string format_hex32(uint32_t value) {
  char buf[16];
  snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(value));
  return buf;
}

}  // namespace fbmon
