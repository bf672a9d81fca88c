// The NTFS model's own tests: each NTFS fact of docs/ntfs-facts.md that the model
// encodes has a test named after it, plus the fault injection the scenarios rely on.
#include "tests/model/ntfs_model.h"

#include <gtest/gtest.h>

namespace fbmodel {
namespace {

using fb::CreateDisposition;
namespace access = fb::access;
namespace share = fb::share;

const Name kFile = u"\\Device\\HarddiskVolume1\\Users\\me\\Documents\\report.docx";
const Name kOther = u"\\Device\\HarddiskVolume1\\Users\\me\\Documents\\~WRL0001.tmp";
const Name kDoc2 = u"\\Device\\HarddiskVolume1\\Users\\me\\Documents\\second.txt";

class NtfsModel : public ::testing::Test {
 protected:
  NtStatus open(const Name& path, const Name& stream, uint32_t acc, CreateDisposition d, ModelHandle* h,
                uint16_t sh = share::kAll, uint64_t* info = nullptr) {
    uint64_t ignored = 0;
    return vol.create(path, stream, acc, sh, d, 0, false, h, info ? info : &ignored);
  }
  Volume vol;
};

TEST_F(NtfsModel, N1_OverwriteDeletesNamedStreams) {
  for (CreateDisposition d : {CreateDisposition::kOverwrite, CreateDisposition::kOverwriteIf, CreateDisposition::kSupersede}) {
    vol.put(kFile, "old content");
    vol.put(kFile, "previous", u"backup");
    vol.put(kFile, "meta", u"backup.meta");
    ModelHandle h = 0;
    ASSERT_EQ(open(kFile, u"", access::kWriteData, d, &h), nt::kSuccess);
    EXPECT_EQ(vol.content(kFile), "");
    EXPECT_FALSE(vol.exists(kFile, u"backup"));
    EXPECT_FALSE(vol.exists(kFile, u"backup.meta"));
    EXPECT_TRUE(vol.stream_names(kFile).empty());
    vol.close(h);
  }
}

TEST_F(NtfsModel, N1_OverwriteOfNamedStreamKeepsOtherStreams) {
  vol.put(kFile, "content");
  vol.put(kFile, "a", u"backup");
  vol.put(kFile, "b", u"other");
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"other", access::kWriteData, CreateDisposition::kOverwriteIf, &h), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.content(kFile), "content");
  EXPECT_EQ(vol.content(kFile, u"backup"), "a");
  EXPECT_EQ(vol.content(kFile, u"other"), "");
}

TEST_F(NtfsModel, N2_TruncateExistingKeepsNamedStreams) {
  vol.put(kFile, "content");
  vol.put(kFile, "previous", u"backup");
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"", access::kWriteData, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(vol.set_end_of_file(h, 0), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.content(kFile), "");
  EXPECT_EQ(vol.content(kFile, u"backup"), "previous");
}

TEST_F(NtfsModel, N3_OpenNamedStreamSurvivesOverwriteOnlyThroughItsHandle) {
  vol.put(kFile, "content");
  vol.put(kFile, "previous", u"backup");
  ModelHandle reader = 0, writer = 0, again = 0;
  ASSERT_EQ(open(kFile, u"backup", access::kReadData, CreateDisposition::kOpen, &reader), nt::kSuccess);
  ASSERT_EQ(open(kFile, u"", access::kWriteData, CreateDisposition::kOverwriteIf, &writer), nt::kSuccess);
  EXPECT_EQ(open(kFile, u"backup", access::kReadData, CreateDisposition::kOpen, &again), nt::kObjectNameNotFound);
  char buf[16] = {};
  uint32_t got = 0;
  EXPECT_EQ(vol.read(reader, 0, buf, sizeof buf, &got), nt::kSuccess);
  EXPECT_EQ(std::string(buf, got), "previous");
  vol.close(reader);
  vol.close(writer);
  EXPECT_FALSE(vol.exists(kFile, u"backup"));
}

