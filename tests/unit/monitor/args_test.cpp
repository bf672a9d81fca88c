#include "monitor/lib/args.h"

#include <gtest/gtest.h>

#include <stdio.h>
#include <stdlib.h>

namespace {

using fbmon::CommandKind;

fbmon::ParsedArgs parse(std::vector<std::string> args) { return fbmon::parse_args(args); }

TEST(MonitorArgs, ParsesEverySubcommand) {
  fbmon::ParsedArgs p = parse({"watch", "--json", "--filter", "Documents"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.command.kind, CommandKind::kWatch);
  EXPECT_TRUE(p.command.json);
  EXPECT_EQ(p.command.filter, "Documents");

  p = parse({"stats"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.command.kind, CommandKind::kStats);

  p = parse({"config", "set", "MaxVersions", "3"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.command.kind, CommandKind::kConfigSet);
  EXPECT_EQ(p.command.key, "MaxVersions");
  EXPECT_EQ(p.command.value, "3");

  p = parse({"config", "add-folder", "C:\\Work"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.command.kind, CommandKind::kConfigAddFolder);
  EXPECT_EQ(p.command.path, "C:\\Work");
  EXPECT_EQ(parse({"config", "remove-folder", "C:\\Work"}).command.kind, CommandKind::kConfigRemoveFolder);
  EXPECT_EQ(parse({"config", "show"}).command.kind, CommandKind::kConfigShow);

  p = parse({"list", "C:\\a.txt"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.command.kind, CommandKind::kList);
  EXPECT_EQ(p.command.path, "C:\\a.txt");

  p = parse({"restore", "C:\\a.txt", "--version", "3", "--to", "C:\\b.txt", "--dry-run"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.command.kind, CommandKind::kRestore);
  EXPECT_EQ(p.command.path, "C:\\a.txt");
  EXPECT_EQ(p.command.version, 3u);
  EXPECT_EQ(p.command.out, "C:\\b.txt");
  EXPECT_TRUE(p.command.dry_run);
  EXPECT_EQ(parse({"restore", "a"}).command.version, 1u);

  p = parse({"list", "C:\\d", "--recurse", "--json"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.command.recurse);
  EXPECT_TRUE(p.command.json);
  p = parse({"config", "show", "--json"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.command.json);
  p = parse({"status", "--json"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.command.kind, CommandKind::kStatus);
  p = parse({"usage"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.command.kind, CommandKind::kUsage);
  EXPECT_EQ(p.command.path, ".");
  p = parse({"prune", "C:\\d", "--keep", "2", "--older-than", "30", "--dry-run"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.command.kind, CommandKind::kPrune);
  EXPECT_EQ(p.command.keep, 2u);
  EXPECT_EQ(p.command.older_than_days, 30u);
  EXPECT_TRUE(p.command.dry_run);
  EXPECT_TRUE(parse({"prune", "a", "--all"}).command.all);
}

// The vault's commands: deleted, restore --deleted, prune --deleted (a table).
TEST(MonitorArgs, ParsesTheVaultCommands) {
  struct Case {
    std::vector<std::string> args;
    CommandKind kind;
    std::string path;
    bool deleted;
    uint64_t id;
    bool json;
    std::string out;
  };
  const Case cases[] = {
      {{"deleted"}, CommandKind::kDeleted, "", false, 0, false, ""},
      {{"deleted", "C:\\d", "--json"}, CommandKind::kDeleted, "C:\\d", false, 0, true, ""},
      {{"restore", "--deleted", "C:\\d\\a.txt"}, CommandKind::kRestore, "C:\\d\\a.txt", true, 0, false, ""},
      {{"restore", "C:\\a", "--deleted", "--id", "A1", "--to", "C:\\b"}, CommandKind::kRestore, "C:\\a", true, 0xa1, false,
       "C:\\b"},
      {{"restore", "--deleted", "--id", "00000000000000a1"}, CommandKind::kRestore, "", true, 0xa1, false, ""},
      {{"prune", "--deleted", "--all"}, CommandKind::kPrune, "", true, 0, false, ""},
      {{"prune", "--deleted", "C:\\d", "--older-than", "7"}, CommandKind::kPrune, "C:\\d", true, 0, false, ""},
  };
  for (const Case& c : cases) {
    const fbmon::ParsedArgs p = parse(c.args);
    ASSERT_TRUE(p.ok) << c.args[0] << ": " << p.error;
    EXPECT_EQ(p.command.kind, c.kind) << c.args[0];
    EXPECT_EQ(p.command.path, c.path) << c.args[0];
    EXPECT_EQ(p.command.deleted, c.deleted) << c.args[0];
    EXPECT_EQ(p.command.vault_id, c.id) << c.args[0];
    EXPECT_EQ(p.command.json, c.json) << c.args[0];
    EXPECT_EQ(p.command.out, c.out) << c.args[0];
  }
  struct Bad { std::vector<std::string> args; std::string error; };
  const Bad bad[] = {
      {{"deleted", "a", "b"}, "deleted takes one FOLDER"},
      {{"deleted", "--all"}, "deleted: unknown option '--all'"},
      {{"restore", "--deleted"}, "restore --deleted needs the deleted file's PATH (or --id ID)"},
      {{"restore", "a", "--id", "a1"}, "restore --id picks a deleted file: use it with --deleted"},
      {{"restore", "a", "--deleted", "--id", "0"}, "restore --id takes a kept file's id, 16 hex digits (see `fbmon deleted`)"},
      {{"restore", "a", "--deleted", "--id", "xyz"}, "restore --id takes a kept file's id, 16 hex digits (see `fbmon deleted`)"},
      {{"restore", "a", "--deleted", "--version", "2"},
       "restore --deleted brings a deleted file back with all its versions; it takes no --version"},
      {{"prune", "--deleted"}, "prune needs --keep N, --older-than DAYS or --all (it never guesses what to delete)"},
      {{"prune", "--all"}, "prune needs a FILE or FOLDER"},
  };
  for (const Bad& b : bad) {
    const fbmon::ParsedArgs p = parse(b.args);
    EXPECT_FALSE(p.ok) << b.args[0];
    EXPECT_EQ(p.error, b.error);
    EXPECT_EQ(p.help_topic, b.args[0]);
  }
  EXPECT_EQ(parse({"deleted", "--help"}).command.help_topic, "deleted");
}

// `fbmon` alone: the summary (not an error line), and exit status 2 (nothing was done).
TEST(MonitorArgs, NoCommandShowsTheSummary) {
  const fbmon::ParsedArgs p = parse({});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.command.kind, CommandKind::kHelp);
  EXPECT_TRUE(p.command.no_command);
  EXPECT_EQ(p.command.help_topic, "");
}

// Every page lists the exit statuses; the overview names every command.
TEST(MonitorArgs, EveryHelpPageEndsWithTheExitCodes) {
  for (const std::string& topic : fbmon::help_topics()) {
    const std::string text = fbmon::help_text(topic);
    EXPECT_NE(text.find("exit status: 0 done"), std::string::npos) << topic;
    if (!topic.empty()) {
      EXPECT_NE(fbmon::help_text("").find("  " + topic + " "), std::string::npos) << topic;
    }
  }
}

// A usage error names the command's own page, once.
TEST(MonitorArgs, UsageErrorsPointToTheirCommandsPage) {
  EXPECT_EQ(parse({"restore"}).help_topic, "restore");
  EXPECT_EQ(parse({"prune", "a"}).help_topic, "prune");
  EXPECT_EQ(parse({"frobnicate"}).help_topic, "");
}

TEST(MonitorArgs, HelpEverywhere) {
  struct Case { std::vector<std::string> args; const char* topic; };
  const Case cases[] = {
      {{"--help"}, ""}, {{"-h"}, ""}, {{"/?"}, ""}, {{"help"}, ""}, {{"help", "restore"}, "restore"},
      {{"watch", "--help"}, "watch"}, {{"restore", "x", "--to", "y", "--help"}, "restore"},
      {{"config", "--help"}, "config"}, {{"config", "set", "-h"}, "config"}, {{"list", "/?"}, "list"},
      {{"stats", "--help"}, "stats"}, {{"status", "--help"}, "status"}, {{"usage", "-h"}, "usage"},
      {{"prune", "x", "--help"}, "prune"},
  };
  for (const Case& c : cases) {
    const fbmon::ParsedArgs p = fbmon::parse_args(c.args);
    ASSERT_TRUE(p.ok) << c.args[0];
    EXPECT_EQ(p.command.kind, CommandKind::kHelp);
    EXPECT_EQ(p.command.help_topic, c.topic);
    EXPECT_NE(fbmon::help_text(c.topic).find("usage: fbmon"), std::string::npos);
  }
}

TEST(MonitorArgs, RefusesBadCommandLines) {
  const std::vector<std::vector<std::string>> cases = {
      {"frobnicate"},
      {"status", "x"},
      {"usage", "a", "b"},
      {"list", "a", "--deep"},
      {"prune", "a"},
      {"prune"},
      {"prune", "a", "--keep"},
      {"prune", "a", "--keep", "10"},
      {"prune", "a", "--older-than", "0"},
      {"prune", "a", "--all", "--keep", "1"},
      {"watch", "--filter"},
      {"watch", "--jsonx"},
      {"stats", "extra"},
      {"config"},
      {"config", "show", "x"},
      {"config", "set", "MaxVersions"},
      {"config", "add-folder"},
      {"config", "explode"},
      {"list"},
      {"list", "a", "b"},
      {"restore"},
      {"restore", "a", "b"},
      {"restore", "a", "--version"},
      {"restore", "a", "--version", "0"},
      {"restore", "a", "--version", "10"},
      {"restore", "a", "--version", "two"},
      {"restore", "a", "--to"},
      {"restore", "a", "--force"},
  };
  for (const auto& args : cases) {
    const fbmon::ParsedArgs p = fbmon::parse_args(args);
    EXPECT_FALSE(p.ok) << args[0];
    EXPECT_FALSE(p.error.empty());
  }
}

}  // namespace

namespace {

// docs/usage.md holds every `--help` page verbatim, each in its own fenced block, so the manual
// and the program cannot drift apart. FB_PRINT_HELP=1 prints the pages to paste.
TEST(UsageDoc, HoldsEveryHelpPageVerbatim) {
  FILE* f = fopen(FB_SOURCE_DIR "/docs/usage.md", "rb");
  ASSERT_NE(f, nullptr);
  std::string doc;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) doc.append(buffer, n);
  fclose(f);
  for (const std::string& topic : fbmon::help_topics()) {
    const std::string block = "```\n" + fbmon::help_text(topic) + "```\n";
    if (getenv("FB_PRINT_HELP") != nullptr) printf("%s--help\n%s", topic.c_str(), block.c_str());
    EXPECT_NE(doc.find(block), std::string::npos) << "docs/usage.md lacks `fbmon " << topic << " --help`:\n" << block;
  }
}

}  // namespace
