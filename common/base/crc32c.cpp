// CRC-32C, two ways: slicing-by-8 tables (any CPU) and the SSE4.2 CRC32 instruction (x86-64,
// chosen at run time). Both work on the "raw" register (no pre/post inversion); the public
// functions add the inversions.
#include "common/base/crc32c.h"

namespace fb {
namespace {

constexpr uint32_t kPolyReflected = 0x82F63B78u;

// --- compile-time tables ------------------------------------------------------------------

struct SliceTables {
  uint32_t t[8][256];
};

constexpr SliceTables make_slice_tables() {
  SliceTables tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t r = i;
    for (int bit = 0; bit < 8; ++bit) r = (r & 1u) ? (r >> 1) ^ kPolyReflected : r >> 1;
    tables.t[0][i] = r;
  }
  // t[k][i]: the CRC of byte i followed by k zero bytes.
  for (int k = 1; k < 8; ++k)
    for (uint32_t i = 0; i < 256; ++i) {
      const uint32_t prev = tables.t[k - 1][i];
      tables.t[k][i] = (prev >> 8) ^ tables.t[0][prev & 0xFFu];
    }
  return tables;
}

constexpr SliceTables kSlice = make_slice_tables();

constexpr uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint32_t raw_portable(uint32_t r, const uint8_t* p, size_t n) {
  for (; n >= 8; n -= 8, p += 8) {
    const uint32_t lo = load_le32(p) ^ r;
    const uint32_t hi = load_le32(p + 4);
    r = kSlice.t[7][lo & 0xFFu] ^ kSlice.t[6][(lo >> 8) & 0xFFu] ^ kSlice.t[5][(lo >> 16) & 0xFFu] ^
        kSlice.t[4][lo >> 24] ^ kSlice.t[3][hi & 0xFFu] ^ kSlice.t[2][(hi >> 8) & 0xFFu] ^
        kSlice.t[1][(hi >> 16) & 0xFFu] ^ kSlice.t[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) r = (r >> 8) ^ kSlice.t[0][(r ^ *p) & 0xFFu];
  return r;
}

}  // namespace

uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t length) {
  return ~raw_portable(~crc, static_cast<const uint8_t*>(data), length);
}

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))

namespace {

// The hardware path runs three independent CRC32 chains over three adjacent lanes of
// kLane bytes (the instruction has a latency of 3 cycles and a throughput of 1), then joins
// them: crc(A|B) = shift(crc(A), |B|) ^ crc(B) for raw registers, where shift multiplies by
// x^(8|B|) modulo the polynomial. That product is linear in the register, so it is four
// lookups in tables built at compile time for the one lane length used.
constexpr size_t kLane = 4096;

// a * b modulo the CRC polynomial, both in the reflected representation (bit 31 is x^0).
constexpr uint32_t multiply_mod_poly(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int power = 0; power < 32; ++power) {  // b holds the second factor times x^power
    if (a & (0x80000000u >> power)) product ^= b;
    b = (b & 1u) ? (b >> 1) ^ kPolyReflected : b >> 1;
  }
  return product;
}

// x^n modulo the polynomial, reflected.
constexpr uint32_t x_power_mod_poly(uint64_t n) {
  uint32_t result = 0x80000000u;  // x^0
  uint32_t square = 0x40000000u;  // x^1, then x^2, x^4, ...
  for (; n != 0; n >>= 1) {
    if (n & 1u) result = multiply_mod_poly(result, square);
    square = multiply_mod_poly(square, square);
  }
  return result;
}

struct ShiftTables {
  uint32_t t[4][256];
};

// t[k][i] = (i << 8k) * x^(8 * bytes): advancing a raw register over `bytes` zero bytes.
constexpr ShiftTables make_shift_tables(size_t bytes) {
  ShiftTables tables{};
  const uint32_t factor = x_power_mod_poly(8u * static_cast<uint64_t>(bytes));
  for (int k = 0; k < 4; ++k)
    for (uint32_t i = 0; i < 256; ++i) tables.t[k][i] = multiply_mod_poly(factor, i << (8 * k));
  return tables;
}

constexpr ShiftTables kShiftLane = make_shift_tables(kLane);

inline uint32_t shift_over_lane(uint32_t r) {
  return kShiftLane.t[0][r & 0xFFu] ^ kShiftLane.t[1][(r >> 8) & 0xFFu] ^
         kShiftLane.t[2][(r >> 16) & 0xFFu] ^ kShiftLane.t[3][r >> 24];
}

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, sizeof v);  // unaligned load; x86-64 is little-endian
  return v;
}

__attribute__((target("sse4.2"))) uint32_t raw_hardware(uint32_t r, const uint8_t* p, size_t n) {
  uint64_t a = r;
  for (; n >= 3 * kLane; n -= 3 * kLane, p += 3 * kLane) {
    uint64_t b = 0, c = 0;
    for (size_t i = 0; i < kLane; i += 8) {
      a = __builtin_ia32_crc32di(a, load64(p + i));
      b = __builtin_ia32_crc32di(b, load64(p + kLane + i));
      c = __builtin_ia32_crc32di(c, load64(p + 2 * kLane + i));
    }
    a = shift_over_lane(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b);
    a = shift_over_lane(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(c);
  }
  for (; n >= 8; n -= 8, p += 8) a = __builtin_ia32_crc32di(a, load64(p));
  uint32_t r32 = static_cast<uint32_t>(a);
  for (; n > 0; --n, ++p) r32 = __builtin_ia32_crc32qi(r32, *p);
  return r32;
}

// CPUID.1:ECX bit 20. Cached in a plain integer (0 unknown, 1 absent, 2 present) with relaxed
// atomics: racing first callers compute the same answer, and nothing needs initialising.
int g_hardware_state = 0;

bool detect_hardware() {
  uint32_t eax = 1, ebx, ecx = 0, edx;
  __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
  (void)ebx;
  (void)edx;
  return (ecx >> 20) & 1u;
}

}  // namespace

bool crc32c_hardware_available() {
  int state = __atomic_load_n(&g_hardware_state, __ATOMIC_RELAXED);
  if (state == 0) {
    state = detect_hardware() ? 2 : 1;
    __atomic_store_n(&g_hardware_state, state, __ATOMIC_RELAXED);
  }
  return state == 2;
}

uint32_t crc32c_extend_hardware(uint32_t crc, const void* data, size_t length) {
  return ~raw_hardware(~crc, static_cast<const uint8_t*>(data), length);
}

uint32_t crc32c_extend(uint32_t crc, const void* data, size_t length) {
  return crc32c_hardware_available() ? crc32c_extend_hardware(crc, data, length)
                                     : crc32c_extend_portable(crc, data, length);
}

#else  // no x86-64 CRC32 instruction on this compiler/target: the portable path only

bool crc32c_hardware_available() { return false; }

uint32_t crc32c_extend_hardware(uint32_t crc, const void* data, size_t length) {
  return crc32c_extend_portable(crc, data, length);
}

uint32_t crc32c_extend(uint32_t crc, const void* data, size_t length) {
  return crc32c_extend_portable(crc, data, length);
}

#endif

uint32_t crc32c(const void* data, size_t length) { return crc32c_extend(0, data, length); }

}  // namespace fb
