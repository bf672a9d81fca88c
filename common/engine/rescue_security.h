// The security descriptor the S4 rescue file is created with (common/engine/rescue.h). For a moment the
// rescue file holds another file's content, and a new file would take its folder's permissions:
// someone allowed to overwrite a file but not to read it (write-only access), or anyone who
// may read the folder, could read it there. So the rescue file gets its own DACL:
//   - protected (SE_DACL_PROTECTED): nothing is inherited from the folder;
//   - SYSTEM and Administrators: FILE_ALL_ACCESS (an administrator can clean up a file left by
//     a crash; the engine's own opens are kernel opens and are not checked);
//   - OWNER RIGHTS (S-1-3-4): READ_CONTROL only. The file's owner is whoever made the create
//     (the requestor's token); this ACE replaces the owner's implicit READ_CONTROL | WRITE_DAC,
//     so the owner cannot grant itself access.
// Self-relative, in the layout of SECURITY_DESCRIPTOR_RELATIVE, ACL, ACCESS_ALLOWED_ACE and SID,
// as OBJECT_ATTRIBUTES::SecurityDescriptor takes it. Built at compile time from the values
// below; tests/unit/common/engine/rescue_security_test.cpp reads it back field by field.
#pragma once

#include "common/base/fb_base.h"

namespace fb {
namespace security {

constexpr uint8_t kSdRevision = 1;             // SECURITY_DESCRIPTOR_REVISION
constexpr uint16_t kSeDaclPresent = 0x0004;    // SE_DACL_PRESENT
constexpr uint16_t kSeDaclProtected = 0x1000;  // SE_DACL_PROTECTED
constexpr uint16_t kSeSelfRelative = 0x8000;   // SE_SELF_RELATIVE
constexpr uint8_t kAclRevision = 2;            // ACL_REVISION
constexpr uint8_t kAccessAllowedAceType = 0;   // ACCESS_ALLOWED_ACE_TYPE
constexpr uint32_t kFileAllAccess = 0x001F01FF;  // FILE_ALL_ACCESS
constexpr uint32_t kReadControl = 0x00020000;    // READ_CONTROL

// A SID with up to two sub-authorities: S-1-<authority>-<sub>...
struct Sid {
  uint8_t authority;  // the last byte of the 6-byte big-endian identifier authority
  uint8_t count;
  uint32_t sub[2];
  constexpr uint32_t bytes() const { return 8 + 4u * count; }
};
constexpr Sid kLocalSystem = {5, 1, {18, 0}};             // S-1-5-18
constexpr Sid kAdministrators = {5, 2, {32, 544}};        // S-1-5-32-544
constexpr Sid kOwnerRights = {3, 1, {4, 0}};              // S-1-3-4

struct Ace {
  Sid sid;
  uint32_t mask;
  constexpr uint32_t bytes() const { return 8 + sid.bytes(); }  // ACE_HEADER + Mask + SID
};
constexpr Ace kRescueFileAces[] = {
    {kLocalSystem, kFileAllAccess},
    {kAdministrators, kFileAllAccess},
    {kOwnerRights, kReadControl},
};
constexpr uint32_t kRescueFileAceCount = sizeof kRescueFileAces / sizeof kRescueFileAces[0];

constexpr uint32_t kSdHeaderBytes = 20;  // SECURITY_DESCRIPTOR_RELATIVE
constexpr uint32_t kAclHeaderBytes = 8;  // ACL

constexpr uint32_t acl_bytes() {
  uint32_t total = kAclHeaderBytes;
  for (const Ace& ace : kRescueFileAces) total += ace.bytes();
  return total;
}
constexpr uint32_t kRescueFileSecurityBytes = kSdHeaderBytes + acl_bytes();

struct RescueFileSecurity {
  alignas(4) uint8_t bytes[kRescueFileSecurityBytes];
};

namespace detail {
struct Writer {
  uint8_t* out;
  uint32_t at;
  constexpr void u8(uint8_t v) { out[at++] = v; }
  constexpr void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v));
    u8(static_cast<uint8_t>(v >> 8));
  }
  constexpr void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v));
    u16(static_cast<uint16_t>(v >> 16));
  }
  constexpr void sid(const Sid& s) {
    u8(1);  // SID_REVISION
    u8(s.count);
    for (int i = 0; i < 5; ++i) u8(0);
    u8(s.authority);
    for (uint8_t i = 0; i < s.count; ++i) u32(s.sub[i]);
  }
};
}  // namespace detail

constexpr RescueFileSecurity rescue_file_security() {
  RescueFileSecurity sd{};
  detail::Writer w{sd.bytes, 0};
  w.u8(kSdRevision);
  w.u8(0);
  w.u16(kSeSelfRelative | kSeDaclPresent | kSeDaclProtected);
  w.u32(0);               // no owner: the creator's default owner
  w.u32(0);               // no group
  w.u32(0);               // no SACL
  w.u32(kSdHeaderBytes);  // the DACL follows the header
  w.u8(kAclRevision);
  w.u8(0);
  w.u16(static_cast<uint16_t>(acl_bytes()));
  w.u16(static_cast<uint16_t>(kRescueFileAceCount));
  w.u16(0);
  for (const Ace& ace : kRescueFileAces) {
    w.u8(kAccessAllowedAceType);
    w.u8(0);  // no inheritance flags: a file has no children
    w.u16(static_cast<uint16_t>(ace.bytes()));
    w.u32(ace.mask);
    w.sid(ace.sid);
  }
  return sd;
}

}  // namespace security
}  // namespace fb
