// Filter-Verifier-style checks of the simulated Filter Manager: every violation is recorded with
// the name of the check that caught it ("IRQL changed across a callback", "context leaked at
// unload", ...). Calls from the image cannot throw back through its frames, so a violation is
// recorded and the call goes on as Windows would; the test fixture fails on any record.
// The checks follow Microsoft's "File System Filter Verification" (Driver Verifier's Filter
// Verifier option): valid callback return statuses, callback data changed only when marked
// dirty, Flt calls at their documented IRQL, and at unload every reference-counted object the
// filter still holds (contexts, name information, file objects, handles, volumes, instances).
#pragma once

#include <string>
#include <vector>

namespace ksim::flt::verifier {

void violation(const std::string& check, const std::string& detail);
// Every violation recorded since the last take(), in order ("check: detail").
std::vector<std::string> take();
size_t count();

}  // namespace ksim::flt::verifier
