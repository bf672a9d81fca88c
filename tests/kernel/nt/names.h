// Name helpers shared by the simulated namespaces (registry, symbolic links).
#pragma once

#include <string>

#include "tests/kernel/sim/nt_types.h"

namespace ksim::names {

std::u16string to_u16(const nt::UNICODE_STRING& s);
// Windows-like simple upcase of ASCII and Latin-1 letters; enough for key and device names.
std::u16string upcase(std::u16string s);
std::string to_utf8(const std::u16string& s);

}  // namespace ksim::names
