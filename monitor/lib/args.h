// fbmon's command line: subcommands, their options and their --help texts. The glue hands
// the arguments over as UTF-8 (converted from the wide command line) and acts on Command.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace fbmon {

enum class CommandKind {
  kHelp,          // fbmon --help, or `<command> --help` (topic says which)
  kVersion,
  kWatch,
  kStats,
  kConfigShow,
  kConfigAddFolder,
  kConfigRemoveFolder,
  kConfigSet,
  kList,
  kRestore,
};

struct Command {
  CommandKind kind = CommandKind::kHelp;
  std::string help_topic;  // kHelp: "" for the overview, else "watch", "config", ...
  bool json = false;       // watch --json, stats --json
  std::string filter;      // watch --filter TEXT
  std::string path;        // list/restore FILE, config add-folder/remove-folder PATH
  std::string out;         // restore --to OUT
  std::string key, value;  // config set KEY VALUE
  uint32_t version = 1;    // restore --version N
  bool dry_run = false;    // restore --dry-run
};

struct ParsedArgs {
  bool ok = false;
  Command command;
  std::string error;  // one sentence for Failure::kUsage
};

// `args` excludes the program name.
ParsedArgs parse_args(const std::vector<std::string>& args);

// Usage text: "" for the overview; a subcommand name for its own page.
std::string help_text(const std::string& topic);

}  // namespace fbmon
