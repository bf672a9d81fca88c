// One operation in flight through the simulated Filter Manager: the FLT_CALLBACK_DATA, its
// parameter block and related objects as the filter sees them, with the simulation's
// bookkeeping after them. Private to tests/kernel/fltmgr/.
#pragma once

#include <cstring>
#include <vector>

#include "tests/kernel/fltmgr/filter_manager.h"

namespace ksim::flt {

// FLT_CALLBACK_DATA and FLT_RELATED_OBJECTS have const members: the simulation fills these
// layout twins and hands out their address.
struct CallbackDataStorage {
  ULONG Flags;
  void* Thread;
  FLT_IO_PARAMETER_BLOCK* Iopb;
  IO_STATUS_BLOCK IoStatus;
  void* TagData;
  void* FilterContext[4];
  int8_t RequestorMode;
};
static_assert(sizeof(CallbackDataStorage) == sizeof(FLT_CALLBACK_DATA), "FLT_CALLBACK_DATA twin");
static_assert(offsetof(CallbackDataStorage, RequestorMode) == offsetof(FLT_CALLBACK_DATA, RequestorMode), "mode");
static_assert(offsetof(CallbackDataStorage, IoStatus) == offsetof(FLT_CALLBACK_DATA, IoStatus), "status");

struct RelatedObjectsStorage {
  USHORT Size;
  USHORT TransactionContext;
  void* Filter;
  void* Volume;
  void* Instance;
  void* FileObject;
  void* Transaction;
};
static_assert(sizeof(RelatedObjectsStorage) == sizeof(FLT_RELATED_OBJECTS), "FLT_RELATED_OBJECTS twin");
static_assert(offsetof(RelatedObjectsStorage, FileObject) == offsetof(FLT_RELATED_OBJECTS, FileObject), "fo");

constexpr uint64_t kOperationMagic = 0x4f50455241544e21ull;

struct FilterManager::Operation {
  CallbackDataStorage data{};  // first: PFLT_CALLBACK_DATA points here
  FLT_IO_PARAMETER_BLOCK iopb{};
  RelatedObjectsStorage related{};
  uint64_t magic = kOperationMagic;
  SimFile* file = nullptr;
  Instance* instance = nullptr;
  uint64_t process_id = 0;
  UCHAR irql = kPassiveLevel;
  void* top_level = nullptr;
  bool pre_create = false;         // IRP_MJ_CREATE before the file system opened the file
  const OpenRequest* request = nullptr;
  IO_SECURITY_CONTEXT security{};
  std::vector<uint8_t> buffer;     // InfoBuffer / WriteBuffer / FSCTL input
  const char* name = "";           // for verifier records
  const char* pre_name = "pre-operation callback";
  const char* post_name = "post-operation callback";
  uint64_t zero_offset = 0, zero_length = 0;

  PFLT_CALLBACK_DATA callback_data() { return reinterpret_cast<PFLT_CALLBACK_DATA>(&data); }
  PCFLT_RELATED_OBJECTS related_objects() { return reinterpret_cast<PCFLT_RELATED_OBJECTS>(&related); }
  static Operation* from(PFLT_CALLBACK_DATA data) {
    auto* op = reinterpret_cast<Operation*>(data);
    return op != nullptr && op->magic == kOperationMagic ? op : nullptr;
  }
};

}  // namespace ksim::flt
