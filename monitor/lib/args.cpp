#include "monitor/lib/args.h"

#include "monitor/lib/config.h"

#include "monitor/lib/errors.h"
#include "monitor/lib/restore_plan.h"
#include "monitor/lib/vault_listing.h"

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

// The command a usage error belongs to, for its "(see `fbmon COMMAND --help`)".
ParsedArgs for_topic(ParsedArgs p, const std::string& topic) {
  if (!p.ok) p.help_topic = topic;
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

bool is_option(const std::string& a) { return a.size() > 1 && a[0] == '-' && a[1] == '-'; }

ParsedArgs parse_list(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kList;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--recurse") c.recurse = true;
    else if (a == "--json") c.json = true;
    else if (is_option(a)) return usage_error("list: unknown option '" + a + "'");
    else if (!c.path.empty()) return usage_error("list takes one FILE or FOLDER");
    else c.path = a;
  }
  if (c.path.empty()) return usage_error("list needs a FILE or FOLDER");
  return success(c);
}

ParsedArgs parse_status(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kStatus;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--json") c.json = true;
    else return usage_error("status: unknown argument '" + a + "'");
  }
  return success(c);
}

ParsedArgs parse_usage(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kUsage;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--json") c.json = true;
    else if (is_option(a)) return usage_error("usage: unknown option '" + a + "'");
    else if (!c.path.empty()) return usage_error("usage takes one FOLDER");
    else c.path = a;
  }
  if (c.path.empty()) c.path = ".";
  return success(c);
}

// A whole number of at most 5 digits within [min, max].
bool parse_count(const std::string& text, uint32_t min, uint32_t max, uint32_t& out) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const uint32_t v = static_cast<uint32_t>(std::stoul(text));
  if (v < min || v > max) return false;
  out = v;
  return true;
}

ParsedArgs parse_prune(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kPrune;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--dry-run") c.dry_run = true;
    else if (a == "--deleted") c.deleted = true;
    else if (a == "--all") c.all = true;
    else if (a == "--keep") {
      if (cur.done() || !parse_count(cur.take(), 0, kMaxSlots, c.keep))
        return usage_error("prune --keep takes how many of the newest backups to keep, 0..9");
    } else if (a == "--older-than") {
      if (cur.done() || !parse_count(cur.take(), 1, 36500, c.older_than_days))
        return usage_error("prune --older-than takes a number of days, 1..36500");
    } else if (is_option(a)) {
      return usage_error("prune: unknown option '" + a + "'");
    } else if (!c.path.empty()) {
      return usage_error("prune takes one FILE or FOLDER");
    } else {
      c.path = a;
    }
  }
  if (c.path.empty() && !c.deleted) return usage_error("prune needs a FILE or FOLDER");
  if (!c.all && c.keep == UINT32_MAX && c.older_than_days == 0)
    return usage_error("prune needs --keep N, --older-than DAYS or --all (it never guesses what to delete)");
  if (c.all && (c.keep != UINT32_MAX || c.older_than_days != 0))
    return usage_error("prune --all deletes every backup; it takes no --keep or --older-than");
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
  bool version_given = false;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--dry-run") c.dry_run = true;
    else if (a == "--deleted") c.deleted = true;
    else if (a == "--id") {
      if (cur.done() || !parse_vault_id(cur.take(), &c.vault_id))
        return usage_error("restore --id takes a kept file's id, 16 hex digits (see `fbmon deleted`)");
    } else if (a == "--version") {
      if (cur.done() || !parse_version(cur.take(), c.version))
        return usage_error("restore --version takes a slot number 1..9 (see `fbmon list FILE`)");
      version_given = true;
    } else if (a == "--to") {
      if (cur.done()) return usage_error("restore --to needs OUT");
      c.out = cur.take();
    } else if (is_option(a)) {
      return usage_error("restore: unknown option '" + a + "'");
    } else {
      if (!c.path.empty()) return usage_error("restore takes one FILE");
      c.path = a;
    }
  }
  if (c.vault_id != 0 && !c.deleted) return usage_error("restore --id picks a deleted file: use it with --deleted");
  if (c.deleted && version_given)
    return usage_error("restore --deleted brings a deleted file back with all its versions; it takes no --version");
  if (c.path.empty() && !(c.deleted && c.vault_id != 0))
    return usage_error(c.deleted ? "restore --deleted needs the deleted file's PATH (or --id ID)" : "restore needs a FILE");
  return success(c);
}

