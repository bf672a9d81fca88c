#include "monitor/lib/args.h"

#include "monitor/lib/restore_plan.h"

namespace fbmon {
namespace {

bool is_help(const std::string& a) { return a == "--help" || a == "-h" || a == "/?" || a == "-?"; }

struct Cursor {
  const std::vector<std::string>& args;
  size_t next;
  bool done() const { return next >= args.size(); }
  const std::string& take() { return args[next++]; }
};

ParsedArgs usage_error(std::string text) {
  ParsedArgs p;
  p.error = std::move(text);
  return p;
}

ParsedArgs success(Command c) {
  ParsedArgs p;
  p.ok = true;
  p.command = std::move(c);
  return p;
}

ParsedArgs help_for(const std::string& topic) {
  Command c;
  c.kind = CommandKind::kHelp;
  c.help_topic = topic;
  return success(c);
}

// Any --help anywhere after the subcommand wins, so `fbmon restore x --help` is safe.
bool wants_help(const std::vector<std::string>& args, size_t from) {
  for (size_t i = from; i < args.size(); ++i)
    if (is_help(args[i])) return true;
  return false;
}

ParsedArgs parse_watch(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kWatch;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--json") c.json = true;
    else if (a == "--filter") {
      if (cur.done()) return usage_error("watch --filter needs TEXT");
      c.filter = cur.take();
    } else return usage_error("watch: unknown argument '" + a + "'");
  }
  return success(c);
}

ParsedArgs parse_stats(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kStats;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--json") c.json = true;
    else return usage_error("stats: unknown argument '" + a + "'");
  }
  return success(c);
}

ParsedArgs parse_config(Cursor& cur) {
  if (cur.done()) return usage_error("config needs show, add-folder PATH, remove-folder PATH or set KEY VALUE");
  const std::string verb = cur.take();
  Command c;
  size_t operands = 0;
  if (verb == "show") { c.kind = CommandKind::kConfigShow; }
  else if (verb == "add-folder") { c.kind = CommandKind::kConfigAddFolder; operands = 1; }
  else if (verb == "remove-folder") { c.kind = CommandKind::kConfigRemoveFolder; operands = 1; }
  else if (verb == "set") { c.kind = CommandKind::kConfigSet; operands = 2; }
  else return usage_error("config: unknown action '" + verb + "'");
  std::vector<std::string> got;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--json" && c.kind == CommandKind::kConfigShow) c.json = true;
    else got.push_back(a);
  }
  if (got.size() != operands)
    return usage_error("config " + verb + " takes " + (operands == 0 ? "no arguments" :
                       operands == 1 ? "one PATH" : "KEY VALUE"));
  if (operands == 1) c.path = got[0];
  if (operands == 2) { c.key = got[0]; c.value = got[1]; }
  return success(c);
}

ParsedArgs parse_list(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kList;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a.size() > 1 && a[0] == '-' && a[1] == '-') return usage_error("list: unknown option '" + a + "'");
    if (!c.path.empty()) return usage_error("list takes one FILE or FOLDER");
    c.path = a;
  }
  if (c.path.empty()) return usage_error("list needs a FILE or FOLDER");
  return success(c);
}

bool parse_version(const std::string& text, uint32_t& version) {
  if (text.size() != 1 || text[0] < '1' || text[0] > '0' + static_cast<int>(kMaxSlots)) return false;
  version = static_cast<uint32_t>(text[0] - '0');
  return true;
}

ParsedArgs parse_restore(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kRestore;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--dry-run") c.dry_run = true;
    else if (a == "--version") {
      if (cur.done() || !parse_version(cur.take(), c.version))
        return usage_error("restore --version takes a slot number 1..9 (see `fbmon list FILE`)");
    } else if (a == "--to") {
      if (cur.done()) return usage_error("restore --to needs OUT");
      c.out = cur.take();
    } else if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
      return usage_error("restore: unknown option '" + a + "'");
    } else {
      if (!c.path.empty()) return usage_error("restore takes one FILE");
      c.path = a;
    }
  }
  if (c.path.empty()) return usage_error("restore needs a FILE");
  return success(c);
}

}  // namespace

