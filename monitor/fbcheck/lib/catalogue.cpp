#include "monitor/fbcheck/lib/catalogue.h"

namespace fbcheck {

const std::vector<CheckInfo>& facts() {
  static const std::vector<CheckInfo> list = {
      {"N1", "overwrite of the default stream deletes named streams", nullptr},
      {"N2", "TRUNCATE_EXISTING keeps named streams; CREATE_ALWAYS and fopen(\"w\") do not", nullptr},
      {"N3", "a named stream open during an overwrite cannot be reopened and dies with its handle", nullptr},
      {"N4", "create dispositions report SUPERSEDED, OPENED, CREATED, OVERWRITTEN", nullptr},
      {"N5", "rename over a file deletes the target with its streams; refused while a target stream is open",
       nullptr},
      {"N6", "renaming a file while one of its named streams is open is refused", nullptr},
      {"N7", "ReplaceFileW keeps the replaced file's named streams the replacement lacks", nullptr},
      {"N8", "stream-to-stream rename: moves the data, refuses a used target, may target ::$DATA", nullptr},
      {"N9", "deleting a file deletes its streams; CopyFileW copies them", nullptr},
      {"N10", "hard links share every stream; deleting one link keeps the file", nullptr},
      {"N11", "delete dispositions: pending until the last close, cancellable, POSIX, on close, read-only",
       nullptr},
      {"N12", "a stream context lives as long as the stream, not the handle",
       "Filter Manager's stream contexts are invisible from user mode (the host tests encode it)"},
      {"N13", "SMB server opens are kernel-mode creates with SL_FORCE_ACCESS_CHECK",
       "needs a share opened from another machine: edit a protected file over \\\\VM\\share and watch fbmon"},
  };
  return list;
}

const std::vector<CheckInfo>& stories() {
  static const std::vector<CheckInfo> list = {
      {"S1", "in-place write is backed up before the first write", nullptr},
      {"S2", "append-only write is backed up before the first append", nullptr},
      {"S3", "truncation (SetEndOfFile) is backed up before the file shrinks", nullptr},
      {"S4", "CREATE_ALWAYS keeps the overwritten content", nullptr},
      {"S5", "rename over the file (MoveFileExW REPLACE_EXISTING) keeps the replaced content", nullptr},
      {"S7", "ReplaceFileW keeps the replaced content", nullptr},
      {"S8", "a writable mapped view is backed up before any page is written", nullptr},
      {"DEL", "deleting a backed-up file keeps it in the vault", nullptr},
  };
  return list;
}

const CheckInfo* find_check(const std::string& id) {
  for (const auto* list : {&facts(), &stories()})
    for (const CheckInfo& c : *list)
      if (id == c.id) return &c;
  return nullptr;
}

const std::vector<DispositionCase>& disposition_cases() {
  using namespace disposition;
  using namespace create_information;
  static const std::vector<DispositionCase> list = {
      {"FILE_CREATE", kCreate, false, true, kCreated, 0, "FILE_CREATED"},
      {"FILE_CREATE", kCreate, true, false, 0, 0xC0000035, "STATUS_OBJECT_NAME_COLLISION"},
      {"FILE_OPEN", kOpen, true, true, kOpened, 0, "FILE_OPENED"},
      {"FILE_OPEN_IF", kOpenIf, true, true, kOpened, 0, "FILE_OPENED"},
      {"FILE_OPEN_IF", kOpenIf, false, true, kCreated, 0, "FILE_CREATED"},
      {"FILE_OVERWRITE", kOverwrite, true, true, kOverwritten, 0, "FILE_OVERWRITTEN"},
      {"FILE_OVERWRITE", kOverwrite, false, false, 0, 0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
      {"FILE_OVERWRITE_IF", kOverwriteIf, true, true, kOverwritten, 0, "FILE_OVERWRITTEN"},
      {"FILE_OVERWRITE_IF", kOverwriteIf, false, true, kCreated, 0, "FILE_CREATED"},
      {"FILE_SUPERSEDE", kSupersede, true, true, kSuperseded, 0, "FILE_SUPERSEDED"},
      {"FILE_SUPERSEDE", kSupersede, false, true, kCreated, 0, "FILE_CREATED"},
  };
  return list;
}

}  // namespace fbcheck
