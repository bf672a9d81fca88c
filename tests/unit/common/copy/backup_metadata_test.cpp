// Backup metadata: the exact version-1 bytes, round trips, a specific error for every kind of
// damage, and the verification rule (check_backup) on complete, incomplete and corrupt backups.
#include "common/copy/backup_metadata.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/base/crc32c.h"
#include "tests/support/memory_byte_io.h"

namespace {

using fb::BackupCheck;
using fb::BackupIntegrity;
using fb::BackupMetadata;
using fb::MetadataError;
using fb::NtStatus;
using fb::Trigger;
using Record = std::vector<uint8_t>;

namespace nt = fb::nt;

BackupMetadata sample() {
  BackupMetadata m;
  m.backup_time = 133000000000000000;  // 2022-06-17, FILETIME
  m.original_size = 0x123456789ull;
  m.content_hash = 0xE3069283u;
  m.writer_process_id = 4242;
  m.trigger = Trigger::kWrite;
  return m;
}

Record encode(const BackupMetadata& m) {
  Record out(fb::kBackupMetadataSize);
  EXPECT_EQ(fb::encode_backup_metadata(m, out.data(), out.size()), MetadataError::kOk);
  return out;
}

Record from_hex(const std::string& hex) {
  Record out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Recomputes the record checksum, so a test can reach the field checks behind it.
void reseal(Record& r) {
  const uint32_t crc = fb::crc32c(r.data(), 44);
  for (int i = 0; i < 4; ++i) r[44 + i] = static_cast<uint8_t>(crc >> (8 * i));
}

bool same(const BackupMetadata& a, const BackupMetadata& b) {
  return a.backup_time == b.backup_time && a.original_size == b.original_size && a.content_hash == b.content_hash &&
         a.writer_process_id == b.writer_process_id && a.trigger == b.trigger;
}

// The wire bytes are fixed: computed independently of this code (Python struct + CRC-32C).
TEST(BackupMetadata, EncodesTheDocumentedVersion1Bytes) {
  EXPECT_EQ(encode(sample()),
            from_hex("46424d44010030000080209bcb82d80189674523010000009210000000000000"
                     "839206e30101000000000000343ac715"));
}

TEST(BackupMetadata, RoundTripsEveryTriggerAndExtremeValues) {
  for (uint8_t t = 1; t <= 8; ++t)
    for (uint64_t big : {0ull, 1ull, 0xFFFFFFFFull, ~0ull}) {
      BackupMetadata m;
      m.backup_time = static_cast<int64_t>(big >> 1);
      m.original_size = big;
      m.content_hash = static_cast<uint32_t>(big * 7);
      m.writer_process_id = big;
      m.trigger = static_cast<Trigger>(t);
      const Record r = encode(m);
      BackupMetadata decoded;
      ASSERT_EQ(fb::decode_backup_metadata(r.data(), r.size(), &decoded), MetadataError::kOk);
      EXPECT_TRUE(same(decoded, m)) << "trigger " << int(t) << " value " << big;
    }
}

TEST(BackupMetadata, EncodeRefusesWhatWouldNotDecodeAndNeverOverflows) {
  struct Case {
    const char* name;
    std::function<void(BackupMetadata&)> change;
    size_t capacity;
    MetadataError error;
  };
  const Case cases[] = {
      {"buffer_too_small", [](BackupMetadata&) {}, fb::kBackupMetadataSize - 1, MetadataError::kTooShort},
      {"no_buffer", [](BackupMetadata&) {}, 0, MetadataError::kTooShort},
      {"trigger_zero", [](BackupMetadata& m) { m.trigger = static_cast<Trigger>(0); }, 64, MetadataError::kBadTrigger},
      {"trigger_unknown", [](BackupMetadata& m) { m.trigger = static_cast<Trigger>(200); }, 64, MetadataError::kBadTrigger},
      {"negative_time", [](BackupMetadata& m) { m.backup_time = -1; }, 64, MetadataError::kBadTime},
  };
  for (const Case& c : cases) {
    BackupMetadata m = sample();
    c.change(m);
    Record out(64, 0xCC);
    EXPECT_EQ(fb::encode_backup_metadata(m, c.capacity ? out.data() : nullptr, c.capacity), c.error) << c.name;
    EXPECT_EQ(out, Record(64, 0xCC)) << c.name << ": nothing written on failure";
  }
  Record exact(fb::kBackupMetadataSize + 4, 0xCC);
  EXPECT_EQ(fb::encode_backup_metadata(sample(), exact.data(), fb::kBackupMetadataSize), MetadataError::kOk);
  EXPECT_EQ(Record(exact.end() - 4, exact.end()), Record(4, 0xCC)) << "wrote past the record";
}

// One corruption per error, each checked to produce exactly its own error.
TEST(BackupMetadata, DecodeRejectsEveryCorruptionWithItsSpecificError) {
  struct Case {
    const char* name;
    std::function<void(Record&)> corrupt;
    MetadataError error;
  };
  const Case cases[] = {
      {"empty", [](Record& r) { r.clear(); }, MetadataError::kTooShort},
      {"one_byte_short", [](Record& r) { r.pop_back(); }, MetadataError::kTooShort},
      {"header_only", [](Record& r) { r.resize(8); }, MetadataError::kTooShort},
      {"bad_magic", [](Record& r) { r[0] = 'X'; }, MetadataError::kBadMagic},
      {"zeroed", [](Record& r) { r.assign(r.size(), 0); }, MetadataError::kBadMagic},
      {"version_0", [](Record& r) { r[4] = 0; }, MetadataError::kUnsupportedVersion},
      {"version_2", [](Record& r) { r[4] = 2; }, MetadataError::kUnsupportedVersion},
      {"version_high_byte", [](Record& r) { r[5] = 1; }, MetadataError::kUnsupportedVersion},
      {"record_size_47", [](Record& r) { r[6] = 47; }, MetadataError::kBadRecordSize},
      {"record_size_huge", [](Record& r) { r[7] = 0xFF; }, MetadataError::kBadRecordSize},
      {"trailing_byte", [](Record& r) { r.push_back(0); }, MetadataError::kTrailingBytes},
      {"size_field_flip", [](Record& r) { r[16] ^= 1; }, MetadataError::kBadChecksum},
      {"hash_field_flip", [](Record& r) { r[33] ^= 0x80; }, MetadataError::kBadChecksum},
      {"checksum_flip", [](Record& r) { r[47] ^= 1; }, MetadataError::kBadChecksum},
      {"trigger_0", [](Record& r) { r[37] = 0, reseal(r); }, MetadataError::kBadTrigger},
      {"trigger_12", [](Record& r) { r[37] = 12, reseal(r); }, MetadataError::kBadTrigger},
      {"hash_algorithm_0", [](Record& r) { r[36] = 0, reseal(r); }, MetadataError::kBadHashAlgorithm},
      {"hash_algorithm_2", [](Record& r) { r[36] = 2, reseal(r); }, MetadataError::kBadHashAlgorithm},
      {"negative_time", [](Record& r) { r[15] = 0x80, reseal(r); }, MetadataError::kBadTime},
      {"reserved_first", [](Record& r) { r[38] = 1, reseal(r); }, MetadataError::kReservedNotZero},
      {"reserved_last", [](Record& r) { r[43] = 0x10, reseal(r); }, MetadataError::kReservedNotZero},
  };
  for (const Case& c : cases) {
    Record r = encode(sample());
    c.corrupt(r);
    BackupMetadata out;
    out.writer_process_id = 777;
    EXPECT_EQ(fb::decode_backup_metadata(r.data(), r.size(), &out), c.error)
        << c.name << ": " << fb::metadata_error_name(fb::decode_backup_metadata(r.data(), r.size(), &out));
    EXPECT_EQ(out.writer_process_id, 777u) << c.name << ": output written on failure";
  }
}

// Damage anywhere is caught: every single-bit flip and every truncation.
TEST(BackupMetadata, EveryBitFlipAndEveryTruncationIsRejected) {
  const Record good = encode(sample());
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    Record r = good;
    r[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(fb::decode_backup_metadata(r.data(), r.size(), nullptr), MetadataError::kOk) << "bit " << bit;
  }
  for (size_t length = 0; length < good.size(); ++length)
    EXPECT_EQ(fb::decode_backup_metadata(good.data(), length, nullptr), MetadataError::kTooShort) << length;
  EXPECT_EQ(fb::decode_backup_metadata(nullptr, 48, nullptr), MetadataError::kTooShort);
}

TEST(BackupMetadata, EveryErrorHasAName) {
  for (int e = 0; e <= static_cast<int>(MetadataError::kReservedNotZero); ++e)
    EXPECT_STRNE(fb::metadata_error_name(static_cast<MetadataError>(e)), "unknown") << e;
  for (int i = 0; i <= static_cast<int>(BackupIntegrity::kDataMismatch); ++i)
    EXPECT_STRNE(fb::backup_integrity_name(static_cast<BackupIntegrity>(i)), "unknown") << i;
}

// --- the verification rule ------------------------------------------------------------------------

struct CheckCase {
  const char* name;
  std::function<void(Record& meta, std::vector<uint8_t>& data, uint64_t& data_length)> damage;
  bool read_data;
  BackupIntegrity integrity;
  NtStatus status;
};

class CheckBackup : public ::testing::TestWithParam<CheckCase> {};

TEST_P(CheckBackup, AppliesTheVerificationRule) {
  const CheckCase& c = GetParam();
  std::vector<uint8_t> data = fbtest::pattern_bytes(5000, 2);
  BackupMetadata m = sample();
  m.original_size = data.size();
  m.content_hash = fb::crc32c(data.data(), data.size());
  Record meta = encode(m);
  uint64_t data_length = data.size();
  c.damage(meta, data, data_length);

  fbtest::MemorySource source(data);
  std::vector<uint8_t> buffer(1024);
  const BackupCheck check =
      fb::check_backup(meta.data(), meta.size(), data_length, c.read_data ? &source : nullptr, buffer.data(), 1024);
  EXPECT_EQ(check.integrity, c.integrity) << fb::backup_integrity_name(check.integrity);
  EXPECT_EQ(check.status, c.status);
  EXPECT_EQ(check.ok(), c.integrity == BackupIntegrity::kOk);
  if (c.integrity != BackupIntegrity::kMetadataInvalid) {
    EXPECT_TRUE(same(check.metadata, m));
  }
  if (!c.read_data) {
    EXPECT_EQ(source.reads, 0);
  }
}

void no_damage(Record&, std::vector<uint8_t>&, uint64_t&) {}

INSTANTIATE_TEST_SUITE_P(
    Table, CheckBackup,
    ::testing::Values(
        CheckCase{"complete", no_damage, true, BackupIntegrity::kOk, nt::kSuccess},
        CheckCase{"complete_cheap", no_damage, false, BackupIntegrity::kOk, nt::kSuccess},
        CheckCase{"metadata_torn", [](Record& m, auto&, auto&) { m.resize(20); }, true,
                  BackupIntegrity::kMetadataInvalid, nt::kFileCorruptError},
        CheckCase{"metadata_flipped", [](Record& m, auto&, auto&) { m[20] ^= 4; }, false,
                  BackupIntegrity::kMetadataInvalid, nt::kFileCorruptError},
        CheckCase{"data_truncated", [](Record&, auto& d, uint64_t& n) { d.resize(4000), n = 4000; }, true,
                  BackupIntegrity::kSizeMismatch, nt::kFileCorruptError},
        CheckCase{"data_truncated_cheap", [](Record&, auto& d, uint64_t& n) { d.resize(4000), n = 4000; }, false,
                  BackupIntegrity::kSizeMismatch, nt::kFileCorruptError},
        CheckCase{"data_byte_changed", [](Record&, auto& d, auto&) { d[1234] ^= 0x20; }, true,
                  BackupIntegrity::kDataMismatch, nt::kFileCorruptError},
        // The caller's size was right when queried, but the stream changed before the read.
        CheckCase{"data_shrank_while_reading", [](Record&, auto& d, auto&) { d.resize(10); }, true,
                  BackupIntegrity::kDataMismatch, nt::kFileCorruptError},
        CheckCase{"data_grew_while_reading", [](Record&, auto& d, auto&) { d.push_back(1); }, true,
                  BackupIntegrity::kDataMismatch, nt::kFileCorruptError}),
    [](const ::testing::TestParamInfo<CheckCase>& info) { return info.param.name; });

TEST(CheckBackupRead, ReadErrorIsDataUnreadableWithTheReadStatus) {
  const std::vector<uint8_t> data = fbtest::pattern_bytes(100, 2);
  BackupMetadata m = sample();
  m.original_size = data.size();
  m.content_hash = fb::crc32c(data.data(), data.size());
  const Record meta = encode(m);
  struct FailingSource : fb::ByteSource {
    NtStatus read(uint64_t, void*, uint32_t, uint32_t* n) override { return *n = 0, nt::kDeviceDataError; }
  } source;
  std::vector<uint8_t> buffer(64);
  const BackupCheck check = fb::check_backup(meta.data(), meta.size(), 100, &source, buffer.data(), 64);
  EXPECT_EQ(check.integrity, BackupIntegrity::kDataUnreadable);
  EXPECT_EQ(check.status, nt::kDeviceDataError);
  EXPECT_EQ(check.verify_failure, fb::VerifyFailure::kRead);
}

}  // namespace
