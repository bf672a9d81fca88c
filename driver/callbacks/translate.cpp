#include "driver/callbacks/translate.h"

namespace fbk::translate {
namespace {

// The instance the callback was delivered to: the engine's opens for the operation use it.
fb::IoTarget target_of(const FLT_CALLBACK_DATA& data) {
  fb::IoTarget target;
  target.value = data.Iopb->TargetInstance;
  return target;
}

fb::RequestorMode requestor(const FLT_CALLBACK_DATA& data) {
  return data.RequestorMode == UserMode ? fb::RequestorMode::kUser : fb::RequestorMode::kKernel;
}

// Unaligned-safe reads out of a caller's InfoBuffer, bounds-checked against its Length.
template <typename T>
bool read_info(const FLT_PARAMETERS& params, ULONG offset, T* out) {
  const auto& set = params.SetFileInformation;
  if (set.InfoBuffer == nullptr || set.Length < offset || set.Length - offset < sizeof(T)) return false;
  __builtin_memcpy(out, static_cast<const unsigned char*>(set.InfoBuffer) + offset, sizeof(T));
  return true;
}

bool is_ex_class(fb::FileInfoClass info_class) {
  return info_class == fb::FileInfoClass::kRenameEx || info_class == fb::FileInfoClass::kRenameExBypassAccess ||
         info_class == fb::FileInfoClass::kLinkEx || info_class == fb::FileInfoClass::kDispositionEx;
}

// The ReplaceIfExists BOOLEAN of the classic classes, or the Flags ULONG of the _EX ones.
bool read_replace_if_exists(const FLT_PARAMETERS& params, fb::FileInfoClass info_class, bool* out) {
  if (is_ex_class(info_class)) {
    uint32_t flags = 0;
    if (!read_info(params, info_layout::kValue, &flags)) return false;
    *out = fb::rename_ex_replaces(flags);
    return true;
  }
  uint8_t replace = 0;
  if (!read_info(params, info_layout::kValue, &replace)) return false;
  // The I/O manager copies the flag into the stack location too; either one set means replace.
  *out = replace != 0 || params.SetFileInformation.ReplaceIfExists != 0;
  return true;
}

bool read_delete(const FLT_PARAMETERS& params, fb::FileInfoClass info_class, bool* out) {
  if (is_ex_class(info_class)) {
    uint32_t flags = 0;
    if (!read_info(params, info_layout::kValue, &flags)) return false;
    *out = fb::disposition_ex_deletes(flags);
    return true;
  }
  uint8_t delete_file = 0;
  if (!read_info(params, info_layout::kValue, &delete_file)) return false;
  *out = delete_file != 0;
  return true;
}

bool read_size(const FLT_PARAMETERS& params, uint64_t* out) {
  int64_t value = 0;
  if (!read_info(params, info_layout::kValue, &value)) return false;
  *out = static_cast<uint64_t>(value);
  return true;
}

}  // namespace

// --- create ------------------------------------------------------------------------------------

fb::CreateOp create_op(const FLT_CALLBACK_DATA& data, const CreateFacts& facts) {
  const FLT_IO_PARAMETER_BLOCK& iopb = *data.Iopb;
  const auto& create = iopb.Parameters.Create;
  fb::CreateOp op;
  op.target = target_of(data);
  op.requestor_mode = requestor(data);
  op.force_access_check = (iopb.OperationFlags & fb::operation_flag::kForceAccessCheck) != 0;
  op.desired_access = create.SecurityContext != nullptr ? create.SecurityContext->DesiredAccess : 0;
  op.create_options = create.Options & 0x00FFFFFFu;
  op.disposition = static_cast<fb::CreateDisposition>(create.Options >> 24);
  op.share_access = create.ShareAccess;
  op.paging_file = (iopb.OperationFlags & SL_OPEN_PAGING_FILE) != 0;
  op.open_target_directory = (iopb.OperationFlags & SL_OPEN_TARGET_DIRECTORY) != 0;
  op.volume_open = facts.volume_open;
  op.prefetcher_open = facts.prefetcher_open;
  op.process_id = facts.process_id;
  op.from_own_client = facts.from_own_client;
  return op;
}

fb::CreateResult create_result(const FLT_CALLBACK_DATA& data, bool is_directory,
                               FLT_POST_OPERATION_FLAGS flags) {
  fb::CreateResult result;
  result.status = static_cast<fb::NtStatus>(data.IoStatus.Status);
  result.information = static_cast<uint64_t>(data.IoStatus.Information);
  result.is_directory = is_directory;
  result.draining = (flags & FLTFL_POST_OPERATION_DRAINING) != 0;
  result.reparsed = data.IoStatus.Status == STATUS_REPARSE;
  return result;
}

FLT_PREOP_CALLBACK_STATUS pre_create_status(fb::PreCreateAction action) {
  return action == fb::PreCreateAction::kWithCallback ? FLT_PREOP_SUCCESS_WITH_CALLBACK
                                                      : FLT_PREOP_SUCCESS_NO_CALLBACK;
}

// --- write -------------------------------------------------------------------------------------

fb::WriteOp write_op(const FLT_CALLBACK_DATA& data, uint64_t process_id) {
  const FLT_IO_PARAMETER_BLOCK& iopb = *data.Iopb;
  fb::WriteOp op;
  op.target = target_of(data);
  op.paging_io = (iopb.IrpFlags & (IRP_PAGING_IO | IRP_SYNCHRONOUS_PAGING_IO)) != 0;
  op.offset = static_cast<uint64_t>(iopb.Parameters.Write.ByteOffset.QuadPart);
  op.length = iopb.Parameters.Write.Length;
  op.process_id = process_id;
  return op;
}

bool is_fast_io(const FLT_CALLBACK_DATA& data) { return (data.Flags & FLTFL_CALLBACK_DATA_FAST_IO_OPERATION) != 0; }

FLT_PREOP_CALLBACK_STATUS pre_write_status(bool fast_io, bool decision_pending) {
  return fast_io && decision_pending ? FLT_PREOP_DISALLOW_FASTIO : FLT_PREOP_SUCCESS_NO_CALLBACK;
}

// --- set information ---------------------------------------------------------------------------

bool set_information_op(const FLT_CALLBACK_DATA& data, uint64_t process_id, fb::SetInfoOp* out) {
  const FLT_IO_PARAMETER_BLOCK& iopb = *data.Iopb;
  const FLT_PARAMETERS& params = iopb.Parameters;
  fb::SetInfoOp op;
  op.target = target_of(data);
  op.requestor_mode = requestor(data);
  op.info_class = static_cast<fb::FileInfoClass>(params.SetFileInformation.FileInformationClass);
  op.paging_io = (iopb.IrpFlags & (IRP_PAGING_IO | IRP_SYNCHRONOUS_PAGING_IO)) != 0;
  op.process_id = process_id;
  bool ok = false;
  switch (op.info_class) {
    case fb::FileInfoClass::kEndOfFile:
      op.advance_only = params.SetFileInformation.AdvanceOnly != 0;
      ok = read_size(params, &op.end_of_file);
      break;
    case fb::FileInfoClass::kValidDataLength:
      ok = read_size(params, &op.end_of_file);
      break;
    case fb::FileInfoClass::kAllocation:
      ok = read_size(params, &op.allocation_size);
      break;
    case fb::FileInfoClass::kRename:
    case fb::FileInfoClass::kRenameBypassAccess:
    case fb::FileInfoClass::kRenameEx:
    case fb::FileInfoClass::kRenameExBypassAccess:
    case fb::FileInfoClass::kLink:
    case fb::FileInfoClass::kLinkEx:
      ok = read_replace_if_exists(params, op.info_class, &op.replace_if_exists);
      break;
    case fb::FileInfoClass::kDisposition:
    case fb::FileInfoClass::kDispositionEx:
      ok = read_delete(params, op.info_class, &op.delete_file);
      break;
  }
  if (ok) *out = op;
  return ok;
}

FLT_PREOP_CALLBACK_STATUS pre_set_information_status(bool post_rename) {
  return post_rename ? FLT_PREOP_SYNCHRONIZE : FLT_PREOP_SUCCESS_NO_CALLBACK;
}

bool destination_name(const FLT_CALLBACK_DATA& data, DestinationName* out) {
  const FLT_PARAMETERS& params = data.Iopb->Parameters;
  HANDLE root = nullptr;
  ULONG name_bytes = 0;
  if (!read_info(params, info_layout::kRootDirectory, &root) ||
      !read_info(params, info_layout::kFileNameLength, &name_bytes))
    return false;
  const ULONG available = params.SetFileInformation.Length - info_layout::kFileName;
  if (name_bytes == 0 || name_bytes > available || name_bytes % sizeof(WCHAR) != 0) return false;
  out->root_directory = root;
  out->name = reinterpret_cast<const WCHAR*>(static_cast<const unsigned char*>(params.SetFileInformation.InfoBuffer) +
                                             info_layout::kFileName);
  out->name_bytes = name_bytes;
  return true;
}

// --- section synchronization and FSCTL -----------------------------------------------------------

fb::SectionOp section_op(const FLT_CALLBACK_DATA& data, uint64_t process_id) {
  const auto& sync = data.Iopb->Parameters.AcquireForSectionSynchronization;
  fb::SectionOp op;
  op.target = target_of(data);
  op.sync_type = static_cast<fb::SectionSync>(sync.SyncType);
  op.page_protection = sync.PageProtection;
  op.process_id = process_id;
  return op;
}

bool fsctl_op(const FLT_CALLBACK_DATA& data, uint64_t process_id, fb::FsctlOp* out) {
  const FLT_IO_PARAMETER_BLOCK& iopb = *data.Iopb;
  if (iopb.MinorFunction != IRP_MN_USER_FS_REQUEST && iopb.MinorFunction != IRP_MN_KERNEL_CALL) return false;
  out->target = target_of(data);
  out->control_code = iopb.Parameters.FileSystemControl.Common.FsControlCode;
  out->process_id = process_id;
  return true;
}

// --- cleanup ------------------------------------------------------------------------------------

FLT_PREOP_CALLBACK_STATUS pre_cleanup_status(bool tracked_handle) {
  return tracked_handle ? FLT_PREOP_SYNCHRONIZE : FLT_PREOP_SUCCESS_NO_CALLBACK;
}

}  // namespace fbk::translate
