// The engine's decisions that need no I/O: which callbacks are worth a name query at all (the
// cheap checks), and what a name means (protected file, named stream, our own stream).
//
// Order matters for cost: a name query is the most expensive thing a create callback usually
// does, so everything decidable from the callback's parameters is decided first.
#pragma once

#include "common/engine/ops.h"
#include "common/base/fb_base.h"
#include "common/paths/rules.h"

namespace fb {

// Answer of the cheap checks.
enum class Precheck : uint8_t {
  kIgnore = 0,    // nothing for the engine: return FLT_PREOP_SUCCESS_NO_CALLBACK, no name query
  kNeedName = 1,  // query the name and call the name-based step
  kUseState = 2,  // the engine decides with the file's FileState (stream context) alone
  kNeedOpenedName = 3,  // create only: no name before the create (open by file id); query the
                        // opened file object's name in post-create and call post_create_opened
};

// Access that can modify the default stream's data (generic and maximum-allowed rights count:
// the pre-create desired access may still hold them before mapping).
constexpr bool access_can_write(uint32_t desired_access) {
  return (desired_access & (access::kWriteData | access::kAppendData | access::kGenericWrite | access::kGenericAll |
                            access::kMaximumAllowed)) != 0;
}

// FILE_APPEND_DATA without FILE_WRITE_DATA (or a generic right that implies it).
constexpr bool access_is_append_only(uint32_t desired_access) {
  return (desired_access & access::kAppendData) != 0 &&
         (desired_access & (access::kWriteData | access::kGenericWrite | access::kGenericAll |
                            access::kMaximumAllowed)) == 0;
}

// Dispositions that truncate an existing file and delete its named streams (N1).
constexpr bool disposition_overwrites(CreateDisposition d) {
  return d == CreateDisposition::kSupersede || d == CreateDisposition::kOverwrite ||
         d == CreateDisposition::kOverwriteIf;
}

// The access an overwriting create is checked for, as far as pre-create can know it: what it
// asks, plus what the destructive disposition needs even when not asked for ("Checking for
// Other Special Cases on IRP_MJ_CREATE" in the IFS docs): FILE_WRITE_DATA to overwrite, DELETE
// to supersede. The file system also wants FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES unless the
// requestor's token holds the restore privilege, which pre-create cannot see; they are left
// out, so a requestor refused only those gets a rescue that its failed create then discards
// (the rescue file's own DACL keeps it unreadable meanwhile), rather than a privileged
// requestor losing its backup. The S4 rescue asks the file system whether the requestor holds
// this access before copying anything.
constexpr uint32_t access_checked_by_overwrite(const CreateOp& op) {
  return op.desired_access | (op.disposition == CreateDisposition::kSupersede ? access::kDelete : access::kWriteData);
}

// The create options that change that check: FILE_OPEN_FOR_BACKUP_INTENT, with which the
// backup and restore privileges grant access the DACL does not (robocopy /B, restore tools).
constexpr uint32_t create_options_checked_by_overwrite(const CreateOp& op) {
  return op.create_options & create_option::kOpenForBackupIntent;
}

// Pre-create cheap checks: kernel-mode requests (except those with SL_FORCE_ACCESS_CHECK, made
// for a user: the SMB server's, N13), paging files, volume opens, prefetcher opens,
// opens of a rename target's directory (SL_OPEN_TARGET_DIRECTORY), directories, FILE_CREATE (a
// new file has no previous content) and opens that can neither write, overwrite nor delete on
// close are ignored; everything else needs the name. Opens by file id have no name before the
// create: kNeedOpenedName for writers and delete-on-close; an overwrite by id is ignored (the
// content is gone before post-create could learn the name, and a rescue needs the name in
// pre-create: such a save is not backed up and nothing is reported).
Precheck create_precheck(const CreateOp& op);

// Pre-set-information cheap checks. `tracked`: the file object has engine state.
//   end of file / allocation / valid data length: kUseState when tracked (the paging and
//     AdvanceOnly forms from the cache manager are ignored);
//   rename or link with ReplaceIfExists, disposition with delete: kNeedName (any requestor:
//     the SMB server's are kernel-mode and unflagged, N13).
Precheck set_information_precheck(const SetInfoOp& op, bool tracked);

// Post-set-information: whether a rename of a tracked stream must tell the engine the file's new
// name (every rename class, any requestor, with or without ReplaceIfExists; links add a name
// and change nothing). true: the driver asks for the post-operation callback.
bool rename_changes_name(const SetInfoOp& op, bool tracked);

// Writable section: SyncType create-section with PAGE_READWRITE or PAGE_EXECUTE_READWRITE
// (write-copy protections never reach the file).
bool section_can_write(const SectionOp& op);

// FSCTLs that change file data without IRP_MJ_WRITE.
bool fsctl_modifies(uint32_t control_code);

// What a name means to the engine.
enum class NameVerdict : uint8_t {
  kProtected = 0,     // the default stream of a file the rules protect
  kNotProtected = 1,  // no rule covers it (or it is the volume / root)
  kNamedStream = 2,   // a named stream of some file: never backed up
  kOwnStream = 3,     // one of our backup streams: never tracked
  kBadName = 4,       // did not parse
};

struct NameDecision {
  NameVerdict verdict = NameVerdict::kBadName;
  Str16 file_path;  // the name without stream suffix: a view into the name given
};

NameDecision classify_name(Str16 nt_name, const RuleSet& rules);

// Pre-create asks for the name FLT_FILE_NAME_OPENED first: the path as the requestor wrote it
// (joined to its related file object's name for a relative open), which Filter Manager builds
// without the directory queries a normalized name costs. The rules need long names, so it
// asks again for the normalized name only when a component may be an 8.3 short name
// (`DOCUME~1`): one holding a `~`, as every generated short name does. A long name with a `~` is
// normalized needlessly, never misjudged. (A short name set by hand without a `~`, with fsutil
// file setshortname, is not recognised: docs/engine.md, Known limits.)
bool opened_name_needs_normalizing(Str16 opened_name);

}  // namespace fb
