// End to end across the wire: the events the engine emits in a scenario, numbered as the queue
// numbers them, encoded with the common protocol and decoded as fbmon decodes them, come out as
// the same records.
#include <vector>

#include "common/protocol/protocol.h"
#include "tests/scenario/scenario_support.h"

namespace fbscenario {
namespace {

using fb::CreateDisposition;
namespace access = fb::access;
namespace nt = fb::nt;

using SavePatternsProtocol = ScenarioTest;

TEST_F(SavePatternsProtocol, EngineEventsSurviveEncodeAndDecode) {
  volume->put(kDoc, "version 1");
  volume->put(kTemp, "");
  ASSERT_EQ(harness->overwrite(kDoc, "version 2"), nt::kSuccess);   // backed up (S4)
  ASSERT_EQ(harness->edit(kTemp, 0, "x"), nt::kSuccess);             // skipped: empty
  volume->fail_reads_at(kDoc, u"", 3);
  ASSERT_EQ(harness->edit(kDoc, 0, "V"), nt::kSuccess);              // failed: read error
  volume->clear_faults();
  fbmodel::AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->delete_on_close(h), nt::kSuccess);              // kept in the vault
  harness->close(h);

  const std::vector<fbmodel::RecordedEvent> events = harness->events();
  ASSERT_EQ(events.size(), 4u);
  const fb::Outcome outcomes[] = {fb::Outcome::kBackedUp, fb::Outcome::kSkipped, fb::Outcome::kFailed,
                                  fb::Outcome::kKeptInVault};
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    fb::BackupEvent sent = events[i].event;
    sent.sequence = i + 1;  // the queue numbers events
    sent.path = fbmodel::view(events[i].path);
    EXPECT_EQ(sent.outcome, outcomes[i]);
    ASSERT_EQ(fb::proto::validate_event(sent), fb::proto::Error::kOk);

    std::vector<uint16_t> wire(fb::proto::event_message_bytes(sent.path.len) / 2 + 1);
    const fb::proto::EncodeResult encoded = fb::proto::encode_event(sent, wire.data(), wire.size() * 2);
    ASSERT_EQ(encoded.error, fb::proto::Error::kOk);
    ASSERT_EQ(encoded.size, fb::proto::event_message_bytes(sent.path.len));

    fb::BackupEvent got;
    ASSERT_EQ(fb::proto::decode_event(wire.data(), encoded.size, &got), fb::proto::Error::kOk);
    EXPECT_EQ(got.sequence, sent.sequence);
    EXPECT_EQ(got.time, sent.time);
    EXPECT_EQ(got.process_id, sent.process_id);
    EXPECT_EQ(got.trigger, sent.trigger);
    EXPECT_EQ(got.outcome, sent.outcome);
    EXPECT_EQ(got.skip_reason, sent.skip_reason);
    EXPECT_EQ(got.status, sent.status);
    EXPECT_EQ(got.file_size, sent.file_size);
    EXPECT_EQ(got.bytes_copied, sent.bytes_copied);
    EXPECT_EQ(got.duration, sent.duration);
    EXPECT_EQ(got.slot, sent.slot);
    EXPECT_EQ(Name(got.path.data, got.path.data + got.path.len), events[i].path);
  }
  EXPECT_EQ(events[0].event.trigger, fb::Trigger::kOverwriteOnOpen);
  EXPECT_EQ(events[1].event.skip_reason, fb::SkipReason::kEmptyFile);
  EXPECT_EQ(events[2].event.status, nt::kDeviceDataError);
  EXPECT_EQ(events[3].event.trigger, fb::Trigger::kDelete);
}

}  // namespace
}  // namespace fbscenario
