// S4, overwrite on open (CREATE_ALWAYS, fopen("w"), `>`): the create truncates the file and
// deletes every named stream, `:backup` included, before any post-create callback runs (N1). So
// the content is captured in pre-create, into a place the overwrite cannot reach, and put back
// after it:
//
//   pre-create  (rescue_before_overwrite): create the rescue file `<file>.~fb<8 hex digits>`
//               next to the file (same volume, same directory; hidden and system), copy the
//               file's content into the rescue file's `backup.tmp` (+ metadata) and its
//               existing backup slots into the rescue file's slots of the same names;
//               close everything, let the create go down.
//   post-create (restore_after_overwrite): the file now has no streams; copy the rescue file's
//               slots back under the same names, then its `backup.tmp` into the file's
//               `backup.tmp` and promote it into slot 1 (common/engine/versions.h); delete the rescue
//               file. If the create failed or created a new file instead, discard_rescue()
//               deletes the rescue file and nothing else happens.
//
// Why a sibling file and not a stream of the file itself: every named stream of the file dies
// with the overwrite, including one still open (N3). A sibling in the same directory is on the
// same volume (renames, space accounting and quotas behave like the file's own) and is named
// after the file, so a crash between pre- and post-create leaves a recognisable file holding the
// old content. The cost is a second copy; S4 saves are small documents in practice, and
// MaxFileSize bounds it.
#pragma once

#include "common/engine/backup.h"
#include "common/engine/config.h"
#include "common/engine/file_system.h"
#include "common/engine/state.h"
#include "common/base/fb_base.h"

namespace fb {

// Units of the suffix `.~fb` + 8 hex digits appended to the file's name.
constexpr uint32_t kRescueSuffixUnits = 12;

// The two buffers a rescue sequence works with: one for the copy, one for the rescue file's
// name, which can be as long as NT's limit (kMaxPathUnits units, 65,534 bytes) and must not eat
// the copy's room: a path near the limit would otherwise fail for want of memory although every
// name it needs fits.
struct RescueMemory {
  CopyBuffer copy;
  CopyBuffer name;
};

struct RescueJob {
  Str16 file;
  EngineConfig config;
  int64_t time = 0;
  uint64_t process_id = 0;
  uint32_t rescue_id = 0;
  uint32_t requestor_access = 0;   // access_checked_by_overwrite(op)
  uint32_t requestor_options = 0;  // create_options_checked_by_overwrite(op)
};

// Fills *ticket. Leaves ticket->rescue_active false when nothing had to be rescued (file missing,
// skipped), when the requestor may not overwrite the file (FileSystem::check_requestor_access,
// asked just before anything is copied: the create will fail its own access check, and a failed
// create reports nothing; ticket->failure holds the refusal in case it succeeds after all) or
// when the rescue file could not be made (ticket->failure says why).
void rescue_before_overwrite(FileSystem& fs, const RescueJob& job, const RescueMemory& memory, CreateTicket* ticket);

// After a create that overwrote or superseded the file. include_content: this open starts the
// session's backup decision (false when the session had already decided: the rescued content
// is then dropped and only the older slots are put back). The report describes the content.
// *rescue_kept (when given): the rescue file was left in place because it holds what the file
// could not take back (a slot or the content); the engine then makes it a vault entry.
BackupReport restore_after_overwrite(FileSystem& fs, Str16 file, const CreateTicket& ticket, bool include_content,
                                     const EngineConfig& config, const RescueMemory& memory,
                                     bool* rescue_kept = nullptr);

// The rescue file's path for `ticket` in memory.name (empty when it cannot be built).
Str16 rescue_path(Str16 file, const CreateTicket& ticket, const RescueMemory& memory);

// After a create that did not overwrite: deletes the rescue file.
void discard_rescue(FileSystem& fs, Str16 file, const CreateTicket& ticket, const RescueMemory& memory);

// A file whose rescue file's streams (`<file>.~fb<id>:backup.tmp.meta`, the longest name a rescue
// opens) would exceed NT's limit fails with kNameTooLong before anything is made.
// Writes `<file>.~fb<id as 8 hex digits>` into out[0..cap). kNameTooLong when the final
// component would exceed 255 units or the path kMaxPathUnits or cap.
NtStatus build_rescue_name(Str16 file, uint32_t rescue_id, char16_t* out, uint32_t cap, uint32_t* len);

}  // namespace fb
