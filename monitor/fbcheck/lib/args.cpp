#include "monitor/fbcheck/lib/args.h"

#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {

ParsedOptions parse_options(const std::vector<std::string>& args) {
  ParsedOptions parsed;
  bool folder_seen = false;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h" || arg == "/?") {
      parsed.options.help = true;
    } else if (arg == "--facts-only") {
      parsed.options.facts_only = true;
    } else if (!arg.empty() && arg[0] == '-') {
      parsed.error = "fbcheck: unknown option '" + arg + "' (fbcheck --help)";
      return parsed;
    } else if (folder_seen) {
      parsed.error = "fbcheck: one folder at most, got '" + parsed.options.folder + "' and '" + arg + "'";
      return parsed;
    } else if (arg.empty()) {
      parsed.error = "fbcheck: the folder is an empty string";
      return parsed;
    } else {
      parsed.options.folder = arg;
      folder_seen = true;
    }
  }
  parsed.ok = true;
  return parsed;
}

std::string help_text() {
  return "usage: fbcheck [FOLDER] [--facts-only]\n"
         "\n"
         "Checks, on this machine's real volume, the NTFS behaviour FileBackup is built on (facts\n"
         "N1-N13) and, when the FileBackup driver is loaded, plays the save stories (S1 in place,\n"
         "S2 append, S3 truncate, S4 CREATE_ALWAYS, S5 rename over, S7 ReplaceFileW, S8 mapped view,\n"
         "DEL delete) as the driver's watcher, checking each file's :backup streams and the events.\n"
         "Run it elevated, in a folder the driver protects (by default any folder named Documents).\n"
         "\n"
         "  FOLDER        where to make the scratch folder fbcheck-<time> (default: the current folder)\n"
         "  --facts-only  check the facts only; do not connect to the driver\n"
         "\n"
         "Prints one line per check (PASS / FAIL / SKIP) and a summary. The scratch folder is kept\n"
         "for inspection; delete it when done. Stop `fbmon watch` first: there is one watcher.\n"
         "\n"
         "Exit codes:\n"
         "  " + std::to_string(kExitAllPassed) + "  every fact and story passed (N12 and N13 are always skipped)\n"
         "  " + std::to_string(kExitFailures) + "  at least one check failed\n"
         "  " + std::to_string(kExitUsage) + "  bad command line\n"
         "  " + std::to_string(kExitSetup) + "  the scratch folder could not be made\n"
         "  " + std::to_string(kExitNoDriver) + "  facts passed; stories skipped: the driver is not loaded or refused us\n"
         "  " + std::to_string(kExitWatcherBusy) + "  facts passed; stories skipped: another watcher (fbmon watch) is connected\n"
         "  " + std::to_string(kExitNotProtected) + "  facts passed; stories skipped: the folder is not protected\n"
         "  " + std::to_string(kExitFactsOnly) + "  facts passed; stories not asked for (--facts-only)\n";
}

}  // namespace fbcheck
