#include "common/engine/filter.h"

#include "common/paths/nt_path.h"
#include "common/paths/stream_names.h"

namespace fb {

Precheck create_precheck(const CreateOp& op) {
  // The kernel's own opens are ignored; a kernel-mode create carrying SL_FORCE_ACCESS_CHECK is
  // made for a user (the SMB server's for a remote user, N13) and is treated like a user's.
  if (op.requestor_mode != RequestorMode::kUser && !op.force_access_check) return Precheck::kIgnore;
  if (op.from_own_client) return Precheck::kIgnore;  // fbmon's restore saved the content itself
  if (op.paging_file || op.volume_open || op.prefetcher_open) return Precheck::kIgnore;
  if (op.open_target_directory) return Precheck::kIgnore;
  if (op.create_options & create_option::kDirectoryFile) return Precheck::kIgnore;
  if (op.disposition == CreateDisposition::kCreate) return Precheck::kIgnore;
  const bool by_id = (op.create_options & create_option::kOpenByFileId) != 0;
  if (by_id && disposition_overwrites(op.disposition)) return Precheck::kIgnore;  // no rescue without a name
  const Precheck name = by_id ? Precheck::kNeedOpenedName : Precheck::kNeedName;
  if (op.create_options & create_option::kDeleteOnClose) return name;  // a delete (S6)
  if (!access_can_write(op.desired_access) && !disposition_overwrites(op.disposition)) return Precheck::kIgnore;
  return name;
}

bool rename_changes_name(const SetInfoOp& op, bool tracked) {
  if (!tracked || op.paging_io) return false;
  switch (op.info_class) {
    case FileInfoClass::kRename:
    case FileInfoClass::kRenameBypassAccess:
    case FileInfoClass::kRenameEx:
    case FileInfoClass::kRenameExBypassAccess:
      return true;
    default:
      return false;
  }
}

Precheck set_information_precheck(const SetInfoOp& op, bool tracked) {
  if (op.paging_io || op.from_own_client) return Precheck::kIgnore;
  switch (op.info_class) {
    case FileInfoClass::kEndOfFile:
      if (op.advance_only) return Precheck::kIgnore;
      return tracked ? Precheck::kUseState : Precheck::kIgnore;
    case FileInfoClass::kAllocation:
    case FileInfoClass::kValidDataLength:
      return tracked ? Precheck::kUseState : Precheck::kIgnore;
    case FileInfoClass::kRename:
    case FileInfoClass::kRenameBypassAccess:
    case FileInfoClass::kRenameEx:
    case FileInfoClass::kRenameExBypassAccess:
      // Without replace too: a rename away from a protected name (S6b) or onto a name whose
      // previous file just left it (S6) moves the name's history (common/engine/vault.h). Any
      // requestor, as for links below (N13).
      return Precheck::kNeedName;
    case FileInfoClass::kLink:
    case FileInfoClass::kLinkEx:
      // Any requestor: the SMB server's renames for remote users are kernel-mode requests with
      // no flag to tell them from the kernel's own (N13), and a rename over a protected file
      // destroys its content whoever asks, so its history is handed over in every case.
      if (!op.replace_if_exists) return Precheck::kIgnore;
      return Precheck::kNeedName;
    case FileInfoClass::kDisposition:
    case FileInfoClass::kDispositionEx:
      if (!op.delete_file) return Precheck::kIgnore;  // any requestor, as above: only watched
      return Precheck::kNeedName;
  }
  return Precheck::kIgnore;
}

bool section_can_write(const SectionOp& op) {
  if (op.sync_type != SectionSync::kCreateSection) return false;
  return (op.page_protection & (page::kReadWrite | page::kExecuteReadWrite)) != 0;
}

bool fsctl_modifies(uint32_t control_code) {
  switch (control_code) {
    case fsctl::kSetZeroData:
    case fsctl::kWriteRawEncrypted:
    case fsctl::kOffloadWrite:
    case fsctl::kDuplicateExtentsToFile:
      return true;
    default:
      return false;
  }
}

NameDecision classify_name(Str16 nt_name, const RuleSet& rules) {
  NameDecision out;
  NtPathParts parts;
  if (!nt_success(parse_nt_path(nt_name, &parts))) return out;
  out.file_path = parts.file_path;
  if (parts.volume_only || parts.is_root()) {
    out.verdict = NameVerdict::kNotProtected;
  } else if (!parts.is_default_stream()) {
    out.verdict = is_our_stream(parts.stream_name) ? NameVerdict::kOwnStream : NameVerdict::kNamedStream;
  } else {
    out.verdict = rules.matches(parts) ? NameVerdict::kProtected : NameVerdict::kNotProtected;
  }
  return out;
}

bool opened_name_needs_normalizing(Str16 opened_name) {
  for (uint32_t i = 0; i < opened_name.len; ++i)
    if (opened_name[i] == u'~') return true;
  return false;
}

}  // namespace fb
