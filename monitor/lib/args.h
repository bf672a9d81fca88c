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
  kStatus,
  kUsage,
  kPrune,
  kDeleted,       // fbmon deleted [FOLDER]
};

struct Command {
  CommandKind kind = CommandKind::kHelp;
  std::string help_topic;  // kHelp: "" for the overview, else "watch", "config", ...
  bool no_command = false; // kHelp: `fbmon` alone (the summary is printed and the exit status is 2)
  bool json = false;       // --json: watch, stats, status, list, usage, config show
  bool recurse = false;    // list --recurse
  uint32_t keep = UINT32_MAX;   // prune --keep N (UINT32_MAX: not given)
  uint32_t older_than_days = 0; // prune --older-than DAYS (0: not given)
  bool all = false;             // prune --all
  std::string filter;      // watch --filter TEXT
  std::string path;        // list/restore FILE, config add-folder/remove-folder PATH
  std::string out;         // restore --to OUT
  std::string key, value;  // config set KEY VALUE
  uint32_t version = 1;    // restore --version N
  bool dry_run = false;    // restore --dry-run, prune --dry-run
  bool deleted = false;    // restore --deleted, prune --deleted: the vault's kept files
  uint64_t vault_id = 0;   // restore --deleted --id ID (0: not given)
};

struct ParsedArgs {
  bool ok = false;
  Command command;
  std::string error;       // one sentence for Failure::kUsage
  std::string help_topic;  // the command whose --help the error points to ("" = overview)
};

// `args` excludes the program name.
ParsedArgs parse_args(const std::vector<std::string>& args);

// Usage text: "" for the overview; a subcommand name for its own page. Every page ends with the
// exit statuses.
std::string help_text(const std::string& topic);
// The commands with a help page, in the order of the overview.
const std::vector<std::string>& help_topics();

}  // namespace fbmon
