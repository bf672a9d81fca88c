#include "tests/kernel/nt/dbgprint.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "tests/kernel/nt/entry.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/sim/lifecycle.h"

namespace ksim::dbgprint {
namespace {

std::mutex g_mutex;
std::vector<Line> g_lines;

// UTF-16 to UTF-8 (unpaired surrogates become U+FFFD).
void append_utf16(std::string* out, const char16_t* s, size_t units) {
  for (size_t i = 0; i < units; ++i) {
    uint32_t c = s[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < units && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c < 0xE000) {
      c = 0xFFFD;
    }
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (c >> 6)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (c >> 12)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (c >> 18)));
      out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
}

struct Spec {
  bool left = false, plus = false, space = false, zero = false, alt = false;
  int width = 0, precision = -1;
};

void pad(std::string* out, const std::string& body, const Spec& spec, bool numeric) {
  const int fill = spec.width - static_cast<int>(body.size());
  if (fill <= 0) {
    *out += body;
  } else if (spec.left) {
    *out += body + std::string(static_cast<size_t>(fill), ' ');
  } else if (spec.zero && numeric && spec.precision < 0) {
    // Zeros go after any sign or 0x prefix.
    size_t prefix = 0;
    if (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) prefix = 1;
    if (body.size() >= prefix + 2 && body[prefix] == '0' && (body[prefix + 1] == 'x' || body[prefix + 1] == 'X')) prefix += 2;
    *out += body.substr(0, prefix) + std::string(static_cast<size_t>(fill), '0') + body.substr(prefix);
  } else {
    *out += std::string(static_cast<size_t>(fill), ' ') + body;
  }
}

std::string integer(uint64_t magnitude, bool negative, char conv, const Spec& spec) {
  const char* digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  const unsigned base = (conv == 'x' || conv == 'X') ? 16 : conv == 'o' ? 8 : 10;
  std::string d;
  do {
    d.insert(d.begin(), digits[magnitude % base]);
    magnitude /= base;
  } while (magnitude != 0);
  if (spec.precision >= 0 && static_cast<int>(d.size()) < spec.precision)
    d.insert(0, static_cast<size_t>(spec.precision - static_cast<int>(d.size())), '0');
  if (spec.precision == 0 && d == "0") d.clear();
  std::string sign = negative ? "-" : ((conv == 'd' || conv == 'i') && spec.plus) ? "+"
                                      : ((conv == 'd' || conv == 'i') && spec.space) ? " " : "";
  if (spec.alt && base == 16 && d != "0" && !d.empty()) sign += conv == 'X' ? "0X" : "0x";
  if (spec.alt && base == 8 && (d.empty() || d[0] != '0')) d.insert(0, "0");
  return sign + d;
}

}  // namespace

