// File names (docs: FltGetFileNameInformation, FltGetDestinationFileNameInformation,
// FltParseFileNameInformation, FltReleaseFileNameInformation):
//   - opened names are what the requestor wrote (short 8.3 components kept); normalized names
//     expand them to the long names, in the case the file was created or renamed with;
//   - the name after a rename is the new one (the file object follows its file);
//   - a query fails with STATUS_FLT_INVALID_NAME_REQUEST above APC_LEVEL, in the paging path,
//     and while the thread's top-level IRP is set (recursion into the file system could
//     deadlock); in pre-create of an open by file id there is no name yet;
//   - each FLT_FILE_NAME_INFORMATION is reference counted; every reference must be released.
#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/operation.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"

namespace ksim::flt {
namespace {

constexpr uint64_t kNameMagic = 0x454d414e4d46534bull;

NameBlock* block_of(FileNameInformation* info) {
  if (info == nullptr) return nullptr;
  auto* block = reinterpret_cast<NameBlock*>(reinterpret_cast<uint8_t*>(info) - offsetof(NameBlock, info));
  return block->magic == kNameMagic ? block : nullptr;
}

UNICODE_STRING slice(const std::u16string& storage, size_t from, size_t count) {
  UNICODE_STRING s;
  s.Buffer = count == 0 ? nullptr : reinterpret_cast<WCHAR*>(const_cast<char16_t*>(storage.data() + from));
  s.Length = static_cast<USHORT>(count * 2);
  s.MaximumLength = s.Length;
  return s;
}

}  // namespace

// Short (8.3) prefixes expanded to their long form.
Name FilterManager::normalize(const Name& path) const {
  const Name folded = fbmodel::fold(path);
  for (const auto& entry : short_names_) {
    const Name& short_prefix = entry.first;
    if (folded.compare(0, short_prefix.size(), short_prefix) == 0 &&
        (folded.size() == short_prefix.size() || folded[short_prefix.size()] == u'\\' ||
         folded[short_prefix.size()] == u':'))
      return entry.second + path.substr(short_prefix.size());
  }
  return path;
}

NameBlock* FilterManager::make_name(const Name& full, const Volume* volume, ULONG format) {
  auto* block = new NameBlock();
  block->magic = kNameMagic;
  block->references = 1;
  block->storage = full;
  FileNameInformation& info = block->info;
  std::memset(&info, 0, sizeof info);
  info.Size = sizeof(FileNameInformation);
  info.Format = format;
  info.Name = slice(block->storage, 0, full.size());
  const size_t volume_units = volume != nullptr ? std::min(volume->name.size(), full.size()) : 0;
  info.Volume = slice(block->storage, 0, volume_units);
  std::lock_guard<std::mutex> g(mu_);
  names_.insert(block);
  return block;
}

NTSTATUS FilterManager::file_name_unsafe(SimFile* file, Instance* instance, ULONG options,
                                         FileNameInformation** out) {
  (void)instance;
  if (out == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  if (!check_irql("FltGetFileNameInformation", kApcLevel)) return status::kFltInvalidNameRequest;
  if (file == nullptr) return status::kInvalidParameter;
  const ULONG method = options & kQueryMethodMask;
  if (thread::top_level_irp() != nullptr && method != kQueryCacheOnly) return status::kFltInvalidNameRequest;
  if (faults::should_fail(faults::Kind::kNameQuery)) {
    faults::fired_on((options & kNameFormatMask) == kNameOpened ? "FltGetFileNameInformation (opened)"
                                                                 : "FltGetFileNameInformation (normalized)");
    return status::kInsufficientResources;
  }
  Name path;
  {
    std::lock_guard<std::mutex> g(mu_);
    path = file->path;
    // A rename the simulation did not see (a folder renamed on the model): the file system's name.
    if (file->model != 0 && file->volume != nullptr && file->volume->model != nullptr) {
      const Name now = file->volume->model->handle_path(file->model);
      if (!now.empty() && now != fbmodel::fold(normalize(path))) path = now;
    }
  }
  const ULONG format = options & kNameFormatMask;
  Name full;
  if (format == kNameOpened) {
    full = path;
  } else if (format == kNameNormalized) {
    std::lock_guard<std::mutex> g(mu_);
    full = normalize(path);
  } else {
    return status::kInvalidParameter;  // short names of a final component: not modelled
  }
  if (!file->stream_name.empty()) full += u":" + file->stream_name;
  *out = &make_name(full, file->volume, format)->info;
  return status::kSuccess;
}

NTSTATUS FilterManager::file_name(PFLT_CALLBACK_DATA data, ULONG options, FileNameInformation** out) {
  if (out == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  Operation* op = Operation::from(data);
  if (op == nullptr) {
    verifier::violation(verifier::kParameter, "FltGetFileNameInformation with callback data Filter Manager did not make");
    return status::kInvalidParameter;
  }
  if ((op->iopb.IrpFlags & kIrpPagingIo) != 0) return status::kFltInvalidNameRequest;
  if (op->pre_create && op->file->by_file_id) return status::kFltInvalidNameRequest;
  return file_name_unsafe(op->file, op->instance, options, out);
}

// The name a rename or link will give: `:stream` (a stream rename on the same file), a full
// path, or a bare name (the same folder).
NTSTATUS FilterManager::destination_name(Instance* instance, SimFile* file, HANDLE root, const WCHAR* name, ULONG bytes,
                                         ULONG options, FileNameInformation** out) {
  (void)instance;
  if (out == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  if (!check_irql("FltGetDestinationFileNameInformation", kApcLevel)) return status::kFltInvalidNameRequest;
  if (file == nullptr || name == nullptr || bytes == 0 || (bytes % 2) != 0) return status::kInvalidParameter;
  if (root != nullptr) return status::kNotSupported;  // relative to a directory handle: not modelled
  if (thread::top_level_irp() != nullptr) return status::kFltInvalidNameRequest;
  if (faults::should_fail(faults::Kind::kNameQuery)) {
    faults::fired_on("FltGetDestinationFileNameInformation");
    return status::kInsufficientResources;
  }
  const Name target(reinterpret_cast<const char16_t*>(name), bytes / 2);
  Name full;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (target[0] == u':') {
      full = file->path + target;
    } else if (target[0] == u'\\') {
      full = target;
    } else {
      const size_t slash = file->path.rfind(u'\\');
      full = file->path.substr(0, slash + 1) + target;
    }
    if ((options & kNameFormatMask) == kNameNormalized) full = normalize(full);
  }
  *out = &make_name(full, volume_of(full), options & kNameFormatMask)->info;
  return status::kSuccess;
}

// Fills FinalComponent, Extension, Stream and ParentDir from Name (Volume is always filled).
NTSTATUS FilterManager::parse_name(FileNameInformation* info) {
  check_irql("FltParseFileNameInformation", kApcLevel);
  NameBlock* block = block_of(info);
  if (block == nullptr) return status::kInvalidParameter;
  const std::u16string& s = block->storage;
  const size_t volume_units = info->Volume.Length / 2;
  const size_t last_slash = s.rfind(u'\\');
  if (last_slash == std::u16string::npos || last_slash < volume_units) return status::kObjectNameInvalid;
  const size_t colon = s.find(u':', last_slash);
  const size_t final_end = colon == std::u16string::npos ? s.size() : colon;
  info->ParentDir = slice(s, volume_units, last_slash + 1 - volume_units);
  info->FinalComponent = slice(s, last_slash + 1, s.size() - last_slash - 1);
  info->Stream = colon == std::u16string::npos ? slice(s, 0, 0) : slice(s, colon, s.size() - colon);
  const size_t dot = s.rfind(u'.', final_end);
  info->Extension = dot == std::u16string::npos || dot < last_slash ? slice(s, 0, 0) : slice(s, dot + 1, final_end - dot - 1);
  info->NamesParsed = kParsedFinalComponent | kParsedExtension | kParsedStream | kParsedParentDir;
  return status::kSuccess;
}

void FilterManager::reference_name(FileNameInformation* info) {
  NameBlock* block = block_of(info);
  if (block == nullptr || block->references.load() <= 0) {
    verifier::violation(verifier::kParameter, "FltReferenceFileNameInformation of unknown name information");
    return;
  }
  ++block->references;
}

void FilterManager::release_name(FileNameInformation* info) {
  check_irql("FltReleaseFileNameInformation", kApcLevel);
  NameBlock* block = block_of(info);
  if (block == nullptr) {
    verifier::violation(verifier::kParameter, "FltReleaseFileNameInformation of unknown name information");
    return;
  }
  const int left = --block->references;
  if (left < 0) {
    verifier::violation(verifier::kReferenceCount, "FltReleaseFileNameInformation released once too often");
    return;
  }
  if (left > 0) return;
  {
    std::lock_guard<std::mutex> g(mu_);
    names_.erase(block);
  }
  block->magic = 0;
  delete block;
}

}  // namespace ksim::flt
