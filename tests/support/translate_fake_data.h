// Hand-built Filter Manager callback data for the translation tests: what Filter Manager would
// pass to FileBackup's callbacks for one operation, laid out with the driver's own structures
// (driver/nt/flt_layouts.h, compiled natively against driver/nt/native_nt_types.h).
#pragma once

#include <stdint.h>
#include <string.h>

#include <vector>

#include "driver/callbacks/translate.h"

namespace translate_test {

// Windows ACCESS_MASK values applications pass (winnt.h).
constexpr uint32_t kSynchronize = 0x00100000;
constexpr uint32_t kFileGenericRead = 0x00120089;
constexpr uint32_t kFileGenericWrite = 0x00120116;
constexpr uint32_t kAppendOnly = fb::access::kAppendData | kSynchronize;
constexpr uint32_t kReadAttributes = 0x00000080;

constexpr ULONG kFileNonDirectoryFile = 0x00000040;
constexpr ULONG kFileSynchronousIoNonalert = 0x00000020;

// One operation: the callback data, its parameter block, and the buffers they point to.
class FakeOperation {
 public:
  explicit FakeOperation(UCHAR major_function, KPROCESSOR_MODE mode = UserMode)
      : data_{FLTFL_CALLBACK_DATA_IRP_OPERATION, nullptr, &iopb_, {}, nullptr, {}, mode} {
    iopb_.MajorFunction = major_function;
  }
  FakeOperation(const FakeOperation&) = delete;
  FakeOperation& operator=(const FakeOperation&) = delete;

  FLT_CALLBACK_DATA& data() { return data_; }
  FLT_IO_PARAMETER_BLOCK& iopb() { return iopb_; }
  FLT_PARAMETERS& params() { return iopb_.Parameters; }

  // --- IRP_MJ_CREATE ---
  FakeOperation& create(uint32_t desired_access, fb::CreateDisposition disposition, ULONG options = 0,
                        USHORT share = fb::share::kRead) {
    security_.DesiredAccess = desired_access;
    params().Create.SecurityContext = &security_;
    params().Create.Options = (static_cast<ULONG>(disposition) << 24) | (options & 0x00FFFFFFu);
    params().Create.ShareAccess = share;
    return *this;
  }
  // Post-create: the create's result as the file system left it.
  FakeOperation& completed(NTSTATUS status, ULONG_PTR information) {
    data_.IoStatus.Status = status;
    data_.IoStatus.Information = information;
    return *this;
  }

  // --- IRP_MJ_WRITE ---
  FakeOperation& write(int64_t offset, ULONG length, ULONG irp_flags = 0) {
    params().Write.ByteOffset.QuadPart = offset;
    params().Write.Length = length;
    iopb_.IrpFlags = irp_flags;
    return *this;
  }
  FakeOperation& as_fast_io() {
    data_.Flags = FLTFL_CALLBACK_DATA_FAST_IO_OPERATION;
    return *this;
  }

  // --- IRP_MJ_SET_INFORMATION: the class and its InfoBuffer, byte by byte ---
  FakeOperation& set_information(fb::FileInfoClass info_class, std::vector<unsigned char> buffer) {
    info_ = std::move(buffer);
    params().SetFileInformation.FileInformationClass = static_cast<FILE_INFORMATION_CLASS>(info_class);
    params().SetFileInformation.InfoBuffer = info_.empty() ? nullptr : info_.data();
    params().SetFileInformation.Length = static_cast<ULONG>(info_.size());
    return *this;
  }
  FakeOperation& truncate_length(ULONG length) {
    params().SetFileInformation.Length = length;
    return *this;
  }

  // --- IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION ---
  FakeOperation& section(FS_FILTER_SECTION_SYNC_TYPE sync_type, ULONG page_protection) {
    data_.Flags = FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION;
    params().AcquireForSectionSynchronization.SyncType = sync_type;
    params().AcquireForSectionSynchronization.PageProtection = page_protection;
    return *this;
  }

  // --- IRP_MJ_FILE_SYSTEM_CONTROL ---
  FakeOperation& fsctl(UCHAR minor_function, ULONG control_code) {
    iopb_.MinorFunction = minor_function;
    params().FileSystemControl.Common.FsControlCode = control_code;
    return *this;
  }

  // The instance the callback was delivered to (FLT_IO_PARAMETER_BLOCK.TargetInstance).
  FakeOperation& target_instance(PFLT_INSTANCE instance) {
    iopb_.TargetInstance = instance;
    return *this;
  }

  FakeOperation& operation_flags(UCHAR flags) {
    iopb_.OperationFlags = flags;
    return *this;
  }

 private:
  FLT_IO_PARAMETER_BLOCK iopb_{};
  IO_SECURITY_CONTEXT security_{};
  FLT_CALLBACK_DATA data_;
  std::vector<unsigned char> info_;
};

// InfoBuffer contents, little-endian as on x64.
class InfoBytes {
 public:
  explicit InfoBytes(size_t size) : bytes_(size, 0) {}
  template <typename T>
  InfoBytes& put(size_t offset, T value) {
    memcpy(bytes_.data() + offset, &value, sizeof(T));
    return *this;
  }
  InfoBytes& put_name(size_t offset, const char16_t* name) {
    size_t units = 0;
    while (name[units] != 0) ++units;
    if (bytes_.size() < offset + units * 2) bytes_.resize(offset + units * 2);
    memcpy(bytes_.data() + offset, name, units * 2);
    return *this;
  }
  std::vector<unsigned char> bytes() const { return bytes_; }

 private:
  std::vector<unsigned char> bytes_;
};

// FILE_END_OF_FILE_INFORMATION / FILE_ALLOCATION_INFORMATION / FILE_VALID_DATA_LENGTH_INFORMATION.
inline std::vector<unsigned char> size_info(int64_t value) { return InfoBytes(8).put<int64_t>(0, value).bytes(); }

// FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION (classic): BOOLEAN, RootDirectory, length, name.
inline std::vector<unsigned char> rename_info(bool replace_if_exists, const char16_t* name) {
  InfoBytes info(24);
  info.put<uint8_t>(0, replace_if_exists ? 1 : 0);
  size_t units = 0;
  while (name[units] != 0) ++units;
  info.put<uint32_t>(16, static_cast<uint32_t>(units * 2)).put_name(20, name);
  return info.bytes();
}

// FILE_RENAME_INFORMATION_EX / FILE_LINK_INFORMATION_EX: the same with a ULONG of flags.
inline std::vector<unsigned char> rename_ex_info(uint32_t flags, const char16_t* name) {
  std::vector<unsigned char> info = rename_info(false, name);
  memcpy(info.data(), &flags, sizeof flags);
  return info;
}

inline std::vector<unsigned char> disposition_info(bool delete_file) {
  return InfoBytes(1).put<uint8_t>(0, delete_file ? 1 : 0).bytes();
}
inline std::vector<unsigned char> disposition_ex_info(uint32_t flags) {
  return InfoBytes(4).put<uint32_t>(0, flags).bytes();
}

}  // namespace translate_test
