#include "common/paths/stream_names.h"

#include "common/events/event.h"
#include "common/base/upcase.h"

namespace fb {
namespace {

constexpr Str16 kBackupWord = Str16::lit(u"backup");
constexpr Str16 kMetaWord = Str16::lit(u".meta");
constexpr Str16 kTmpWord = Str16::lit(u".tmp");

// Our names are ASCII, and NTFS's $UpCase maps no other unit onto an ASCII letter.
bool ascii_prefix(Str16 s, Str16 prefix) { return starts_with_ignore_case(s, prefix, upcase_native); }

// After `backup`: "", ".N" (N in 2..9) or ".tmp"; sets the slot. False for anything else.
bool parse_slot(Str16 s, uint32_t* slot) {
  if (s.empty()) {
    *slot = kFirstBackupSlot;
    return true;
  }
  if (s.len == kTmpWord.len && ascii_prefix(s, kTmpWord)) {
    *slot = kTempBackupSlot;
    return true;
  }
  if (s.len == 2 && s[0] == u'.' && s[1] >= u'2' && s[1] <= u'0' + kLastBackupSlot) {
    *slot = s[1] - u'0';
    return true;
  }
  return false;
}

bool append(char16_t* out, uint32_t cap, uint32_t* len, Str16 text) {
  if (text.len > cap - *len) return false;
  for (uint32_t i = 0; i < text.len; ++i) out[*len + i] = text[i];
  *len += text.len;
  return true;
}

}  // namespace

StreamClass classify_stream(Str16 stream_name) {
  StreamClass result;
  if (!ascii_prefix(stream_name, kBackupWord)) return result;
  result.owner = StreamOwner::kOtherOurs;
  Str16 rest = stream_name.from(kBackupWord.len);
  BackupPart part = BackupPart::kData;
  if (rest.len >= kMetaWord.len && ascii_prefix(rest.from(rest.len - kMetaWord.len), kMetaWord)) {
    part = BackupPart::kMeta;
    rest.len -= kMetaWord.len;
  }
  uint32_t slot = 0;
  if (!parse_slot(rest, &slot)) return result;
  result.owner = StreamOwner::kBackup;
  result.slot = slot;
  result.part = part;
  return result;
}

NtStatus build_backup_suffix(uint32_t slot, BackupPart part, char16_t* out, uint32_t cap, uint32_t* len) {
  return build_backup_stream_path(Str16(), slot, part, out, cap, len);
}

NtStatus build_backup_stream_path(Str16 file_path, uint32_t slot, BackupPart part, char16_t* out, uint32_t cap,
                                  uint32_t* len) {
  *len = 0;
  if (slot > kLastBackupSlot || (out == nullptr && cap != 0)) return nt::kInvalidParameter;
  char16_t suffix[kMaxBackupSuffixUnits];
  uint32_t suffix_len = 0;
  append(suffix, kMaxBackupSuffixUnits, &suffix_len, Str16::lit(u":backup"));
  if (slot == kTempBackupSlot) {
    append(suffix, kMaxBackupSuffixUnits, &suffix_len, kTmpWord);
  } else if (slot != kFirstBackupSlot) {
    const char16_t digit[2] = {u'.', static_cast<char16_t>(u'0' + slot)};
    append(suffix, kMaxBackupSuffixUnits, &suffix_len, Str16(digit, 2));
  }
  if (part == BackupPart::kMeta) append(suffix, kMaxBackupSuffixUnits, &suffix_len, kMetaWord);

  const uint64_t total = static_cast<uint64_t>(file_path.len) + suffix_len;
  if (total > cap || total > kMaxPathUnits) return nt::kNameTooLong;
  append(out, cap, len, file_path);
  append(out, cap, len, Str16(suffix, suffix_len));
  return nt::kSuccess;
}

}  // namespace fb