TEST_F(NtfsModel, N4_DispositionsReportInformation) {
  struct Row {
    bool exists;
    CreateDisposition disposition;
    NtStatus status;
    uint64_t information;
  };
  const Row rows[] = {
      {true, CreateDisposition::kOpen, nt::kSuccess, fb::create_info::kOpened},
      {false, CreateDisposition::kOpen, nt::kObjectNameNotFound, 0},
      {true, CreateDisposition::kCreate, nt::kObjectNameCollision, 0},
      {false, CreateDisposition::kCreate, nt::kSuccess, fb::create_info::kCreated},
      {true, CreateDisposition::kOpenIf, nt::kSuccess, fb::create_info::kOpened},
      {false, CreateDisposition::kOpenIf, nt::kSuccess, fb::create_info::kCreated},
      {true, CreateDisposition::kOverwrite, nt::kSuccess, fb::create_info::kOverwritten},
      {false, CreateDisposition::kOverwrite, nt::kObjectNameNotFound, 0},
      {true, CreateDisposition::kOverwriteIf, nt::kSuccess, fb::create_info::kOverwritten},
      {false, CreateDisposition::kOverwriteIf, nt::kSuccess, fb::create_info::kCreated},
      {true, CreateDisposition::kSupersede, nt::kSuccess, fb::create_info::kSuperseded},
      {false, CreateDisposition::kSupersede, nt::kSuccess, fb::create_info::kCreated},
  };
  int i = 0;
  for (const Row& row : rows) {
    const Name path = kFile + u"." + static_cast<char16_t>(u'a' + i++);
    if (row.exists) vol.put(path, "x");
    ModelHandle h = 0;
    uint64_t info = 99;
    EXPECT_EQ(open(path, u"", access::kWriteData, row.disposition, &h, share::kAll, &info), row.status) << i;
    if (fb::nt_success(row.status)) {
      EXPECT_EQ(info, row.information) << i;
      vol.close(h);
    }
  }
}

