// Collects what one fact or story expected and what the volume showed. The first mismatch
// makes the FAIL line ("expected f:s absent after CREATE_ALWAYS, got present"); later ones are
// counted ("(and 2 more)") so a line stays one line.
#pragma once

#include <stdint.h>

#include <string>

#include "monitor/fbcheck/lib/catalogue.h"
#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {

class Judgement {
 public:
  // Records a mismatch unless `ok`; returns `ok`.
  bool expect(bool ok, const std::string& expected, const std::string& got);
  // "expected <what> = '<expected>', got '<got>'".
  bool expect_equal(const std::string& what, const std::string& expected, const std::string& got);
  bool expect_equal(const std::string& what, uint64_t expected, uint64_t got);
  // A Win32 call that had to succeed: "expected <what> to succeed, got error 5 (access denied)".
  bool expect_success(const std::string& what, bool succeeded, uint32_t error);
  // A Win32 call that had to fail with `expected_error`.
  bool expect_error(const std::string& what, uint32_t expected_error, bool succeeded, uint32_t error);

  bool failed() const { return mismatches_ != 0; }
  Result result(const CheckInfo& check) const;

 private:
  std::string first_;
  uint32_t mismatches_ = 0;
};

// "'abc'" with control characters and non-ASCII bytes escaped, cut at 40 characters.
std::string quote(const std::string& bytes);

}  // namespace fbcheck
