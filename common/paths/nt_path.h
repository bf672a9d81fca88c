// NT path names as the Filter Manager reports them, split without copying:
//
//   \Device\HarddiskVolume3\Users\a\Documents\x.txt:s:$DATA
//   |------ volume -------||----- parent ------| |   | |
//   |------------- directory -----------------| |   | stream_type
//                                   file_name --+   stream_name
//   |------------------ file_path ------------------|
//
// Every part is a view into the caller's string. Parsing never writes, never allocates and never
// reads outside [path.data, path.data + path.len); a malformed name is an error, not a guess.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

// What the stream suffix of a name selects.
enum class StreamKind : uint8_t {
  kDefault = 0,    // no stream name: `x`, `x::$DATA` (a directory itself for a directory name)
  kNamedData = 1,  // `x:s`, `x:s:$DATA`, also `x:$DATA` ("$DATA" is a legal stream name, MS-FSCC 5)
  kIndex = 2,      // `dir::$INDEX_ALLOCATION`, `dir:$I30:$INDEX_ALLOCATION`: the directory's index
  kOtherType = 3,  // any other attribute type (`x::$BITMAP`, ...)
};

struct NtPathParts {
  Str16 volume;       // `\Device\HarddiskVolume3`
  Str16 directory;    // volume + parent: `\Device\HarddiskVolume3\Users\a\Documents`
  Str16 parent;       // parent relative to the volume: `\Users\a\Documents`; empty in the root
  Str16 file_name;    // `x.txt`; empty for the volume and its root directory
  Str16 file_path;    // everything before the stream suffix (and before a trailing backslash)
  Str16 stream_name;  // `s`; empty for the default stream
  Str16 stream_type;  // `$DATA` as written; empty when the name gives none
  StreamKind stream_kind = StreamKind::kDefault;
  bool volume_only = false;         // `\Device\HarddiskVolume3`: an open of the volume itself
  bool trailing_separator = false;  // `...\Documents\`: a directory named with a final backslash

  bool is_root() const { return !volume_only && file_name.empty(); }
  bool is_default_stream() const { return stream_kind == StreamKind::kDefault; }
};

// Volume = the first two components (`\Device\<name>`), as for every local volume.
// Errors: kObjectNameInvalid for a malformed name (not absolute, empty component, `.` or `..`,
// a colon outside the last component, bad stream suffix, NUL), kNameTooLong over kMaxPathUnits.
NtStatus parse_nt_path(Str16 path, NtPathParts* out);

// The same with the volume's length known (FLT_FILE_NAME_INFORMATION::Volume.Length / 2), for
// volume names of any shape. The volume part is not checked beyond its shape.
NtStatus parse_nt_path_on_volume(Str16 path, uint32_t volume_len, NtPathParts* out);

// The text after the last '.' of a file name; empty when there is no dot.
Str16 file_extension(Str16 file_name);

// Offset of the first backslash at or after `from`, or s.len.
inline uint32_t find_separator(Str16 s, uint32_t from) {
  while (from < s.len && s.data[from] != u'\\') ++from;
  return from;
}

#if defined(__SSE2__)
namespace path_detail {
typedef short V8Units __attribute__((vector_size(16)));

// Bit i set where p[i] == unit, for p[0..16).
__attribute__((always_inline)) inline uint32_t units_in_16(const char16_t* p, char16_t unit) {
  V8Units low, high;
  __builtin_memcpy(&low, p, sizeof low);
  __builtin_memcpy(&high, p + 8, sizeof high);
  const short u = static_cast<short>(unit);
  const V8Units wanted = {u, u, u, u, u, u, u, u};
  const V8Units low_hits = low == wanted;  // lanes of -1 or 0
  const V8Units high_hits = high == wanted;
  return static_cast<uint32_t>(__builtin_ia32_pmovmskb128(__builtin_ia32_packsswb128(low_hits, high_hits)));
}
}  // namespace path_detail
#endif

// Bit i set where s[base + i] == unit, for the (up to) 16 units from base < s.len. Reads only
// inside s. SSE2 (part of every x64 CPU, usable in x64 kernel code) when the compiler targets it.
__attribute__((always_inline)) inline uint32_t unit_mask16(Str16 s, uint32_t base, char16_t unit) {
#if defined(__SSE2__)
  if (base + 16 <= s.len) return path_detail::units_in_16(s.data + base, unit);
  if (s.len >= 16) return path_detail::units_in_16(s.data + s.len - 16, unit) >> (base + 16 - s.len);
#endif
  uint32_t mask = 0;
  const uint32_t end = s.len - base < 16 ? s.len : base + 16;
  for (uint32_t i = base; i < end; ++i) mask |= static_cast<uint32_t>(s.data[i] == unit) << (i - base);
  return mask;
}

__attribute__((always_inline)) inline uint32_t separator_mask16(Str16 s, uint32_t base) {
  return unit_mask16(s, base, u'\\');
}

// The same for the (up to) 64 units from base < s.len.
__attribute__((always_inline)) inline uint64_t separator_mask64(Str16 s, uint32_t base) {
  uint64_t mask = separator_mask16(s, base);
  for (uint32_t part = 1; part < 4 && base + 16 * part < s.len; ++part)
    mask |= uint64_t{separator_mask16(s, base + 16 * part)} << (16 * part);
  return mask;
}

// Separator bits for the 64 units p[base, base + 64), without a branch on where the readable
// units p[0, readable) end (readable >= 16; bits past it are 0): a block that would run past the
// end is loaded from readable - 16 instead and shifted into place. Callers keep base < readable.
__attribute__((always_inline)) inline uint64_t separator_mask64_within(const char16_t* p, uint32_t base,
                                                                      uint32_t readable) {
  uint64_t mask = 0;
  for (uint32_t part = 0; part < 4; ++part) {
    const uint32_t at = base + 16 * part;
    const uint32_t from = at < readable - 16 ? at : readable - 16;
    const uint64_t bits = separator_mask16(Str16(p + from, 16), 0);
    mask |= (bits >> (at - from)) << (16 * part);
  }
  return mask;
}

// Calls stop(start, end) for each component path[start, end) of a path that starts with a
// backslash (`\\a\\b`: a, then b; an empty path has none) until stop returns true; returns
// whether it did. Finds separators 64 units at a time, everything in registers.
template <typename Stop>
inline bool any_component(Str16 path, Stop stop) {
  if (path.len == 0) return false;
  uint32_t start = 1;
  for (uint32_t block = 0; block < path.len; block += 64) {
    uint64_t mask = separator_mask64(path, block);
    if (block == 0) mask &= ~uint64_t{1};  // the leading backslash
    while (mask != 0) {
      const uint32_t end = block + static_cast<uint32_t>(__builtin_ctzll(mask));
      mask &= mask - 1;
      if (stop(start, end)) return true;
      start = end + 1;
    }
  }
  return stop(start, path.len);
}

}  // namespace fb
