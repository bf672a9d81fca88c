// fbcheck's command line: `fbcheck [FOLDER] [--facts-only]`, `fbcheck --help`.
#pragma once

#include <string>
#include <vector>

namespace fbcheck {

struct Options {
  bool help = false;
  bool facts_only = false;  // check the NTFS facts, do not connect to the driver
  std::string folder;       // where the scratch folder is made; "" = the current directory
};

struct ParsedOptions {
  bool ok = false;
  Options options;
  std::string error;  // "fbcheck: unknown option '--x' (fbcheck --help)"
};

// `args` excludes the program name, UTF-8.
ParsedOptions parse_options(const std::vector<std::string>& args);

std::string help_text();

}  // namespace fbcheck
