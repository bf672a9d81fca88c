// Console output: UTF-16 to a console (WriteConsoleW shows any name correctly whatever the
// code page), UTF-8 bytes to a pipe or file (so `fbmon watch --json > log.jsonl` is UTF-8).
#pragma once

#include <string>

namespace fbmon {

void print_out(const std::string& utf8);  // text as is (add "\n" yourself)
void print_line(const std::string& utf8);
void print_error(const std::string& utf8);  // one line to stderr

}  // namespace fbmon
