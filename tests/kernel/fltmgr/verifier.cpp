#include "tests/kernel/fltmgr/verifier.h"

#include <cstdio>
#include <mutex>

namespace ksim::flt::verifier {
namespace {

std::mutex g_mu;
std::vector<std::string>& records() {
  static std::vector<std::string> r;
  return r;
}

}  // namespace

void violation(const std::string& check, const std::string& detail) {
  std::lock_guard<std::mutex> g(g_mu);
  records().push_back(check + ": " + detail);
}

std::vector<std::string> take() {
  std::lock_guard<std::mutex> g(g_mu);
  std::vector<std::string> out;
  out.swap(records());
  return out;
}

size_t count() {
  std::lock_guard<std::mutex> g(g_mu);
  return records().size();
}

}  // namespace ksim::flt::verifier
