#include "monitor/lib/json.h"

#include <stdio.h>

#include "monitor/lib/text.h"

namespace fbmon {
namespace {

void append_escape(std::string& out, unsigned unit) {
  char buf[8];
  snprintf(buf, sizeof buf, "\\u%04x", unit);
  out += buf;
}

// Escapes one ASCII unit if JSON requires it; returns false when it is not ASCII.
bool append_ascii(std::string& out, char32_t c) {
  if (c >= 0x80) return false;
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      if (c < 0x20 || c == 0x7F) append_escape(out, static_cast<unsigned>(c));
      else out += static_cast<char>(c);
  }
  return true;
}

}  // namespace

std::string json_string(fb::Str16 text) {
  std::string out = "\"";
  for (uint32_t i = 0; i < text.len; ++i) {
    const char16_t c = text[i];
    if (append_ascii(out, c)) continue;
    const bool high = c >= 0xD800 && c <= 0xDBFF;
    const bool low = c >= 0xDC00 && c <= 0xDFFF;
    if (high && i + 1 < text.len && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
      out += to_utf8(text.sub(i, 2));
      ++i;
    } else if (high || low) {
      append_escape(out, c);  // lone surrogate: keep the exact unit
    } else {
      out += to_utf8(text.sub(i, 1));
    }
  }
  out += '"';
  return out;
}

std::string json_string(const std::string& utf8) {
  std::string out = "\"";
  for (char c : utf8) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (!append_ascii(out, byte)) out += c;  // multi-byte UTF-8 passes through
  }
  out += '"';
  return out;
}

}  // namespace fbmon