ParsedArgs parse_args(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("no command given");
  const std::string& first = args[0];
  if (is_help(first) || first == "help") return help_for(args.size() > 1 && first == "help" ? args[1] : "");
  if (first == "--version") {
    Command c;
    c.kind = CommandKind::kVersion;
    return success(c);
  }
  struct Sub { const char* name; ParsedArgs (*parse)(Cursor&); };
  static const Sub kSubs[] = {{"watch", parse_watch}, {"stats", parse_stats}, {"config", parse_config},
                              {"list", parse_list}, {"restore", parse_restore}};
  for (const Sub& s : kSubs) {
    if (first != s.name) continue;
    if (wants_help(args, 1)) return help_for(first);
    Cursor cur{args, 1};
    return s.parse(cur);
  }
  return usage_error("unknown command '" + first + "'");
}

std::string help_text(const std::string& topic) {
  if (topic == "watch")
    return "usage: fbmon watch [--json] [--filter TEXT]\n"
           "  Shows every backup the driver makes, live, one line per event: local time, writer PID\n"
           "  and process, trigger, outcome, file size, backup duration and the file's Win32 path.\n"
           "  Events the driver could not deliver are shown as \"N events dropped\".\n"
           "  --json         one JSON object per line (JSON Lines) instead of text\n"
           "  --filter TEXT  only events whose path or process name contains TEXT (any case)\n"
           "  Ctrl+C stops. If the driver is unloaded, watch waits and reconnects when it is back.\n"
           "  Needs an elevated prompt (the port admits administrators and SYSTEM only).\n";
  if (topic == "stats")
    return "usage: fbmon stats [--json]\n"
           "  Prints the driver's counters: tracked files, backups, bytes copied, skips and failures\n"
           "  by reason, events dropped, queue high-water mark, rules loaded. Works while watch runs.\n";
  if (topic == "config")
    return "usage: fbmon config show\n"
           "       fbmon config add-folder PATH\n"
           "       fbmon config remove-folder PATH\n"
           "       fbmon config set KEY VALUE\n"
           "  Edits HKLM\\SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Parameters, then asks the\n"
           "  driver to reload its rules (if it is not loaded, the change applies at its next load).\n"
           "  Keys: ProtectedFolders, FolderNames, IncludeExtensions, ExcludeExtensions (lists, ';'\n"
           "  separated, \"\" clears), MaxFileSize, MinFreeSpace (bytes, or 10MB / 2GB), MaxVersions\n"
           "  (1..9), Enabled (0 or 1).\n";
  if (topic == "list")
    return "usage: fbmon list FILE|FOLDER\n"
           "  Lists the backups of FILE (or of every file in FOLDER that has one): slot, time, size,\n"
           "  writer PID and integrity (ok when the data matches its metadata, else bad).\n";
  if (topic == "restore")
    return "usage: fbmon restore FILE [--version N] [--to OUT] [--dry-run]\n"
           "  Puts back a backup of FILE. The backup is verified against its metadata first and a\n"
           "  corrupt or incomplete one is refused. The current content becomes the newest backup\n"
           "  (so running restore again undoes it), then FILE gets the backup's content and length.\n"
           "  --version N  which backup: 1 is the newest (default), see `fbmon list FILE`\n"
           "  --to OUT     write the backup to OUT instead; FILE and its backups stay as they are\n"
           "  --dry-run    print the steps, change nothing\n"
           "  FILE may be open in another program if that program shares writes.\n";
  return "usage: fbmon <command> [options]      (fbmon <command> --help for details)\n"
         "  watch [--json] [--filter TEXT]       show backups live\n"
         "  stats [--json]                       the driver's counters\n"
         "  config show|add-folder|remove-folder|set   what is protected and how\n"
         "  list FILE|FOLDER                     the backups of a file\n"
         "  restore FILE [--version N] [--to OUT] [--dry-run]   put a backup back\n"
         "  --version                            fbmon's version and protocol\n"
         "watch, stats and config talk to the FileBackup driver through \\FileBackupPort and need\n"
         "an elevated prompt.\n";
}

}  // namespace fbmon
