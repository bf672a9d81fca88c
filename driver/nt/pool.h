// Kernel C++ allocation for FileBackup.sys: every `new` names a pool tag and may fail.
//
//   auto* thing = new (fbk::pool::kGeneral) Thing(args);   // nullptr when pool is exhausted
//   delete thing;
//
// The tagged forms are noexcept, so the compiler checks the result for nullptr before it runs
// the constructor. There is deliberately no plain `operator new(size_t)`: with -fno-exceptions
// the compiler would assume it never returns nullptr, so a `new T` without a tag must fail to
// link. Memory comes from NonPagedPoolNx (resident, not executable); the driver never uses
// paged pool for objects, because callbacks reach them at APC or dispatch level.
#pragma once

#include <stddef.h>

#include "driver/nt/flt_kernel.h"

namespace fbk::pool {

// A pool tag, as ExAllocatePoolWithTag takes it: the four characters read in order in
// !pooltag / poolmon, stored little-endian.
enum class Tag : ULONG {};

constexpr Tag make_tag(char a, char b, char c, char d) {
  return static_cast<Tag>(static_cast<ULONG>(static_cast<unsigned char>(a)) |
                          static_cast<ULONG>(static_cast<unsigned char>(b)) << 8 |
                          static_cast<ULONG>(static_cast<unsigned char>(c)) << 16 |
                          static_cast<ULONG>(static_cast<unsigned char>(d)) << 24);
}

// One tag per kind of allocation so a leak names its owner. Add new tags here.
constexpr Tag kGeneral = make_tag('F', 'B', 'g', 'n');  // objects created with new
constexpr Tag kPort = make_tag('F', 'B', 'p', 't');     // communication port buffers
constexpr Tag kContext = make_tag('F', 'B', 'c', 'x');  // Filter Manager contexts
constexpr Tag kBuffer = make_tag('F', 'B', 'b', 'f');   // copy buffers
constexpr Tag kConfig = make_tag('F', 'B', 'c', 'f');   // settings, rules, registry reads
constexpr Tag kQueue = make_tag('F', 'B', 'q', 'u');    // event ring and sender buffer

constexpr ULONG value(Tag tag) { return static_cast<ULONG>(tag); }

// Raw allocation from NonPagedPoolNx; nullptr on failure. Not zeroed.
void* allocate(size_t bytes, Tag tag);
// Frees what allocate() (or a tagged new) returned; nullptr is allowed.
void free(void* block, Tag tag);

}  // namespace fbk::pool

namespace fbk {

// Owns one raw block from pool::allocate (a byte buffer, not an object).
class PoolBuffer {
 public:
  PoolBuffer() = default;
  ~PoolBuffer() { reset(); }
  PoolBuffer(const PoolBuffer&) = delete;
  PoolBuffer& operator=(const PoolBuffer&) = delete;

  // Replaces the block with a new one of `bytes` bytes; false (and empty) when pool is short.
  bool allocate(size_t bytes, pool::Tag tag) {
    reset();
    block_ = pool::allocate(bytes, tag);
    if (block_ == nullptr) return false;
    size_ = bytes;
    tag_ = tag;
    return true;
  }
  void reset() {
    pool::free(block_, tag_);
    block_ = nullptr;
    size_ = 0;
  }
  unsigned char* data() const { return static_cast<unsigned char*>(block_); }
  size_t size() const { return size_; }

 private:
  void* block_ = nullptr;
  size_t size_ = 0;
  pool::Tag tag_{};
};

}  // namespace fbk

void* operator new(size_t bytes, fbk::pool::Tag tag) noexcept;
void* operator new[](size_t bytes, fbk::pool::Tag tag) noexcept;
// Called only if a constructor exits by exception, which -fno-exceptions rules out; declared
// so every placement allocation function has its matching deallocation function.
void operator delete(void* block, fbk::pool::Tag tag) noexcept;
void operator delete[](void* block, fbk::pool::Tag tag) noexcept;

// The usual deallocation functions, sized and unsized (C++14 sized delete is on by default).
void operator delete(void* block) noexcept;
void operator delete(void* block, size_t bytes) noexcept;
void operator delete[](void* block) noexcept;
void operator delete[](void* block, size_t bytes) noexcept;

// Placement new on storage the caller owns (we have no <new> in a freestanding kernel build).
#ifndef FB_PLACEMENT_NEW_DECLARED
#define FB_PLACEMENT_NEW_DECLARED 1
inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }
#endif