ParsedArgs parse_deleted(Cursor& cur) {
  Command c;
  c.kind = CommandKind::kDeleted;
  while (!cur.done()) {
    const std::string& a = cur.take();
    if (a == "--json") c.json = true;
    else if (is_option(a)) return usage_error("deleted: unknown option '" + a + "'");
    else if (!c.path.empty()) return usage_error("deleted takes one FOLDER");
    else c.path = a;
  }
  return success(c);
}

}  // namespace

ParsedArgs parse_args(const std::vector<std::string>& args) {
  if (args.empty()) {  // the summary, and exit status 2: nothing was done
    ParsedArgs p = help_for("");
    p.command.no_command = true;
    return p;
  }
  const std::string& first = args[0];
  if (is_help(first) || first == "help") return help_for(args.size() > 1 && first == "help" ? args[1] : "");
  if (first == "--version") {
    Command c;
    c.kind = CommandKind::kVersion;
    return success(c);
  }
  struct Sub { const char* name; ParsedArgs (*parse)(Cursor&); };
  static const Sub kSubs[] = {{"watch", parse_watch},   {"stats", parse_stats},     {"status", parse_status},
                              {"config", parse_config}, {"list", parse_list},       {"usage", parse_usage},
                              {"restore", parse_restore}, {"prune", parse_prune},
                              {"deleted", parse_deleted}};
  for (const Sub& s : kSubs) {
    if (first != s.name) continue;
    if (wants_help(args, 1)) return help_for(first);
    Cursor cur{args, 1};
    return for_topic(s.parse(cur), first);
  }
  return usage_error("unknown command '" + first + "'");
}

