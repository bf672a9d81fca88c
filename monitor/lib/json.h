// JSON string escaping for `fbmon watch --json` (JSON Lines). File names are arbitrary 16-bit
// units: a lone surrogate cannot be carried as UTF-8, so it is written as its \uXXXX escape,
// which JSON allows and which round-trips the exact name.
#pragma once

#include <string>

#include "common/base/fb_base.h"

namespace fbmon {

// The quoted JSON string for UTF-16 text: `"C:\\a\"b"`; control characters as \uXXXX
// (\n, \r, \t, \b, \f short forms); valid pairs as UTF-8; lone surrogates as \uD8xx escapes.
std::string json_string(fb::Str16 text);
// The same for UTF-8 text that is already valid (our own strings).
std::string json_string(const std::string& utf8);

}  // namespace fbmon
