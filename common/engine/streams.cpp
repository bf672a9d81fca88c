#include "common/engine/streams.h"

namespace fb {

SlotStream::SlotStream(uint32_t slot, BackupPart part) {
  if (!nt_success(build_backup_suffix(slot, part, units_, kMaxBackupSuffixUnits, &len_))) len_ = 0;
}

bool stream_exists(FileSystem& fs, Str16 file, Str16 stream) {
  ScopedHandle h(fs);
  const NtStatus s = h.open(file, stream, OpenMode::kRead);
  return nt_success(s) || !is_not_found(s);
}

NtStatus delete_stream(FileSystem& fs, Str16 file, Str16 stream) {
  ScopedHandle h(fs);
  const NtStatus s = h.open(file, stream, OpenMode::kMove);
  if (is_not_found(s)) return nt::kSuccess;
  if (!nt_success(s)) return s;
  return fs.mark_delete(h.get());
}

NtStatus delete_unopened_stream(FileSystem& fs, Str16 file, Str16 stream) {
  ScopedHandle h(fs);
  const NtStatus s = h.open(file, stream, OpenMode::kDeleteAlone);
  if (is_not_found(s)) return nt::kSuccess;
  if (!nt_success(s)) return s;
  return fs.mark_delete(h.get());
}

NtStatus move_stream(FileSystem& fs, Str16 file, Str16 from, Str16 to) {
  ScopedHandle h(fs);
  const NtStatus s = h.open(file, from, OpenMode::kMove);
  if (!nt_success(s)) return s;
  return fs.rename_stream(h.get(), to, false);
}

CopyResult copy_into_stream(FileSystem& fs, ByteSource& source, uint64_t expected_size, Str16 dst_file,
                            Str16 dst_stream, const CopyBuffer& buffer) {
  CopyResult result;
  ScopedHandle target(fs);
  result.status = target.open(dst_file, dst_stream, OpenMode::kReplace);
  if (!nt_success(result.status)) {
    result.failed_step = CopyStep::kWrite;
    return result;
  }
  FsSink sink(fs, target.get());
  result = copy_stream(source, sink, expected_size, buffer.data, buffer.size);
  if (!result.ok()) fs.mark_delete(target.get());  // the handle's close removes the partial copy
  return result;
}

CopyResult copy_stream_between(FileSystem& fs, Str16 src_file, Str16 src_stream, Str16 dst_file, Str16 dst_stream,
                               const CopyBuffer& buffer) {
  CopyResult result;
  ScopedHandle source(fs);
  result.status = source.open(src_file, src_stream, OpenMode::kRead);
  uint64_t size = 0;
  if (nt_success(result.status)) result.status = fs.query_size(source.get(), &size);
  if (!nt_success(result.status)) {
    result.failed_step = CopyStep::kRead;
    return result;
  }
  FsSource reader(fs, source.get());
  return copy_into_stream(fs, reader, size, dst_file, dst_stream, buffer);
}

NtStatus write_metadata_stream(FileSystem& fs, Str16 file, Str16 stream, const BackupMetadata& metadata) {
  uint8_t record[kBackupMetadataSize];
  if (encode_backup_metadata(metadata, record, sizeof record) != MetadataError::kOk) return nt::kInvalidParameter;
  ScopedHandle target(fs);
  NtStatus s = target.open(file, stream, OpenMode::kReplace);
  if (!nt_success(s)) return s;
  uint32_t done = 0;
  while (done < kBackupMetadataSize && nt_success(s)) {
    uint32_t written = 0;
    s = fs.write(target.get(), done, record + done, kBackupMetadataSize - done, &written);
    if (nt_success(s) && written == 0) s = nt::kDiskFull;
    done += written;
  }
  if (nt_success(s)) s = fs.set_end_of_file(target.get(), kBackupMetadataSize);
  if (!nt_success(s)) fs.mark_delete(target.get());
  return s;
}

}  // namespace fb

namespace fb {

NtStatus copy_backup_slot(FileSystem& fs, Str16 from, Str16 to, uint32_t slot, const CopyBuffer& buffer) {
  const SlotStream data(slot, BackupPart::kData), meta(slot, BackupPart::kMeta);
  CopyResult r = copy_stream_between(fs, from, data.name(), to, data.name(), buffer);
  if (!r.ok()) return r.status;
  if (!stream_exists(fs, from, meta.name())) return nt::kSuccess;
  r = copy_stream_between(fs, from, meta.name(), to, meta.name(), buffer);
  if (!r.ok()) delete_stream(fs, to, data.name());
  return r.status;
}

}  // namespace fb
