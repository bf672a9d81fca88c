// The rescue file's self-relative security descriptor, read back field by field at the offsets
// of SECURITY_DESCRIPTOR_RELATIVE, ACL, ACE_HEADER/ACCESS_ALLOWED_ACE and SID.
#include "common/engine/rescue_security.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace fb::security;

// Compiled into the driver as a constant: built at compile time.
constexpr RescueFileSecurity kBuilt = rescue_file_security();

uint32_t u16_at(const uint8_t* p, uint32_t at) { return p[at] | p[at + 1] << 8; }
uint32_t u32_at(const uint8_t* p, uint32_t at) { return u16_at(p, at) | u16_at(p, at + 2) << 16; }

// "S-1-5-32-544" from the SID at `at`; *bytes gets its length.
std::string sid_text(const uint8_t* p, uint32_t at, uint32_t* bytes) {
  std::string text = "S-" + std::to_string(p[at]);
  uint64_t authority = 0;
  for (int i = 0; i < 6; ++i) authority = authority << 8 | p[at + 2 + i];
  text += "-" + std::to_string(authority);
  const uint32_t count = p[at + 1];
  for (uint32_t i = 0; i < count; ++i) text += "-" + std::to_string(u32_at(p, at + 8 + 4 * i));
  *bytes = 8 + 4 * count;
  return text;
}

TEST(RescueFileSecurity, HeaderSaysSelfRelativeWithAProtectedDaclOnly) {
  const uint8_t* sd = kBuilt.bytes;
  EXPECT_EQ(sd[0], 1);                       // Revision
  EXPECT_EQ(u16_at(sd, 2), 0x8000u | 0x1000u | 0x0004u);  // SELF_RELATIVE | DACL_PROTECTED | DACL_PRESENT
  EXPECT_EQ(u32_at(sd, 4), 0u);              // Owner: the creator's default
  EXPECT_EQ(u32_at(sd, 8), 0u);              // Group
  EXPECT_EQ(u32_at(sd, 12), 0u);             // Sacl
  EXPECT_EQ(u32_at(sd, 16), 20u);            // Dacl
  EXPECT_EQ(reinterpret_cast<uintptr_t>(sd) % 4, 0u);  // ACLs and SIDs are DWORD aligned
}

TEST(RescueFileSecurity, DaclGrantsSystemAndAdministratorsAndNotTheOwner) {
  const uint8_t* sd = kBuilt.bytes;
  const uint32_t acl = u32_at(sd, 16);
  EXPECT_EQ(sd[acl], 2);  // ACL_REVISION
  const uint32_t acl_size = u16_at(sd, acl + 2);
  EXPECT_EQ(acl + acl_size, sizeof kBuilt.bytes);  // the ACL ends the descriptor
  const uint32_t ace_count = u16_at(sd, acl + 4);

  struct Seen {
    std::string sid;
    uint32_t mask;
  };
  std::vector<Seen> seen;
  uint32_t at = acl + 8;
  for (uint32_t i = 0; i < ace_count; ++i) {
    ASSERT_LT(at + 8, acl + acl_size);
    EXPECT_EQ(sd[at], 0) << "ACCESS_ALLOWED_ACE_TYPE";
    EXPECT_EQ(sd[at + 1], 0) << "no inheritance flags";
    const uint32_t ace_size = u16_at(sd, at + 2);
    EXPECT_EQ(ace_size % 4, 0u);
    uint32_t sid_bytes = 0;
    const std::string sid = sid_text(sd, at + 8, &sid_bytes);
    EXPECT_EQ(ace_size, 8 + sid_bytes);
    seen.push_back({sid, u32_at(sd, at + 4)});
    at += ace_size;
  }
  EXPECT_EQ(at, acl + acl_size);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].sid, "S-1-5-18");
  EXPECT_EQ(seen[0].mask, 0x001F01FFu);  // FILE_ALL_ACCESS
  EXPECT_EQ(seen[1].sid, "S-1-5-32-544");
  EXPECT_EQ(seen[1].mask, 0x001F01FFu);
  EXPECT_EQ(seen[2].sid, "S-1-3-4");     // OWNER RIGHTS
  EXPECT_EQ(seen[2].mask, 0x00020000u);  // READ_CONTROL: no WRITE_DAC, no data
  for (const Seen& s : seen) EXPECT_NE(s.sid, "S-1-1-0") << "no Everyone";
}

}  // namespace
