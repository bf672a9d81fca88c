// Small I/O sequences on one stream, over the engine's FileSystem: the building blocks the
// backup, rescue and adoption sequences are written in. Every function closes what it opens
// before it returns.
#pragma once

#include "common/copy/backup_metadata.h"
#include "common/base/byte_io.h"
#include "common/copy/copy_engine.h"
#include "common/engine/file_system.h"
#include "common/base/fb_base.h"
#include "common/paths/stream_names.h"

namespace fb {

// The stream name of a backup slot or its metadata (`backup`, `backup.2.meta`, `backup.tmp`),
// without the colon: what FileSystem::open and rename_stream take.
class SlotStream {
 public:
  SlotStream(uint32_t slot, BackupPart part);
  Str16 name() const { return Str16(units_ + 1, len_ > 0 ? len_ - 1 : 0); }

 private:
  char16_t units_[kMaxBackupSuffixUnits] = {};
  uint32_t len_ = 0;
};

// ByteSource / ByteSink over an open FileSystem handle.
class FsSource final : public ByteSource {
 public:
  FsSource(FileSystem& fs, FsHandle h) : fs_(fs), h_(h) {}
  NtStatus read(uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) override {
    return fs_.read(h_, offset, buffer, length, bytes_read);
  }

 private:
  FileSystem& fs_;
  FsHandle h_;
};

class FsSink final : public ByteSink {
 public:
  FsSink(FileSystem& fs, FsHandle h) : fs_(fs), h_(h) {}
  NtStatus write(uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written) override {
    return fs_.write(h_, offset, buffer, length, bytes_written);
  }
  NtStatus set_end_of_file(uint64_t size) override { return fs_.set_end_of_file(h_, size); }

 private:
  FileSystem& fs_;
  FsHandle h_;
};

// A copy buffer handed down from the engine.
struct CopyBuffer {
  void* data = nullptr;
  uint32_t size = 0;
};

// Whether `file:stream` exists (any open failure other than "not found" counts as existing,
// so that callers never treat an unreadable backup as a free slot).
bool stream_exists(FileSystem& fs, Str16 file, Str16 stream);

// Deletes `file:stream`; success when it does not exist.
NtStatus delete_stream(FileSystem& fs, Str16 file, Str16 stream);

// Deletes `file:stream` only if no other open reads or writes it (OpenMode::kDeleteAlone):
// STATUS_SHARING_VIOLATION then, and nothing is deleted. Success when it does not exist.
NtStatus delete_unopened_stream(FileSystem& fs, Str16 file, Str16 stream);

// Renames `file:from` to `file:to`, which must not exist (no ReplaceIfExists: N8 would refuse
// a non-empty target anyway).
NtStatus move_stream(FileSystem& fs, Str16 file, Str16 from, Str16 to);

// Copies the open `source` (expected_size bytes) into `dst_file:dst_stream`, created or
// replaced. On failure the partial target is deleted. The result is the copy engine's.
CopyResult copy_into_stream(FileSystem& fs, ByteSource& source, uint64_t expected_size, Str16 dst_file,
                            Str16 dst_stream, const CopyBuffer& buffer);

// Copies `src_file:src_stream` (its whole current length) into `dst_file:dst_stream`.
CopyResult copy_stream_between(FileSystem& fs, Str16 src_file, Str16 src_stream, Str16 dst_file, Str16 dst_stream,
                               const CopyBuffer& buffer);

// Encodes `metadata` into `file:stream`, replacing what was there. On failure the stream is
// deleted (a torn record must not survive).
NtStatus write_metadata_stream(FileSystem& fs, Str16 file, Str16 stream, const BackupMetadata& metadata);

}  // namespace fb

namespace fb {

// Copies backup slot `slot` (data, then its metadata when present) from file `from` to file
// `to`, under the same names. A slot is data and metadata, or nothing: when the metadata copy
// fails the copied data is deleted again.
NtStatus copy_backup_slot(FileSystem& fs, Str16 from, Str16 to, uint32_t slot, const CopyBuffer& buffer);

}  // namespace fb
