// What the engine needs from its host besides the file system: where events go, what time it
// is, and where to get a copy buffer. The driver implements them with its event queue,
// KeQuerySystemTimePrecise and a nonpaged lookaside list; the tests record and fake them.
#pragma once

#include "common/events/event.h"
#include "common/base/fb_base.h"

namespace fb {

// Receives every backup, skip, failure and lost-backup event, one per decision. Called on the
// I/O path with the file's lock held, so it must not block: the driver's sink copies the event
// (including the path, which the engine does not own beyond the call) into its queue and
// returns. The engine leaves `sequence` at 0: the queue numbers events.
class NotificationSink {
 public:
  virtual void notify(const BackupEvent& event) = 0;

 protected:
  NotificationSink() = default;
  ~NotificationSink() = default;
};

// FILETIME now (100 ns since 1601-01-01 UTC).
class Clock {
 public:
  virtual int64_t now() = 0;

 protected:
  Clock() = default;
  ~Clock() = default;
};

// Copy buffers. acquire() may return nullptr (no memory): the engine then reports a failure
// with nt::kInsufficientResources and lets the user's operation proceed.
class BufferPool {
 public:
  virtual void* acquire(uint32_t* size) = 0;  // sets *size to the buffer's size in bytes
  virtual void release(void* buffer) = 0;

 protected:
  BufferPool() = default;
  ~BufferPool() = default;
};

// Holds one buffer from a pool for a scope.
class PooledBuffer {
 public:
  // An acquire that fails is tried once more, at once (worth_one_retry, file_system.h: a
  // transient shortage must not cost an S4 rescue or an S5 adoption its buffer).
  explicit PooledBuffer(BufferPool& pool) : pool_(pool), data_(pool.acquire(&size_)) {
    if (data_ == nullptr) data_ = pool.acquire(&size_);
  }
  ~PooledBuffer() {
    if (data_) pool_.release(data_);
  }
  PooledBuffer(const PooledBuffer&) = delete;
  PooledBuffer& operator=(const PooledBuffer&) = delete;
  void* data() const { return data_; }
  uint32_t size() const { return data_ ? size_ : 0; }

 private:
  BufferPool& pool_;
  uint32_t size_ = 0;
  void* data_;
};

}  // namespace fb