TEST_F(NtfsModel, N5_RenameReplaceDeletesTargetWithAllStreams) {
  vol.put(kFile, "original");
  vol.put(kFile, "previous", u"backup");
  vol.put(kOther, "new version");
  ModelHandle h = 0;
  ASSERT_EQ(open(kOther, u"", access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  EXPECT_EQ(vol.rename(h, kFile, false), nt::kObjectNameCollision);
  ASSERT_EQ(vol.rename(h, kFile, true), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.content(kFile), "new version");
  EXPECT_FALSE(vol.exists(kFile, u"backup"));
  EXPECT_FALSE(vol.exists(kOther));
}

TEST_F(NtfsModel, N5_RenameReplaceFailsWhileATargetStreamIsOpen) {
  for (const Name& open_stream : {Name(u"backup"), Name()}) {
    vol.put(kFile, "original");
    vol.put(kFile, "previous", u"backup");
    vol.put(kOther, "new version");
    ModelHandle held = 0, h = 0;
    ASSERT_EQ(open(kFile, open_stream, access::kReadData, CreateDisposition::kOpen, &held), nt::kSuccess);
    ASSERT_EQ(open(kOther, u"", access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
    EXPECT_EQ(vol.rename(h, kFile, true), nt::kAccessDenied);
    vol.close(held);
    EXPECT_EQ(vol.rename(h, kFile, true), nt::kSuccess);
    vol.close(h);
  }
}

TEST_F(NtfsModel, N6_RenameFailsWhileANamedStreamOfTheFileIsOpen) {
  vol.put(kOther, "new version");
  vol.put(kOther, "b", u"backup");
  ModelHandle stream = 0, h = 0;
  ASSERT_EQ(open(kOther, u"backup", access::kReadData, CreateDisposition::kOpen, &stream), nt::kSuccess);
  ASSERT_EQ(open(kOther, u"", access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  EXPECT_EQ(vol.rename(h, kFile, false), nt::kAccessDenied);
  vol.close(stream);
  EXPECT_EQ(vol.rename(h, kFile, false), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.content(kFile, u"backup"), "b");
}

TEST_F(NtfsModel, N7_ReplaceFileKeepsStreamsTheReplacementLacks) {
  vol.put(kFile, "original");
  vol.put(kFile, "previous", u"backup");
  vol.put(kFile, "tag", u"Zone.Identifier");
  vol.put(kOther, "new version");
  vol.put(kOther, "mine", u"Zone.Identifier");
  ASSERT_EQ(vol.replace_file(kFile, kOther), nt::kSuccess);
  EXPECT_EQ(vol.content(kFile), "new version");
  EXPECT_EQ(vol.content(kFile, u"backup"), "previous");
  EXPECT_EQ(vol.content(kFile, u"zone.identifier"), "mine");
  EXPECT_FALSE(vol.exists(kOther));
}

TEST_F(NtfsModel, N8_StreamRenameNeedsAnAbsentOrUnopenedEmptyTarget) {
  struct Row {
    const char* target_content;  // nullptr: no target stream
    bool replace;
    bool target_open;
    NtStatus expected;
  };
  const Row rows[] = {
      {nullptr, false, false, nt::kSuccess},
      {nullptr, true, false, nt::kSuccess},
      {"full", false, false, nt::kObjectNameCollision},
      {"full", true, false, nt::kInvalidParameter},
      {"", true, false, nt::kSuccess},
      {"", true, true, nt::kInvalidParameter},
      {"", false, false, nt::kObjectNameCollision},
  };
  for (const Row& row : rows) {
    Volume v;
    v.put(kFile, "content");
    v.put(kFile, "new", u"backup.tmp");
    if (row.target_content) v.put(kFile, row.target_content, u"backup");
    ModelHandle held = 0, h = 0;
    uint64_t info = 0;
    if (row.target_open) {
      ASSERT_EQ(v.create(kFile, u"backup", access::kReadData, share::kAll, CreateDisposition::kOpen, 0, false, &held, &info),
                nt::kSuccess);
    }
    ASSERT_EQ(v.create(kFile, u"backup.tmp", access::kDelete, share::kAll, CreateDisposition::kOpen, 0, false, &h, &info), nt::kSuccess);
    EXPECT_EQ(v.rename(h, u":backup", row.replace), row.expected);
    v.close(h);
    if (held) v.close(held);
    if (row.expected == nt::kSuccess) {
      EXPECT_EQ(v.content(kFile, u"backup"), "new");
      EXPECT_FALSE(v.exists(kFile, u"backup.tmp"));
    } else {
      EXPECT_EQ(v.content(kFile, u"backup.tmp"), "new");
    }
  }
}

TEST_F(NtfsModel, N8_StreamRenameToDefaultStreamWorksWhenItIsEmpty) {
  vol.put(kFile, "");
  vol.put(kFile, "saved", u"backup");
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"backup", access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  EXPECT_EQ(vol.rename(h, u"::$DATA", false), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.content(kFile), "saved");
  EXPECT_FALSE(vol.exists(kFile, u"backup"));
}

TEST_F(NtfsModel, N9_DeleteRemovesAllStreams) {
  vol.put(kFile, "content");
  vol.put(kFile, "previous", u"backup");
  ModelHandle h = 0, late = 0;
  ASSERT_EQ(open(kFile, u"", access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(vol.set_delete(h), nt::kSuccess);
  EXPECT_EQ(open(kFile, u"", access::kReadData, CreateDisposition::kOpen, &late), nt::kDeletePending);
  vol.close(h);
  EXPECT_FALSE(vol.exists(kFile));
  EXPECT_FALSE(vol.exists(kFile, u"backup"));
  EXPECT_TRUE(vol.file_names().empty());
}

TEST_F(NtfsModel, N9_DeleteOnCloseRemovesAllStreams) {
  vol.put(kFile, "content");
  vol.put(kFile, "previous", u"backup");
  ModelHandle h = 0;
  uint64_t info = 0;
  ASSERT_EQ(vol.create(kFile, u"", access::kDelete, share::kAll, CreateDisposition::kOpen, fb::create_option::kDeleteOnClose,
                       false, &h, &info),
            nt::kSuccess);
  EXPECT_TRUE(vol.exists(kFile));
  vol.close(h);
  EXPECT_FALSE(vol.exists(kFile));
  EXPECT_FALSE(vol.exists(kFile, u"backup"));
}

TEST_F(NtfsModel, ShareModesAreCheckedBothWaysUnlessBypassed) {
  vol.put(kFile, "content");
  ModelHandle exclusive = 0, h = 0;
  uint64_t info = 0;
  ASSERT_EQ(open(kFile, u"", access::kWriteData, CreateDisposition::kOpen, &exclusive, 0), nt::kSuccess);
  EXPECT_EQ(open(kFile, u"", access::kReadData, CreateDisposition::kOpen, &h), nt::kSharingViolation);
  ASSERT_EQ(vol.create(kFile, u"", access::kReadData, share::kAll, CreateDisposition::kOpen, 0, true, &h, &info), nt::kSuccess);
  vol.close(h);
  // Streams have their own share access: the backup stream can be opened beside an exclusive writer.
  ASSERT_EQ(open(kFile, u"backup", access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0), nt::kSuccess);
  vol.close(h);
  vol.close(exclusive);
}

TEST_F(NtfsModel, FaultDiskFullAtByteK) {
  vol.put(kFile, "");
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"backup", access::kWriteData, CreateDisposition::kOverwriteIf, &h), nt::kSuccess);
  vol.fail_writes_after(6);
  uint32_t written = 0;
  EXPECT_EQ(vol.write(h, 0, "1234", 4, &written), nt::kSuccess);
  EXPECT_EQ(vol.write(h, 4, "5678", 4, &written), nt::kDiskFull);
  EXPECT_EQ(written, 0u);
  vol.close(h);
  EXPECT_EQ(vol.content(kFile, u"backup"), "1234");
}

TEST_F(NtfsModel, FaultDiskFullWhenCapacityIsExhausted) {
  Volume small(10);
  small.put(kFile, "12345678");
  EXPECT_EQ(small.free_space(), 2u);
  ModelHandle h = 0;
  uint64_t info = 0;
  ASSERT_EQ(small.create(kFile, u"backup", access::kWriteData, share::kAll, CreateDisposition::kOverwriteIf, 0, false, &h, &info), nt::kSuccess);
  uint32_t written = 0;
  EXPECT_EQ(small.write(h, 0, "abc", 3, &written), nt::kDiskFull);
  small.close(h);
}

TEST_F(NtfsModel, FaultReadErrorAtOffsetK) {
  vol.put(kFile, "0123456789");
  vol.fail_reads_at(kFile, u"", 4);
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"", access::kReadData, CreateDisposition::kOpen, &h), nt::kSuccess);
  char buf[10];
  uint32_t got = 0;
  EXPECT_EQ(vol.read(h, 0, buf, 10, &got), nt::kSuccess);
  EXPECT_EQ(std::string(buf, got), "0123");
  EXPECT_EQ(vol.read(h, 4, buf, 10, &got), nt::kDeviceDataError);
  EXPECT_EQ(vol.read(h, 5, buf, 10, &got), nt::kSuccess);
  EXPECT_EQ(std::string(buf, got), "56789");
  vol.close(h);
}

TEST_F(NtfsModel, FaultSharingViolationOnOpen) {
  vol.put(kFile, "content");
  vol.fail_opens(kFile, u"", 1);
  ModelHandle h = 0;
  uint64_t info = 0;
  EXPECT_EQ(vol.create(kFile, u"", access::kReadData, share::kAll, CreateDisposition::kOpen, 0, true, &h, &info), nt::kSharingViolation);
  EXPECT_EQ(vol.create(kFile, u"", access::kReadData, share::kAll, CreateDisposition::kOpen, 0, true, &h, &info), nt::kSuccess);
  vol.close(h);
}

// The requestor's access check: what a create asks for, plus what its disposition destroys.
TEST_F(NtfsModel, RequestorAccessCheckAddsWhatTheDispositionDestroys) {
  vol.put(kFile, "content");
  vol.deny_requestor(kFile, access::kWriteData);
  EXPECT_EQ(vol.requestor_access_check(kFile, access::kReadData, CreateDisposition::kOpen, 0), nt::kSuccess);
  EXPECT_EQ(vol.requestor_access_check(kFile, access::kWriteData, CreateDisposition::kOpen, 0), nt::kAccessDenied);
  EXPECT_EQ(vol.requestor_access_check(kFile, access::kReadData, CreateDisposition::kOverwriteIf, 0), nt::kAccessDenied);
  vol.deny_requestor(kOther, access::kDelete);
  vol.put(kOther, "other");
  EXPECT_EQ(vol.requestor_access_check(kOther, access::kWriteData, CreateDisposition::kOverwrite, 0), nt::kSuccess);
  EXPECT_EQ(vol.requestor_access_check(kOther, access::kWriteData, CreateDisposition::kSupersede, 0), nt::kAccessDenied);
  vol.deny_requestor(kFile, access::kWriteAttributes);
  EXPECT_EQ(vol.requestor_access_check(kFile, access::kReadData, CreateDisposition::kOpen, 0), nt::kSuccess);
  vol.put(kDoc2, "x");
  vol.deny_requestor(kDoc2, access::kWriteEa);
  EXPECT_EQ(vol.requestor_access_check(kDoc2, access::kWriteData, CreateDisposition::kOpen, 0), nt::kSuccess);
  EXPECT_EQ(vol.requestor_access_check(kDoc2, access::kWriteData, CreateDisposition::kOverwriteIf, 0), nt::kAccessDenied);
  vol.grant_restore_privilege();  // counts only with backup intent
  EXPECT_EQ(vol.requestor_access_check(kDoc2, access::kWriteData, CreateDisposition::kOverwriteIf, 0), nt::kAccessDenied);
  EXPECT_EQ(vol.requestor_access_check(kDoc2, access::kWriteData, CreateDisposition::kOverwriteIf,
                                       fb::create_option::kOpenForBackupIntent),
            nt::kSuccess);
  EXPECT_EQ(vol.files_ever_created(), std::vector<Name>{});  // put() is setup, not a create
  ModelHandle h = 0;
  ASSERT_EQ(open(u"\\Device\\HarddiskVolume1\\new.txt", u"", access::kWriteData, CreateDisposition::kCreate, &h), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.files_ever_created().size(), 1u);
}

TEST_F(NtfsModel, AppendOnlyHandleWritesAtTheEnd) {
  vol.put(kFile, "log:");
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"", access::kAppendData, CreateDisposition::kOpen, &h), nt::kSuccess);
  uint32_t written = 0;
  EXPECT_EQ(vol.write(h, 0, "entry", 5, &written), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.content(kFile), "log:entry");
}

}  // namespace
}  // namespace fbmodel

