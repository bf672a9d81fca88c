// Fuzzes the NT name parser, the separator scan and the backup stream names built from what
// parses. Input: UTF-16 units, little-endian; the first unit, when present, is also tried as
// the volume length for parse_nt_path_on_volume. The name sits in a heap block of exactly its
// size, so ASan reports any read past it.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/events/event.h"
#include "common/paths/nt_path.h"
#include "common/paths/stream_names.h"

namespace {

void check(bool ok) {
  if (!ok) abort();
}

bool inside(fb::Str16 part, fb::Str16 whole) {
  return part.len == 0 || (part.data >= whole.data && part.data + part.len <= whole.data + whole.len);
}

void check_parts(fb::Str16 path, const fb::NtPathParts& p) {
  check(inside(p.volume, path) && inside(p.directory, path) && inside(p.parent, path) && inside(p.file_name, path) &&
        inside(p.file_path, path) && inside(p.stream_name, path) && inside(p.stream_type, path));
  check(p.directory.data == path.data && p.volume.data == path.data);
  check(p.directory.len == p.volume.len + p.parent.len);
  check(p.file_path.data == path.data && p.file_path.len <= path.len);
  check(p.stream_name.len <= 255);
  check(p.is_default_stream() == (p.stream_kind == fb::StreamKind::kDefault));
  if (p.volume_only) check(p.file_name.len == 0 && p.parent.len == 0);
  // The parent and file name are made of plain components.
  fb::any_component(p.parent, [&](uint32_t start, uint32_t end) {
    check(end > start);
    for (uint32_t i = start; i < end; ++i) check(p.parent[i] != u':' && p.parent[i] != 0);
    return false;
  });
}

// A parsed file's backup stream names parse back to the same file, as streams of ours.
void check_backup_names(const fb::NtPathParts& p) {
  if (p.file_name.len == 0) return;
  static char16_t out[fb::kMaxPathUnits];
  for (uint32_t slot = 0; slot <= fb::kLastBackupSlot; ++slot) {
    uint32_t len = 0;
    const fb::NtStatus s = fb::build_backup_stream_path(p.file_path, slot, fb::BackupPart::kMeta, out, fb::kMaxPathUnits, &len);
    if (s != fb::nt::kSuccess) {
      check(s == fb::nt::kNameTooLong && p.file_path.len + 16 > fb::kMaxPathUnits);
      continue;
    }
    fb::NtPathParts again;
    check(fb::parse_nt_path_on_volume(fb::Str16(out, len), p.volume.len, &again) == fb::nt::kSuccess);
    check(again.file_path.len == p.file_path.len);
    const fb::StreamClass c = fb::classify_stream(again.stream_name);
    check(c.owner == fb::StreamOwner::kBackup && c.slot == slot && c.part == fb::BackupPart::kMeta);
  }
}

void check_separator_scan(fb::Str16 s) {
  for (uint32_t base = 0; base < s.len; base += 7) {
    uint32_t expected = 0;
    for (uint32_t i = base; i < s.len && i < base + 16; ++i) expected |= static_cast<uint32_t>(s[i] == u'\\') << (i - base);
    check(fb::separator_mask16(s, base) == expected);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint32_t units = static_cast<uint32_t>(size / 2 > 40000 ? 40000 : size / 2);
  char16_t* exact = static_cast<char16_t*>(malloc(units * sizeof(char16_t) + 1));
  memcpy(exact, data, units * sizeof(char16_t));
  const fb::Str16 path(exact, units);

  fb::NtPathParts parts;
  const fb::NtStatus s = fb::parse_nt_path(path, &parts);
  check(s == fb::nt::kSuccess || s == fb::nt::kObjectNameInvalid || s == fb::nt::kNameTooLong);
  if (s == fb::nt::kSuccess) {
    check_parts(path, parts);
    check_backup_names(parts);
    fb::classify_stream(parts.stream_name);
  }
  if (units > 0) {
    const fb::NtStatus v = fb::parse_nt_path_on_volume(path, exact[0] % (units + 2), &parts);
    if (v == fb::nt::kSuccess) check_parts(path, parts);
  }
  check_separator_scan(path);
  fb::file_extension(path);
  free(exact);
  return 0;
}