std::string format(const char* f, __builtin_ms_va_list ap) {
  std::string out;
  if (f == nullptr) return "(null format)";
  for (const char* p = f; *p != 0; ++p) {
    if (*p != '%') {
      out.push_back(*p);
      continue;
    }
    ++p;
    if (*p == '%') {
      out.push_back('%');
      continue;
    }
    Spec spec;
    for (;; ++p) {
      if (*p == '-') spec.left = true;
      else if (*p == '+') spec.plus = true;
      else if (*p == ' ') spec.space = true;
      else if (*p == '0') spec.zero = true;
      else if (*p == '#') spec.alt = true;
      else break;
    }
    if (*p == '*') {
      spec.width = __builtin_va_arg(ap, int);
      if (spec.width < 0) {
        spec.left = true;
        spec.width = -spec.width;
      }
      ++p;
    } else {
      while (*p >= '0' && *p <= '9') spec.width = spec.width * 10 + (*p++ - '0');
    }
    if (*p == '.') {
      ++p;
      spec.precision = 0;
      if (*p == '*') {
        spec.precision = __builtin_va_arg(ap, int);
        ++p;
      } else {
        while (*p >= '0' && *p <= '9') spec.precision = spec.precision * 10 + (*p++ - '0');
      }
    }
    // Size prefixes. Windows: l = 32 bits, ll = I64 = 64, I = pointer size (64), h = 16, w = wide.
    int bits = 32;
    bool wide = false, narrow = false;
    if (p[0] == 'I' && p[1] == '6' && p[2] == '4') { bits = 64; p += 3; }
    else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') { bits = 32; p += 3; }
    else if (p[0] == 'I') { bits = 64; ++p; }
    else if (p[0] == 'l' && p[1] == 'l') { bits = 64; p += 2; }
    else if (p[0] == 'l') { bits = 32; wide = true; ++p; }   // %ls / %lc are wide
    else if (p[0] == 'h' && p[1] == 'h') { bits = 8; narrow = true; p += 2; }
    else if (p[0] == 'h') { bits = 16; narrow = true; ++p; }
    else if (p[0] == 'w') { wide = true; ++p; }
    else if (p[0] == 'z') { bits = 64; ++p; }
    const char conv = *p;
    switch (conv) {
      case 'd':
      case 'i': {
        int64_t v = bits == 64 ? __builtin_va_arg(ap, int64_t) : static_cast<int64_t>(__builtin_va_arg(ap, int32_t));
        if (bits == 16) v = static_cast<int16_t>(v);
        if (bits == 8) v = static_cast<int8_t>(v);
        const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        pad(&out, integer(magnitude, v < 0, conv, spec), spec, true);
        break;
      }
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        uint64_t v = bits == 64 ? __builtin_va_arg(ap, uint64_t) : __builtin_va_arg(ap, uint32_t);
        if (bits == 16) v &= 0xffff;
        if (bits == 8) v &= 0xff;
        pad(&out, integer(v, false, conv, spec), spec, true);
        break;
      }
      case 'p': {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(
                                                      reinterpret_cast<uintptr_t>(__builtin_va_arg(ap, void*))));
        pad(&out, buf, spec, false);
        break;
      }
      case 'c':
      case 'C': {
        std::string body;
        if ((conv == 'C' && !narrow) || wide) {
          const char16_t c = static_cast<char16_t>(__builtin_va_arg(ap, int));
          append_utf16(&body, &c, 1);
        } else {
          body.push_back(static_cast<char>(__builtin_va_arg(ap, int)));
        }
        pad(&out, body, spec, false);
        break;
      }
      case 's':
      case 'S': {
        std::string body;
        const bool is_wide = (conv == 'S' && !narrow) || wide;
        if (is_wide) {
          const auto* s = __builtin_va_arg(ap, const char16_t*);
          if (s == nullptr) {
            body = "(null)";
          } else {
            size_t n = 0;
            while (s[n] != 0 && (spec.precision < 0 || static_cast<int>(n) < spec.precision)) ++n;
            append_utf16(&body, s, n);
          }
        } else {
          const char* s = __builtin_va_arg(ap, const char*);
          if (s == nullptr) {
            body = "(null)";
          } else {
            size_t n = 0;
            while (s[n] != 0 && (spec.precision < 0 || static_cast<int>(n) < spec.precision)) ++n;
            body.assign(s, n);
          }
        }
        pad(&out, body, spec, false);
        break;
      }
      case 'Z': {
        // %wZ: UNICODE_STRING*, %Z: ANSI_STRING* (Length, MaximumLength, Buffer).
        std::string body;
        const auto* us = __builtin_va_arg(ap, const nt::UNICODE_STRING*);
        if (us == nullptr || us->Buffer == nullptr) {
          body = "(null)";
        } else if (wide) {
          append_utf16(&body, us->Buffer, us->Length / 2);
        } else {
          body.assign(reinterpret_cast<const char*>(us->Buffer), us->Length);
        }
        pad(&out, body, spec, false);
        break;
      }
      case 0:
        out += "<format ends in %>";
        return out;
      default:
        out += "<unsupported %";
        out.push_back(conv);
        out += ">";
        break;
    }
  }
  return out;
}

namespace {

// DbgPrintEx: IRQL <= DIRQL. Returns STATUS_SUCCESS.
KSIM_API nt::ULONG DbgPrintEx(nt::ULONG component, nt::ULONG level, const char* fmt, ...) {
  KSIM_ENTER(nt::HIGH_LEVEL);
  __builtin_ms_va_list ap;
  __builtin_ms_va_start(ap, fmt);
  Line line{component, level, format(fmt, ap)};
  __builtin_ms_va_end(ap);
  if (std::getenv("KSIM_DBGPRINT") != nullptr) std::fprintf(stderr, "DbgPrintEx: %s", line.text.c_str());
  std::lock_guard<std::mutex> lock(g_mutex);
  g_lines.push_back(std::move(line));
  return 0;
}

const Export kExports[] = {
    {"ntoskrnl.exe", "DbgPrintEx", reinterpret_cast<void*>(&DbgPrintEx), false},
};
const ExportTable kTable(kExports);
const ResetRegistrar kReset(clear);

}  // namespace

std::vector<Line> lines() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_lines;
}

std::string all_text() {
  std::string s;
  for (const Line& l : lines()) s += l.text;
  return s;
}

void clear() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_lines.clear();
}

}  // namespace ksim::dbgprint