namespace {

std::string page(const std::string& topic) {
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
           "  by reason, events dropped, queue high-water mark, rules loaded. Works while watch runs.\n"
           "  --json  one JSON object (snake_case keys)\n";
  if (topic == "status")
    return "usage: fbmon status [--json]\n"
           "  The driver at a glance: whether its service is installed and how it starts, whether it\n"
           "  is loaded (its protocol), the volumes it is attached to, and its event queue. Without\n"
           "  a driver it still says what it can. Exit 0 whenever it could report.\n"
           "  --json  one JSON object (snake_case keys)\n";
  if (topic == "config")
    return "usage: fbmon config show [--json]\n"
           "       fbmon config add-folder PATH\n"
           "       fbmon config remove-folder PATH\n"
           "       fbmon config set KEY VALUE\n"
           "  Edits HKLM\\SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Parameters, then asks the\n"
           "  driver to reload its rules (if it is not loaded, the change applies at its next load).\n"
           "  show judges each stored value with the driver's own parser and says what it ignores.\n"
           "  Lists are ';'-separated (\"\" clears); no wildcards, separators inside an entry,\n"
           "  characters NTFS forbids or empty entries. Sizes take bytes or KB/MB/GB/TB.\n" +
           config_keys_help();
  if (topic == "list")
    return "usage: fbmon list FILE|FOLDER [--recurse] [--json]\n"
           "  Lists the backups of FILE (or of every file in FOLDER that has one): slot, time, size,\n"
           "  writer PID and integrity (ok when the data matches its metadata, else bad).\n"
           "  --recurse  with a FOLDER, its subfolders too\n"
           "  --json     one JSON object per file\n";
  if (topic == "usage")
    return "usage: fbmon usage [FOLDER] [--json]\n"
           "  Every file under FOLDER (default: the current folder), subfolders included, that holds\n"
           "  backups: how many and the bytes their streams take, largest first, then the total.\n"
           "  --json  one JSON object per file, then {\"total\":...}\n";
  if (topic == "restore")
    return "usage: fbmon restore FILE [--version N] [--to OUT] [--dry-run]\n"
           "       fbmon restore --deleted PATH [--id ID] [--to OUT] [--dry-run]\n"
           "  Puts back a backup of FILE. The backup is verified against its metadata first and a\n"
           "  corrupt or incomplete one is refused. The current content becomes the newest backup\n"
           "  (so running restore again undoes it), then FILE gets the backup's content and length.\n"
           "  --version N  which backup: 1 is the newest (default), see `fbmon list FILE`\n"
           "  --to OUT     write the backup to OUT instead; FILE and its backups stay as they are.\n"
           "               An existing OUT keeps its content as OUT's own backup 1 (undo with\n"
           "               `fbmon restore OUT`); OUT may not be FILE itself or a stream (x:y)\n"
           "  --dry-run    verify and print the steps, change nothing\n"
           "  --deleted    PATH is a deleted file the vault keeps (see `fbmon deleted`): it comes\n"
           "               back with its backups, each copy is read back, then it leaves the vault.\n"
           "               A file now at PATH (or OUT) keeps its content as its backup 1. When\n"
           "               several were kept for PATH the newest comes back; --id ID picks one\n"
           "  FILE may be open in another program if that program shares writes.\n";
  if (topic == "prune")
    return "usage: fbmon prune FILE|FOLDER (--keep N | --older-than DAYS | --all) [--dry-run]\n"
           "       fbmon prune --deleted [FOLDER] (--keep N | --older-than DAYS | --all) [--dry-run]\n"
           "  Deletes backups (data and metadata together), never the file's own content, then\n"
           "  renumbers the rest newest-first from 1. A FOLDER means every file below it.\n"
           "  --keep N           keep the N newest (0..9), delete the others\n"
           "  --older-than DAYS  delete backups made more than DAYS days ago\n"
           "                     (with --keep: only those beyond the N newest)\n"
           "  --all              delete every backup\n"
           "  --dry-run          print what would be deleted, change nothing\n"
           "  --deleted          remove deleted files the vault keeps (`fbmon deleted`), each with\n"
           "                     its backups; FOLDER: only those deleted from it. --keep N keeps\n"
           "                     each path's N newest, --older-than counts from the delete\n"
           "  Deleted backups cannot be brought back: run with --dry-run first.\n";
  if (topic == "deleted")
    return "usage: fbmon deleted [FOLDER] [--json]\n"
           "  Lists the deleted files the driver keeps in its vault (X:\\$FileBackupVault on each\n"
           "  fixed volume): when each was deleted, its size, the PID that deleted it, how many\n"
           "  backups it kept (versions), its id and its original path, newest first. With FOLDER:\n"
           "  only its volume, and only files deleted from FOLDER or below it. A record that cannot\n"
           "  be read is listed as such. `fbmon restore --deleted PATH` puts one back.\n"
           "  --json  one JSON object per kept file\n"
           "  The vault admits SYSTEM and Administrators only: run from an elevated prompt.\n";
  return "usage: fbmon <command> [options]      (fbmon <command> --help for details)\n"
         "  status [--json]                      the driver at a glance\n"
         "  watch [--json] [--filter TEXT]       show backups live\n"
         "  stats [--json]                       the driver's counters\n"
         "  config show [--json]|add-folder|remove-folder|set   what is protected and how\n"
         "  list FILE|FOLDER [--recurse] [--json]   the backups of a file\n"
         "  usage [FOLDER] [--json]              files with backups and the space they take\n"
         "  restore FILE [--version N] [--to OUT] [--dry-run]   put a backup back\n"
         "  prune FILE|FOLDER (--keep N|--older-than DAYS|--all) [--dry-run]   delete backups\n"
         "  deleted [FOLDER] [--json]            deleted files the vault keeps\n"
         "  restore --deleted PATH [--id ID] [--to OUT] [--dry-run]   put a deleted file back\n"
         "  --version                            fbmon's version and protocol\n"
         "watch, stats, status and config talk to the FileBackup driver through \\FileBackupPort\n"
         "and need an elevated prompt.\n";
}

}  // namespace

const std::vector<std::string>& help_topics() {
  static const std::vector<std::string> kTopics = {"", "status", "watch", "stats", "config",
                                                   "list", "usage", "restore", "prune", "deleted"};
  return kTopics;
}

std::string help_text(const std::string& topic) { return page(topic) + exit_codes_text(); }

}  // namespace fbmon
