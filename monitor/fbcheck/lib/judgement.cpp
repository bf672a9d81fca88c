#include "monitor/fbcheck/lib/judgement.h"

#include <stdio.h>

namespace fbcheck {

bool Judgement::expect(bool ok, const std::string& expected, const std::string& got) {
  if (ok) return true;
  if (mismatches_++ == 0) first_ = "expected " + expected + ", got " + got;
  return false;
}

bool Judgement::expect_equal(const std::string& what, const std::string& expected, const std::string& got) {
  return expect(expected == got, what + " = " + quote(expected), quote(got));
}

bool Judgement::expect_equal(const std::string& what, uint64_t expected, uint64_t got) {
  return expect(expected == got, what + " = " + std::to_string(expected), std::to_string(got));
}

bool Judgement::expect_success(const std::string& what, bool succeeded, uint32_t error) {
  return expect(succeeded, what + " to succeed", win32_error_text(error));
}

bool Judgement::expect_error(const std::string& what, uint32_t expected_error, bool succeeded, uint32_t error) {
  return expect(!succeeded && error == expected_error, what + " to fail with " + win32_error_text(expected_error),
                succeeded ? std::string("success") : win32_error_text(error));
}

Result Judgement::result(const CheckInfo& check) const {
  Result r;
  r.id = check.id;
  r.name = check.name;
  r.status = failed() ? Status::kFail : Status::kPass;
  if (failed()) {
    r.detail = first_;
    if (mismatches_ > 1) r.detail += " (and " + std::to_string(mismatches_ - 1) + " more)";
  }
  return r;
}

std::string quote(const std::string& bytes) {
  constexpr size_t kShown = 40;
  std::string out = "'";
  for (size_t i = 0; i < bytes.size() && i < kShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\\' || c == '\'') out += std::string("\\") + static_cast<char>(c);
    else if (c < 0x20 || c >= 0x7F) {
      char hex[8];
      snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (bytes.size() > kShown) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out + "'";
}

}  // namespace fbcheck
