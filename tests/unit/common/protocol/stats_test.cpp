// FailureReason grouping of NTSTATUS values and the words for the statistics' reasons.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/protocol/stats.h"

namespace {

struct StatusCase {
  fb::NtStatus status;
  fb::FailureReason reason;
};

TEST(FailureReasonOf, GroupsStatusesByWhatTheUserCanDo) {
  const StatusCase cases[] = {
      {fb::nt::kSharingViolation, fb::FailureReason::kSharingViolation},
      {fb::nt::kDiskFull, fb::FailureReason::kDiskFull},
      {fb::nt::kDeviceDataError, fb::FailureReason::kReadError},
      {fb::nt::kDataError, fb::FailureReason::kReadError},
      {fb::nt::kFileCorruptError, fb::FailureReason::kReadError},
      {fb::nt::kNameTooLong, fb::FailureReason::kNameTooLong},
      {fb::nt::kAccessDenied, fb::FailureReason::kAccessDenied},
      {fb::nt::kInsufficientResources, fb::FailureReason::kInsufficientResources},
      {fb::nt::kUnsuccessful, fb::FailureReason::kOther},
      {fb::nt::kObjectNameInvalid, fb::FailureReason::kOther},
      {fb::nt::kSuccess, fb::FailureReason::kOther},
  };
  for (const StatusCase& c : cases)
    EXPECT_EQ(fb::failure_reason_of(c.status), c.reason) << std::hex << static_cast<uint32_t>(c.status);
}

TEST(ReasonText, EveryValueHasItsOwnWordsAndOutOfRangeIsUnknown) {
  std::set<std::string> failures, skips;
  for (uint32_t i = 0; i < fb::kFailureReasonCount; ++i)
    failures.insert(fb::failure_reason_text(static_cast<fb::FailureReason>(i)));
  for (uint32_t i = 0; i < fb::kSkipReasonCount; ++i) skips.insert(fb::skip_reason_text(static_cast<fb::SkipReason>(i)));
  EXPECT_EQ(failures.size(), fb::kFailureReasonCount);
  EXPECT_EQ(skips.size(), fb::kSkipReasonCount);
  EXPECT_EQ(failures.count("unknown"), 0u);
  EXPECT_STREQ(fb::failure_reason_text(static_cast<fb::FailureReason>(fb::kFailureReasonCount)), "unknown");
  EXPECT_STREQ(fb::skip_reason_text(static_cast<fb::SkipReason>(fb::kSkipReasonCount)), "unknown");
}

}  // namespace
