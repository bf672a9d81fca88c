#include "monitor/lib/civil_time.h"
#include "monitor/lib/event_format.h"

#include <gtest/gtest.h>

#include <stdio.h>

namespace {

// 2026-11-21 14:03:17.512 as a FILETIME: days 1601..1970, then Unix seconds.
constexpr int64_t kUnixEpochAsFiletime = 116444736000000000;
constexpr int64_t at(int64_t unix_seconds, int64_t ms) {
  return kUnixEpochAsFiletime + unix_seconds * 10000000 + ms * 10000;
}
constexpr int64_t kSampleLocal = at(1795269797, 512);  // 2026-11-21 14:03:17.512

fb::BackupEvent sample_event(const std::u16string& nt_path) {
  fb::BackupEvent e;
  e.sequence = 41;
  e.time = kSampleLocal - 36000000000;  // UTC one hour earlier than local
  e.process_id = 4312;
  e.trigger = fb::Trigger::kWrite;
  e.outcome = fb::Outcome::kBackedUp;
  e.file_size = 1310720;
  e.bytes_copied = 1310720;
  e.duration = 31000;
  e.slot = 1;
  e.path = fb::Str16(nt_path.data(), static_cast<uint32_t>(nt_path.size()));
  return e;
}

fbmon::EventContext sample_context() {
  fbmon::EventContext c;
  c.local_time = kSampleLocal;
  c.process_name = "WINWORD.EXE";
  c.win32_path = u"C:\\Users\\me\\Documents\\report.docx";
  return c;
}

TEST(MonitorCivilTime, FiletimeToCalendar) {
  struct Case { int64_t filetime; const char* text; };
  const Case cases[] = {
      {0, "1601-01-01 00:00:00.000"},
      {kUnixEpochAsFiletime, "1970-01-01 00:00:00.000"},
      {kSampleLocal, "2026-11-21 14:03:17.512"},
      {at(951782400, 0), "2000-02-29 00:00:00.000"},   // leap day in a century leap year
      {at(4107542399, 999), "2100-02-28 23:59:59.999"},  // 2100 is not a leap year
      {-5, "1601-01-01 00:00:00.000"},
  };
  for (const Case& c : cases) EXPECT_EQ(fbmon::format_civil(fbmon::civil_from_filetime(c.filetime)), c.text);
  EXPECT_EQ(fbmon::format_civil_iso(fbmon::civil_from_filetime(kSampleLocal)), "2026-11-21T14:03:17.512");
}

TEST(MonitorEventFormat, TextLineForEachOutcome) {
  const std::u16string nt = u"\\Device\\HarddiskVolume3\\Users\\me\\Documents\\report.docx";
  struct Case { fb::Outcome outcome; fb::SkipReason skip; fb::NtStatus status; fb::Trigger trigger; const char* text; };
  const Case cases[] = {
      {fb::Outcome::kBackedUp, fb::SkipReason::kNone, 0, fb::Trigger::kWrite,
       "2026-11-21 14:03:17.512  pid 4312   WINWORD.EXE      write       backed up (slot 1)            1.25 MiB   3.1 ms   C:\\Users\\me\\Documents\\report.docx"},
      {fb::Outcome::kSkipped, fb::SkipReason::kTooLarge, 0, fb::Trigger::kOverwriteOnOpen,
       "2026-11-21 14:03:17.512  pid 4312   WINWORD.EXE      overwrite   skipped (too large)           1.25 MiB   3.1 ms   C:\\Users\\me\\Documents\\report.docx"},
      {fb::Outcome::kFailed, fb::SkipReason::kNone, fb::nt::kDiskFull, fb::Trigger::kRenameOver,
       "2026-11-21 14:03:17.512  pid 4312   WINWORD.EXE      rename-over FAILED 0xC000007F (disk full) 1.25 MiB   3.1 ms   C:\\Users\\me\\Documents\\report.docx"},
      {fb::Outcome::kBackupLost, fb::SkipReason::kNone, 0, fb::Trigger::kDelete,
       "2026-11-21 14:03:17.512  pid 4312   WINWORD.EXE      delete      backup lost (file deleted)    1.25 MiB   3.1 ms   C:\\Users\\me\\Documents\\report.docx"},
  };
  for (const Case& c : cases) {
    fb::BackupEvent e = sample_event(nt);
    e.outcome = c.outcome;
    e.skip_reason = c.skip;
    e.status = c.status;
    e.trigger = c.trigger;
    const std::string line = fbmon::format_event_text(e, sample_context());
    EXPECT_EQ(line, c.text);
    printf("sample watch: %s\n", line.c_str());
  }
}

TEST(MonitorEventFormat, UnknownEnumValuesFromANewerDriverStayReadable) {
  const std::u16string nt = u"\\x";
  fb::BackupEvent e = sample_event(nt);
  e.trigger = static_cast<fb::Trigger>(99);
  e.outcome = static_cast<fb::Outcome>(99);
  const std::string line = fbmon::format_event_text(e, sample_context());
  EXPECT_NE(line.find(" ? "), std::string::npos);
  EXPECT_NE(line.find("outcome?"), std::string::npos);
}

TEST(MonitorEventFormat, JsonLine) {
  const std::u16string nt = std::u16string(u"\\Device\\HarddiskVolume3\\d\\bad") + char16_t(0xD800) + u".txt";
  fb::BackupEvent e = sample_event(nt);
  fbmon::EventContext c = sample_context();
  c.win32_path = std::u16string(u"C:\\d\\bad") + char16_t(0xD800) + u".txt";
  const std::string json = fbmon::format_event_json(e, c);
  EXPECT_EQ(json,
            "{\"seq\":41,\"time\":\"2026-11-21T14:03:17.512\",\"filetime_utc\":134397397975120000,"
            "\"pid\":4312,\"process\":\"WINWORD.EXE\",\"trigger\":\"write\",\"outcome\":\"backed-up\","
            "\"file_size\":1310720,\"bytes_copied\":1310720,\"duration_us\":3100,\"slot\":1,"
            "\"path\":\"C:\\\\d\\\\bad\\ud800.txt\",\"nt_path\":\"\\\\Device\\\\HarddiskVolume3\\\\d\\\\bad\\ud800.txt\"}");
  printf("sample watch --json: %s\n", json.c_str());

  e.outcome = fb::Outcome::kFailed;
  e.status = fb::nt::kAccessDenied;
  EXPECT_NE(fbmon::format_event_json(e, c).find("\"outcome\":\"failed\",\"status\":\"0xC0000022\""), std::string::npos);
  e.outcome = fb::Outcome::kSkipped;
  e.skip_reason = fb::SkipReason::kLowDiskSpace;
  EXPECT_NE(fbmon::format_event_json(e, c).find("\"skip_reason\":\"low disk space\""), std::string::npos);
}

TEST(MonitorEventFormat, Gaps) {
  fb::GapReport g;
  g.dropped = 17;
  g.first_sequence = 120;
  g.last_sequence = 136;
  EXPECT_EQ(fbmon::format_gap_text(g), "-- 17 events dropped (sequence 120..136) --");
  EXPECT_EQ(fbmon::format_gap_json(g), "{\"gap\":{\"dropped\":17,\"first_sequence\":120,\"last_sequence\":136}}");
  g.dropped = 1;
  g.last_sequence = 120;
  EXPECT_EQ(fbmon::format_gap_text(g), "-- 1 event dropped (sequence 120..120) --");
  printf("sample watch gap: %s\n", fbmon::format_gap_text(g).c_str());
}

TEST(MonitorEventFormat, FilterMatchesPathOrProcess) {
  const fbmon::EventContext c = sample_context();
  struct Case { const char* filter; bool match; };
  const Case cases[] = {{"", true}, {"report", true}, {"DOCUMENTS\\REPORT", true}, {"winword", true},
                        {"excel", false}, {"D:\\", false}};
  for (const Case& k : cases) EXPECT_EQ(fbmon::event_matches(k.filter, c), k.match) << k.filter;
}

TEST(MonitorSequenceTracker, FindsUnreportedGapsAndAcceptsReports) {
  fbmon::SequenceTracker t;
  EXPECT_EQ(t.on_event(5).dropped, 0u);  // first event: nothing to compare with
  EXPECT_EQ(t.on_event(6).dropped, 0u);
  fb::GapReport g = t.on_event(9);
  EXPECT_EQ(g.dropped, 2u);
  EXPECT_EQ(g.first_sequence, 7u);
  EXPECT_EQ(g.last_sequence, 8u);
  fb::GapReport reported;
  reported.dropped = 3;
  reported.first_sequence = 10;
  reported.last_sequence = 12;
  t.on_gap(reported);
  EXPECT_EQ(t.on_event(13).dropped, 0u);  // the driver already reported 10..12
  EXPECT_EQ(t.on_event(1).dropped, 0u);   // driver reloaded: numbering starts over
  t.reset();
  EXPECT_EQ(t.on_event(50).dropped, 0u);
}

}  // namespace
