// fbcheck's output lines, summary, exit codes and command line (monitor/fbcheck/lib).
#include <gtest/gtest.h>

#include "monitor/fbcheck/lib/args.h"
#include "monitor/fbcheck/lib/catalogue.h"
#include "monitor/fbcheck/lib/judgement.h"
#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {
namespace {

TEST(FbcheckReport, LinesCarryTheWordTheIdTheNameAndTheDetail) {
  EXPECT_EQ(format_result({"N1", "a claim", Status::kPass, ""}), "PASS N1 a claim");
  EXPECT_EQ(format_result({"S4", "a story", Status::kFail, "expected x, got y"}), "FAIL S4 a story: expected x, got y");
  EXPECT_EQ(format_result({"N12", "a fact", Status::kSkip, "why"}), "SKIP N12 a fact: why");
}

TEST(FbcheckReport, SummaryCountsEachStatus) {
  const std::vector<Result> results = {{"N1", "", Status::kPass, ""}, {"N2", "", Status::kFail, "d"},
                                       {"N3", "", Status::kFail, "d"}, {"N12", "", Status::kSkip, "r"}};
  EXPECT_EQ(format_summary(tally(results)), "fbcheck: 1 passed, 2 failed, 1 skipped");
}

TEST(FbcheckReport, AnyFailureWinsOverEveryStoriesOutcome) {
  Tally failed;
  failed.failed = 1;
  Tally clean;
  clean.passed = 11;
  clean.skipped = 2;
  const struct {
    StoriesOutcome outcome;
    int clean_code;
  } table[] = {{StoriesOutcome::kRan, kExitAllPassed},
               {StoriesOutcome::kNoDriver, kExitNoDriver},
               {StoriesOutcome::kWatcherBusy, kExitWatcherBusy},
               {StoriesOutcome::kNotProtected, kExitNotProtected},
               {StoriesOutcome::kFactsOnly, kExitFactsOnly}};
  for (const auto& row : table) {
    EXPECT_EQ(exit_code(failed, row.outcome), kExitFailures);
    EXPECT_EQ(exit_code(clean, row.outcome), row.clean_code);
  }
  // Every code is distinct, so a script can tell them apart.
  const int codes[] = {kExitAllPassed, kExitFailures, kExitUsage, kExitSetup, kExitNoDriver, kExitWatcherBusy,
                       kExitNotProtected, kExitFactsOnly};
  for (size_t i = 0; i < std::size(codes); ++i)
    for (size_t k = i + 1; k < std::size(codes); ++k) EXPECT_NE(codes[i], codes[k]);
}

TEST(FbcheckReport, WatcherBusyIsTheConnectionCountLimitInBothHresultForms) {
  EXPECT_TRUE(watcher_busy_hresult(0x800704D6u));  // HRESULT_FROM_WIN32(1238)
  EXPECT_TRUE(watcher_busy_hresult(0xD0000246u));  // HRESULT_FROM_NT(STATUS_CONNECTION_COUNT_LIMIT)
  EXPECT_FALSE(watcher_busy_hresult(0x80070002u));  // port not found: no driver
  EXPECT_FALSE(watcher_busy_hresult(0x80004001u));  // E_NOTIMPL (Wine)
}

TEST(FbcheckReport, Win32ErrorsAreNamed) {
  EXPECT_EQ(win32_error_text(5), "error 5 (access denied)");
  EXPECT_EQ(win32_error_text(183), "error 183 (already exists)");
  EXPECT_EQ(win32_error_text(99999), "error 99999");
}

TEST(FbcheckCatalogue, FactsAreN1ToN13AndOnlyN12AndN13AreNeverCheckable) {
  const auto& list = facts();
  ASSERT_EQ(list.size(), 13u);
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(std::string(list[i].id), "N" + std::to_string(i + 1));
    EXPECT_EQ(list[i].never_checkable != nullptr, i + 1 == 12 || i + 1 == 13) << list[i].id;
  }
  const std::vector<std::string> story_ids = {"S1", "S2", "S3", "S4", "S5", "S7", "S8", "DEL"};
  ASSERT_EQ(stories().size(), story_ids.size());
  for (size_t i = 0; i < story_ids.size(); ++i) EXPECT_EQ(stories()[i].id, story_ids[i]);
  EXPECT_EQ(find_check("N7"), &facts()[6]);
  EXPECT_EQ(find_check("S6"), nullptr);
}

// N4's table as the notes give it: dispositions 0..5, results SUPERSEDED 0 .. OVERWRITTEN 3.
TEST(FbcheckCatalogue, DispositionTableMatchesTheNotes) {
  for (const DispositionCase& c : disposition_cases()) {
    const std::string name = c.disposition_name;
    const uint32_t expected = name == "FILE_SUPERSEDE" ? 0 : name == "FILE_OPEN" ? 1 : name == "FILE_CREATE" ? 2
                            : name == "FILE_OPEN_IF" ? 3 : name == "FILE_OVERWRITE" ? 4 : 5;
    EXPECT_EQ(c.disposition, expected) << name;
    if (!c.succeeds) continue;
    const std::string result = c.result_name;
    const uint64_t info = result == "FILE_SUPERSEDED" ? 0 : result == "FILE_OPENED" ? 1 : result == "FILE_CREATED" ? 2 : 3;
    EXPECT_EQ(c.information, info) << name;
    // A create on no file always reports CREATED; on a file, never.
    EXPECT_EQ(c.information == 2, !c.file_exists) << name;
  }
}

TEST(FbcheckJudgement, FirstMismatchMakesTheLineAndTheRestAreCounted) {
  Judgement j;
  EXPECT_TRUE(j.expect_equal("size", 3, 3));
  EXPECT_FALSE(j.failed());
  EXPECT_FALSE(j.expect_equal("a.txt", "old\r\n", "new"));
  EXPECT_FALSE(j.expect_error("rename", 5, true, 0));
  const Result r = j.result(*find_check("N1"));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.detail, "expected a.txt = 'old\\r\\n', got 'new' (and 1 more)");
  Judgement clean;
  EXPECT_EQ(clean.result(*find_check("N1")).status, Status::kPass);
}

TEST(FbcheckJudgement, ErrorExpectationsNameBothSides) {
  Judgement j;
  j.expect_error("MoveFileExW", 5, false, 32);
  EXPECT_EQ(j.result(*find_check("N6")).detail,
            "expected MoveFileExW to fail with error 5 (access denied), got error 32 (sharing violation)");
}

TEST(FbcheckArgs, FolderOptionsAndErrors) {
  ParsedOptions p = parse_options({});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.options.folder, "");
  p = parse_options({"C:\\Users\\me\\Documents", "--facts-only"});
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.options.folder, "C:\\Users\\me\\Documents");
  EXPECT_TRUE(p.options.facts_only);
  EXPECT_TRUE(parse_options({"/?"}).options.help);
  p = parse_options({"--frobnicate"});
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.error, "fbcheck: unknown option '--frobnicate' (fbcheck --help)");
  EXPECT_FALSE(parse_options({"a", "b"}).ok);
  EXPECT_NE(help_text().find("usage: fbcheck [FOLDER]"), std::string::npos);
  EXPECT_NE(help_text().find("  4  facts passed; stories skipped"), std::string::npos);
}

}  // namespace
}  // namespace fbcheck
