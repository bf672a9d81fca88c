// S5, rename over (Word, WordPad, MFC: write a temp file, rename it over the original with
// ReplaceIfExists; S7 ReplaceFile ends the same way). The rename deletes the target with all of
// its streams (N5), so in pre-set-information, before the rename goes down, the replaced file's
// history is handed to the file that takes its name (the rename's source):
//
//   the source's own backup streams are deleted (its history belongs to a temp name);
//   the target's content is copied into the source's `backup.tmp` (+ metadata);
//   the target's slots 1..max-1 are copied into the source's slots of the same names;
//   `backup.tmp` is promoted into slot 1, shifting them down (common/engine/versions.h).
//
// Every handle is closed before returning: an open stream of the target makes the rename fail
// with ACCESS_DENIED (N5), an open named stream of the source too (N6). Failures are reported
// and the rename proceeds; the target's old backups then go with it, as the user asked.
#pragma once

#include "common/engine/backup.h"
#include "common/engine/config.h"
#include "common/engine/file_system.h"
#include "common/base/fb_base.h"

namespace fb {

struct AdoptJob {
  Str16 source;  // the file being renamed (takes the name)
  Str16 target;  // the existing protected file being replaced
  EngineConfig config;
  int64_t time = 0;
  uint64_t process_id = 0;
  Trigger trigger = Trigger::kRenameOver;  // recorded in the new backup's metadata
};

// decided == false when the target does not exist (a plain move: nothing is replaced).
BackupReport adopt_replaced_target(FileSystem& fs, const AdoptJob& job, const CopyBuffer& buffer);

}  // namespace fb