namespace fbmodel {
namespace {

TEST(NtfsModelFaults, FaultNthOpenFailsExactlyThatOpen) {
  Volume vol;
  vol.put(u"\\Device\\HarddiskVolume1\\a.txt", "a");
  vol.fail_nth_open(2);
  ModelHandle h = 0;
  uint64_t info = 0;
  const auto open = [&] {
    return vol.create(u"\\Device\\HarddiskVolume1\\a.txt", u"", fb::access::kReadData, fb::share::kAll,
                      fb::CreateDisposition::kOpen, 0, true, &h, &info);
  };
  EXPECT_EQ(open(), nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(open(), nt::kSharingViolation);
  EXPECT_EQ(open(), nt::kSuccess);
  vol.close(h);
}

// An NT name is a UNICODE_STRING (Length: USHORT bytes): 32,767 units, stream suffix included.
TEST(NtfsModelNames, NamesLongerThanAUnicodeStringAreRefused) {
  Volume vol;
  const Name longest = u"\\Device\\HarddiskVolume2\\" + Name(32767 - 24, u'x');
  ASSERT_EQ(longest.size(), 32767u);
  ModelHandle h = 0;
  uint64_t info = 0;
  EXPECT_EQ(vol.create(longest, Name(), fb::access::kWriteData, fb::share::kAll, fb::CreateDisposition::kOpenIf, 0,
                       false, &h, &info),
            nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.create(longest + u"x", Name(), fb::access::kWriteData, fb::share::kAll,
                       fb::CreateDisposition::kOpenIf, 0, false, &h, &info),
            nt::kNameTooLong);
  const Name shorter = longest.substr(0, longest.size() - 7);  // `:backup` fits exactly
  EXPECT_EQ(vol.create(shorter, u"backup", fb::access::kWriteData, fb::share::kAll, fb::CreateDisposition::kOpenIf,
                       0, false, &h, &info),
            nt::kSuccess);
  vol.close(h);
  EXPECT_EQ(vol.create(shorter, u"backup.2", fb::access::kWriteData, fb::share::kAll,
                       fb::CreateDisposition::kOpenIf, 0, false, &h, &info),
            nt::kNameTooLong);
}

// N10 (docs: CreateHardLinkW, FILE_LINK_INFORMATION; MS-FSA 2.1.5.15.6 FileLinkInformation):
// a link is another name of the same file record, default and named streams alike; a delete
// removes only the name it was asked through.
TEST_F(NtfsModel, N10_LinkSharesEveryStreamAndADeleteRemovesOneName) {
  const Name vault = u"\\Device\\HarddiskVolume1\\$FileBackupVault\\0000000000000001";
  vol.put(kFile, "content");
  vol.put(kFile, "previous", u"backup");
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"", access::kWriteAttributes, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(vol.link(h, vault, false), nt::kSuccess);
  EXPECT_EQ(vol.link(h, kDoc2, false), nt::kSuccess);
  vol.put(kDoc2, "other file");  // put() writes through the existing name: the same record
  EXPECT_EQ(vol.content(kFile), "other file");
  vol.put(kFile, "content");
  EXPECT_EQ(vol.link_count(kFile), 3u);
  vol.close(h);
  ModelHandle d = 0;
  ASSERT_EQ(open(kFile, u"", access::kDelete, CreateDisposition::kOpen, &d), nt::kSuccess);
  ASSERT_EQ(vol.set_delete(d), nt::kSuccess);
  vol.close(d);
  EXPECT_FALSE(vol.exists(kFile));
  EXPECT_EQ(vol.content(vault), "content");
  EXPECT_EQ(vol.content(vault, u"backup"), "previous");
  EXPECT_EQ(vol.link_count(vault), 2u);
}

TEST_F(NtfsModel, N10_LinkOntoAnExistingNameCollides) {
  vol.put(kFile, "a");
  vol.put(kDoc2, "b");
  ModelHandle h = 0;
  ASSERT_EQ(open(kFile, u"", access::kWriteAttributes, CreateDisposition::kOpen, &h), nt::kSuccess);
  EXPECT_EQ(vol.link(h, kDoc2, false), nt::kObjectNameCollision);
  EXPECT_EQ(vol.content(kDoc2), "b");
  vol.close(h);
}

// N11 (docs: FILE_DISPOSITION_INFORMATION_EX; MS-FSA 2.1.5.15.3): a pending delete keeps the
// name until the last handle closes, and the name cannot be opened meanwhile; DeleteFile FALSE
// cancels it.
TEST_F(NtfsModel, N11_PendingDeleteKeepsTheNameUntilTheLastCloseAndCanBeCancelled) {
  vol.put(kFile, "content");
  ModelHandle reader = 0, d = 0, again = 0;
  ASSERT_EQ(open(kFile, u"", access::kReadData, CreateDisposition::kOpen, &reader), nt::kSuccess);
  ASSERT_EQ(open(kFile, u"", access::kDelete, CreateDisposition::kOpen, &d), nt::kSuccess);
  ASSERT_EQ(vol.set_delete(d), nt::kSuccess);
  vol.close(d);
  EXPECT_EQ(open(kFile, u"", access::kReadData, CreateDisposition::kOpen, &again), nt::kDeletePending);
  vol.close(reader);
  EXPECT_FALSE(vol.exists(kFile));

  vol.put(kFile, "content");
  ASSERT_EQ(open(kFile, u"", access::kDelete, CreateDisposition::kOpen, &d), nt::kSuccess);
  ASSERT_EQ(vol.set_delete(d), nt::kSuccess);
  ASSERT_EQ(vol.set_delete(d, false), nt::kSuccess);
  vol.close(d);
  EXPECT_TRUE(vol.exists(kFile));
}

// N11: with FILE_DISPOSITION_POSIX_SEMANTICS the name goes when the asking handle closes; a
// reader keeps the data, and the name can be taken by another file at once.
TEST_F(NtfsModel, N11_PosixDeleteRemovesTheNameAtThatClose) {
  vol.put(kFile, "content");
  ModelHandle reader = 0, d = 0;
  ASSERT_EQ(open(kFile, u"", access::kReadData, CreateDisposition::kOpen, &reader), nt::kSuccess);
  ASSERT_EQ(open(kFile, u"", access::kDelete, CreateDisposition::kOpen, &d), nt::kSuccess);
  ASSERT_EQ(vol.set_delete_posix(d), nt::kSuccess);
  vol.close(d);
  EXPECT_FALSE(vol.exists(kFile));
  char buf[16];
  uint32_t got = 0;
  ASSERT_EQ(vol.read(reader, 0, buf, sizeof buf, &got), nt::kSuccess);
  EXPECT_EQ(std::string(buf, got), "content");
  vol.put(kFile, "new file");
  EXPECT_EQ(vol.content(kFile), "new file");
  vol.close(reader);
  EXPECT_EQ(vol.content(kFile), "new file");
}

// The DACL changes between two checks: the first refuses, the next passes.
TEST_F(NtfsModel, RequestorDenialForSomeChecksOnlyIsLiftedAfterThem) {
  vol.put(kFile, "content");
  vol.deny_requestor_for_checks(kFile, access::kWriteData, 1);
  EXPECT_EQ(vol.requestor_access_check(kFile, access::kWriteData, CreateDisposition::kOpen, 0), nt::kAccessDenied);
  EXPECT_EQ(vol.requestor_access_check(kFile, access::kWriteData, CreateDisposition::kOpen, 0), nt::kSuccess);
}

}  // namespace
}  // namespace fbmodel
