#include "common/paths/nt_path.h"

#include "common/events/event.h"
#include "common/base/upcase.h"

namespace fb {
namespace {

constexpr uint32_t kMaxStreamNameUnits = 255;  // MS-FSCC 2.1.5.3

bool is_dot_name(Str16 name) {
  return (name.len == 1 && name[0] == u'.') || (name.len == 2 && name[0] == u'.' && name[1] == u'.');
}

// Whether s holds `a` or `b`, 16 units at a time.
bool has_either_unit(Str16 s, char16_t a, char16_t b) {
  for (uint32_t base = 0; base < s.len; base += 16)
    if ((unit_mask16(s, base, a) | unit_mask16(s, base, b)) != 0) return true;
  return false;
}

// Every component of `dirs` (`\a\b`, or empty) is a plain name: not empty, not `.` or `..`, and
// free of NUL and (unless allowed, as in volume names) ':'.
bool components_valid(Str16 dirs, bool allow_colon) {
  if (has_either_unit(dirs, 0, allow_colon ? 0 : u':')) return false;
  const bool any_bad = any_component(dirs, [&](uint32_t start, uint32_t end) {
    return end == start || (end - start <= 2 && is_dot_name(dirs.sub(start, end - start)));
  });
  return !any_bad;
}

// Length of `\Device\<name>`, or 0 if the path does not start with two non-empty components.
uint32_t default_volume_length(Str16 path) {
  uint64_t seps = separator_mask64(path, 0) & ~uint64_t{1};  // the next separators, if within 64 units
  const uint32_t first_end = seps ? static_cast<uint32_t>(__builtin_ctzll(seps)) : find_separator(path, 1);
  if (first_end <= 1 || first_end >= path.len) return 0;
  seps &= seps - 1;
  const uint32_t second_end = seps ? static_cast<uint32_t>(__builtin_ctzll(seps)) : find_separator(path, first_end + 1);
  return second_end > first_end + 1 ? second_end : 0;
}

StreamKind stream_kind_of(Str16 stream_name, Str16 stream_type) {
  const bool data_type = stream_type.empty() || equal_ignore_case(stream_type, Str16::lit(u"$DATA"), upcase_native);
  if (data_type) return stream_name.empty() ? StreamKind::kDefault : StreamKind::kNamedData;
  if (equal_ignore_case(stream_type, Str16::lit(u"$INDEX_ALLOCATION"), upcase_native)) return StreamKind::kIndex;
  return StreamKind::kOtherType;
}

// Splits the last component `name[:stream[:type]]` into *out. `in_root`: the component is in
// the root directory, where an empty name with a stream (`\:s`) names a stream of the root.
bool split_last_component(Str16 last, bool in_root, NtPathParts* out) {
  uint32_t colons[2] = {0, 0};
  uint32_t colon_count = 0;
  for (uint32_t i = 0; i < last.len; ++i) {
    if (last[i] == 0) return false;
    if (last[i] != u':') continue;
    if (colon_count == 2) return false;  // name:stream:type is the most there is
    colons[colon_count++] = i;
  }
  const uint32_t name_end = colon_count ? colons[0] : last.len;
  out->file_name = last.sub(0, name_end);
  if (is_dot_name(out->file_name)) return false;
  if (out->file_name.empty() && !(in_root && (colon_count > 0 || last.empty()))) return false;
  if (colon_count == 0) return true;

  const uint32_t stream_end = colon_count == 2 ? colons[1] : last.len;
  out->stream_name = last.sub(colons[0] + 1, stream_end - colons[0] - 1);
  if (colon_count == 2) out->stream_type = last.from(colons[1] + 1);
  if (out->stream_name.len > kMaxStreamNameUnits) return false;
  for (uint32_t i = 0; i < out->stream_name.len; ++i)
    if (out->stream_name[i] == u'/') return false;
  if (colon_count == 1 && out->stream_name.empty()) return false;                 // `x:`
  if (colon_count == 2 && (out->stream_type.empty() || out->stream_type[0] != u'$')) return false;  // `x:s:`
  out->stream_kind = stream_kind_of(out->stream_name, out->stream_type);
  return true;
}

bool split_path(Str16 path, uint32_t volume_len, NtPathParts* out) {
  if (path.data == nullptr || path.len < 2 || path[0] != u'\\') return false;
  if (volume_len < 2 || volume_len > path.len) return false;
  if (volume_len < path.len && path[volume_len] != u'\\') return false;
  out->volume = path.sub(0, volume_len);
  if (!components_valid(out->volume, /*allow_colon=*/true)) return false;

  Str16 rest = path.from(volume_len);  // empty, `\`, or `\dirs...\last`
  out->volume_only = rest.empty();
  if (rest.len > 1 && rest[rest.len - 1] == u'\\') {
    out->trailing_separator = true;
    rest.len -= 1;
  }
  uint32_t last_sep = rest.len;
  while (last_sep > 0 && rest[last_sep - 1] != u'\\') --last_sep;
  const uint32_t parent_len = last_sep == 0 ? 0 : last_sep - 1;
  out->parent = rest.sub(0, parent_len);
  out->directory = path.sub(0, volume_len + parent_len);
  if (!components_valid(out->parent, /*allow_colon=*/false)) return false;

  const Str16 last = rest.from(last_sep);
  if (!split_last_component(last, parent_len == 0, out)) return false;
  // `dir\` names a directory; `x:s\` and the root written as `\\` are not names.
  if (out->trailing_separator && (out->file_name.empty() || !out->stream_name.empty() || !out->stream_type.empty()))
    return false;
  out->file_path = path.sub(0, static_cast<uint32_t>(out->file_name.data + out->file_name.len - path.data));
  return true;
}

}  // namespace

NtStatus parse_nt_path_on_volume(Str16 path, uint32_t volume_len, NtPathParts* out) {
  *out = NtPathParts{};
  if (path.len > kMaxPathUnits) return nt::kNameTooLong;
  if (!split_path(path, volume_len, out)) {
    *out = NtPathParts{};
    return nt::kObjectNameInvalid;
  }
  return nt::kSuccess;
}

NtStatus parse_nt_path(Str16 path, NtPathParts* out) {
  if (path.len > kMaxPathUnits) {
    *out = NtPathParts{};
    return nt::kNameTooLong;
  }
  const uint32_t volume_len = path.data && path.len && path[0] == u'\\' ? default_volume_length(path) : 0;
  return parse_nt_path_on_volume(path, volume_len, out);
}

Str16 file_extension(Str16 file_name) {
  for (uint32_t i = file_name.len; i > 0; --i)
    if (file_name[i - 1] == u'.') return file_name.from(i);
  return Str16(file_name.data + file_name.len, 0);
}

}  // namespace fb
