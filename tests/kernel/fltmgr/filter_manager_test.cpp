// The simulated Filter Manager on its own, driven by a small minifilter written here (ms_abi
// callbacks, every Flt call through the export table as the image makes it): registration,
// attachment, each FLT_PREOP status, the Filter Verifier checks, context lifetimes, names,
// FltCreateFileEx2 below the filter and the communication port.
#include <gtest/gtest.h>

#include <thread>

#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::flt {
namespace {

using fb::CreateDisposition;
namespace access = fb::access;

const Name kVolume = u"\\Device\\HarddiskVolume2";
const Name kFile = kVolume + u"\\Users\\me\\Documents\\a.txt";

template <typename Fn>
Fn flt(const char* name) {
  const Export* e = find_export("fltmgr.sys", name);
  EXPECT_NE(e, nullptr) << name;
  return e == nullptr ? nullptr : reinterpret_cast<Fn>(e->address);
}

using AllocateContextFn = NTSTATUS(KSIM_API*)(PFLT_FILTER, USHORT, SIZE_T, int, void**);
using SetContextFn = NTSTATUS(KSIM_API*)(PFLT_INSTANCE, PFILE_OBJECT, int, void*, void**);
using GetContextFn = NTSTATUS(KSIM_API*)(PFLT_INSTANCE, PFILE_OBJECT, void**);
using ReleaseContextFn = void(KSIM_API*)(void*);
using GetNameFn = NTSTATUS(KSIM_API*)(PFLT_CALLBACK_DATA, ULONG, FileNameInformation**);
using ReleaseNameFn = void(KSIM_API*)(FileNameInformation*);
using ParseNameFn = NTSTATUS(KSIM_API*)(FileNameInformation*);
using SetDirtyFn = void(KSIM_API*)(PFLT_CALLBACK_DATA);
using CreateFileFn = NTSTATUS(KSIM_API*)(PFLT_FILTER, PFLT_INSTANCE, HANDLE*, PFILE_OBJECT*, ULONG, ObjectAttributes*,
                                         IO_STATUS_BLOCK*, LARGE_INTEGER*, ULONG, ULONG, ULONG, ULONG, void*, ULONG,
                                         ULONG, void*);
using CloseFn = NTSTATUS(KSIM_API*)(HANDLE);
using RegisterFn = NTSTATUS(KSIM_API*)(void*, const Registration*, PFLT_FILTER*);
using StartFn = NTSTATUS(KSIM_API*)(PFLT_FILTER);
using UnregisterFn = void(KSIM_API*)(PFLT_FILTER);
using CreatePortFn = NTSTATUS(KSIM_API*)(PFLT_FILTER, PFLT_PORT*, ObjectAttributes*, void*, ConnectNotify,
                                         DisconnectNotify, MessageNotify, LONG);
using ClosePortFn = void(KSIM_API*)(PFLT_PORT);
using CloseClientFn = void(KSIM_API*)(PFLT_FILTER, PFLT_PORT*);
using SendFn = NTSTATUS(KSIM_API*)(PFLT_FILTER, PFLT_PORT*, void*, ULONG, void*, ULONG*, LARGE_INTEGER*);
using BuildSdFn = NTSTATUS(KSIM_API*)(void**, ULONG);
using FreeSdFn = void(KSIM_API*)(void*);

// --- the test minifilter ----------------------------------------------------------------------

struct TestFilter {
  PFLT_FILTER filter = nullptr;
  int pre_status = FLT_PREOP_SUCCESS_WITH_CALLBACK;
  void* completion = nullptr;
  NTSTATUS complete_status = 0;
  bool raise_irql = false;
  bool modify_iopb = false;
  bool mark_dirty = false;
  bool attach_stream_context = false;  // post-create: allocate + set a stream context
  bool disallow_fast_io = false;
  int pre_calls = 0, post_calls = 0, fast_io_pre_calls = 0;
  UCHAR pre_irql = 0xff, post_irql = 0xff;
  void* post_completion = nullptr;
  ULONG setup_fs[8] = {};
  int setups = 0;
  int cleanups = 0;
  NTSTATUS name_status = 0;
  std::u16string opened_name, normalized_name, final_component, extension;
};
TestFilter g_tf;

KSIM_API FLT_PREOP_CALLBACK_STATUS test_pre(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS, void** completion) {
  ++g_tf.pre_calls;
  g_tf.pre_irql = thread::irql();
  if ((data->Flags & kCallbackFastIo) != 0) {
    ++g_tf.fast_io_pre_calls;
    if (g_tf.disallow_fast_io) return FLT_PREOP_DISALLOW_FASTIO;
  }
  if (g_tf.raise_irql) thread::set_irql(kDispatchLevel);
  if (g_tf.modify_iopb) {
    data->Iopb->Parameters.Write.ByteOffset.QuadPart += 1;
    if (g_tf.mark_dirty) flt<SetDirtyFn>("FltSetCallbackDataDirty")(data);
  }
  if (g_tf.pre_status == FLT_PREOP_COMPLETE) data->IoStatus.Status = g_tf.complete_status;
  *completion = g_tf.completion;
  return static_cast<FLT_PREOP_CALLBACK_STATUS>(g_tf.pre_status);
}

KSIM_API FLT_POSTOP_CALLBACK_STATUS test_post(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects, void* completion,
                                              ULONG) {
  ++g_tf.post_calls;
  g_tf.post_irql = thread::irql();
  g_tf.post_completion = completion;
  if (g_tf.attach_stream_context && data->Iopb->MajorFunction == kIrpMjCreate && data->IoStatus.Status >= 0) {
    void* context = nullptr;
    if (flt<GetContextFn>("FltGetStreamContext")(objects->Instance, objects->FileObject, &context) == 0) {
      flt<ReleaseContextFn>("FltReleaseContext")(context);  // the stream has one already
    } else if (flt<AllocateContextFn>("FltAllocateContext")(g_tf.filter, kStreamContext, 32, 0, &context) == 0) {
      void* old = nullptr;
      flt<SetContextFn>("FltSetStreamContext")(objects->Instance, objects->FileObject, 1, context, &old);
      if (old != nullptr) flt<ReleaseContextFn>("FltReleaseContext")(old);
      flt<ReleaseContextFn>("FltReleaseContext")(context);
    }
  }
  if (data->Iopb->MajorFunction == kIrpMjCreate && data->IoStatus.Status >= 0 && g_tf.opened_name.empty()) {
    FileNameInformation* name = nullptr;
    g_tf.name_status = flt<GetNameFn>("FltGetFileNameInformation")(data, kNameOpened | kQueryDefault, &name);
    if (name != nullptr) {
      g_tf.opened_name.assign(reinterpret_cast<char16_t*>(name->Name.Buffer), name->Name.Length / 2);
      flt<ReleaseNameFn>("FltReleaseFileNameInformation")(name);
    }
    if (flt<GetNameFn>("FltGetFileNameInformation")(data, kNameNormalized | kQueryDefault, &name) == 0) {
      g_tf.normalized_name.assign(reinterpret_cast<char16_t*>(name->Name.Buffer), name->Name.Length / 2);
      flt<ParseNameFn>("FltParseFileNameInformation")(name);
      g_tf.final_component.assign(reinterpret_cast<char16_t*>(name->FinalComponent.Buffer),
                                  name->FinalComponent.Length / 2);
      g_tf.extension.assign(reinterpret_cast<char16_t*>(name->Extension.Buffer), name->Extension.Length / 2);
      flt<ReleaseNameFn>("FltReleaseFileNameInformation")(name);
    }
  }
  return FLT_POSTOP_FINISHED_PROCESSING;
}

KSIM_API NTSTATUS test_setup(PCFLT_RELATED_OBJECTS, ULONG, ULONG, ULONG fs_type) {
  g_tf.setup_fs[g_tf.setups++ & 7] = fs_type;
  return fs_type == kFsTypeNtfs ? status::kSuccess : status::kFltDoNotAttach;
}

KSIM_API void test_cleanup(void*, USHORT) { ++g_tf.cleanups; }

KSIM_API NTSTATUS test_unload(ULONG) {
  flt<UnregisterFn>("FltUnregisterFilter")(g_tf.filter);
  return 0;
}

const FltOperationRegistration kOperations[] = {
    {kIrpMjCreate, 0, test_pre, test_post, nullptr},
    {kIrpMjWrite, kSkipPagingIo, test_pre, test_post, nullptr},
    {kIrpMjSetInformation, 0, test_pre, test_post, nullptr},
    {kIrpMjCleanup, 0, test_pre, test_post, nullptr},
    {kOperationEnd, 0, nullptr, nullptr, nullptr},
};
const FltContextRegistration kContexts[] = {
    {kStreamContext, 0, test_cleanup, kVariableSizedContexts, 0x74736554, nullptr, nullptr, nullptr},
    {kStreamHandleContext, 0, test_cleanup, 16, 0x74736554, nullptr, nullptr, nullptr},
    {kContextEnd, 0, nullptr, 0, 0, nullptr, nullptr, nullptr},
};

Registration registration() {
  Registration r{};
  r.Size = sizeof(Registration);
  r.Version = kRegistrationVersion0203;
  r.ContextRegistration = kContexts;
  r.OperationRegistration = kOperations;
  r.FilterUnloadCallback = test_unload;
  r.InstanceSetupCallback = test_setup;
  return r;
}

uint8_t g_driver_object[0x150];

class FilterManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_all();
    ksim::verifier::take_violations();
    g_tf = TestFilter();
    fm().add_volume(kVolume, kFsTypeNtfs, &volume_);
    fm().add_volume(u"\\Device\\HarddiskVolume3", kFsTypeFat, &fat_);
  }
  void TearDown() override {
    if (fm().filter() != nullptr && !fm().unregistered()) fm().unload();
    for (const auto& v : ksim::verifier::take_violations()) ADD_FAILURE() << v.text();
    reset_all();
  }
  static FilterManager& fm() { return FilterManager::get(); }

  void load(const Registration& r = registration()) {
    static Registration stored;
    stored = r;
    ASSERT_EQ(flt<RegisterFn>("FltRegisterFilter")(g_driver_object, &stored, &g_tf.filter), 0);
    ASSERT_EQ(flt<StartFn>("FltStartFiltering")(g_tf.filter), 0);
  }
  SimFile* open(uint32_t access = access::kReadData | access::kWriteData,
                CreateDisposition d = CreateDisposition::kOpen, uint16_t share = 7, const Name& path = kFile) {
    OpenRequest r;
    r.path = path;
    r.access = access;
    r.disposition = d;
    r.share = share;
    SimFile* f = nullptr;
    last_status_ = fm().open(r, &f);
    return f;
  }
  // The checks recorded since the last call.
  std::vector<std::string> checks() {
    std::vector<std::string> out;
    for (const auto& v : ksim::verifier::take_violations()) out.push_back(v.check);
    return out;
  }

  fbmodel::Volume volume_, fat_;
  NTSTATUS last_status_ = 0;
};

// --- registration and attachment ---------------------------------------------------------------

TEST_F(FilterManagerTest, RegistrationIsReadAsWindowsDoes) {
  struct Case {
    const char* what;
    void (*change)(Registration*);
    NTSTATUS expected;
  };
  static const FltOperationRegistration bad_major[] = {{0x50, 0, test_pre, nullptr, nullptr}, {kOperationEnd, 0, nullptr, nullptr, nullptr}};
  static const FltOperationRegistration twice[] = {{kIrpMjCreate, 0, test_pre, nullptr, nullptr}, {kIrpMjCreate, 0, test_pre, nullptr, nullptr}, {kOperationEnd, 0, nullptr, nullptr, nullptr}};
  static const FltOperationRegistration bad_flags[] = {{kIrpMjWrite, 0x100, test_pre, nullptr, nullptr}, {kOperationEnd, 0, nullptr, nullptr, nullptr}};
  static const FltOperationRegistration no_callbacks[] = {{kIrpMjWrite, 0, nullptr, nullptr, nullptr}, {kOperationEnd, 0, nullptr, nullptr, nullptr}};
  static const FltContextRegistration two_types[] = {{0x0018, 0, nullptr, 8, 1, nullptr, nullptr, nullptr}, {kContextEnd, 0, nullptr, 0, 0, nullptr, nullptr, nullptr}};
  static const FltContextRegistration zero_size[] = {{kStreamContext, 0, nullptr, 0, 1, nullptr, nullptr, nullptr}, {kContextEnd, 0, nullptr, 0, 0, nullptr, nullptr, nullptr}};
  static const FltContextRegistration same_size[] = {{kStreamContext, 0, nullptr, 8, 1, nullptr, nullptr, nullptr}, {kStreamContext, 0, nullptr, 8, 1, nullptr, nullptr, nullptr}, {kContextEnd, 0, nullptr, 0, 0, nullptr, nullptr, nullptr}};
  const Case cases[] = {
      {"size of the 0x0202 layout with version 0x0203", [](Registration* r) { r->Size = 104; }, status::kInvalidParameter},
      {"unknown version", [](Registration* r) { r->Version = 0x0301; }, status::kInvalidParameter},
      {"unknown flag", [](Registration* r) { r->Flags = 0x80; }, status::kInvalidParameter},
      {"major function out of range", [](Registration* r) { r->OperationRegistration = bad_major; }, status::kInvalidParameter},
      {"major function twice", [](Registration* r) { r->OperationRegistration = twice; }, status::kInvalidParameter},
      {"unknown operation flag", [](Registration* r) { r->OperationRegistration = bad_flags; }, status::kInvalidParameter},
      {"entry without callbacks", [](Registration* r) { r->OperationRegistration = no_callbacks; }, status::kInvalidParameter},
      {"context of two types", [](Registration* r) { r->ContextRegistration = two_types; }, status::kFltInvalidContextRegistration},
      {"context of size 0", [](Registration* r) { r->ContextRegistration = zero_size; }, status::kFltInvalidContextRegistration},
      {"context type twice with one size", [](Registration* r) { r->ContextRegistration = same_size; }, status::kFltInvalidContextRegistration},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Registration r = registration();
    c.change(&r);
    PFLT_FILTER filter = nullptr;
    EXPECT_EQ(flt<RegisterFn>("FltRegisterFilter")(g_driver_object, &r, &filter), c.expected);
    EXPECT_EQ(filter, nullptr);
  }
  Registration ok = registration();
  PFLT_FILTER filter = nullptr;
  EXPECT_EQ(flt<RegisterFn>("FltRegisterFilter")(g_driver_object, &ok, &filter), 0);
  EXPECT_NE(filter, nullptr);
  g_tf.filter = filter;
}

TEST_F(FilterManagerTest, NoInstancesKeyFailsTheRegistration) {
  fm().set_instances_key_present(false);
  Registration r = registration();
  PFLT_FILTER filter = nullptr;
  EXPECT_EQ(flt<RegisterFn>("FltRegisterFilter")(g_driver_object, &r, &filter), status::kObjectNameNotFound);
}

TEST_F(FilterManagerTest, StartFilteringAttachesThroughInstanceSetup) {
  load();
  EXPECT_EQ(g_tf.setups, 2);
  EXPECT_EQ(g_tf.setup_fs[0], kFsTypeNtfs);
  EXPECT_EQ(g_tf.setup_fs[1], kFsTypeFat);
  EXPECT_EQ(fm().instance_volumes(), std::vector<std::string>{"\\Device\\HarddiskVolume2"});
  EXPECT_EQ(fm().unload(), 0);
  EXPECT_TRUE(fm().unregistered());
  EXPECT_EQ(fm().attached_instances(), 0u);
}

// --- statuses ---------------------------------------------------------------------------------

TEST_F(FilterManagerTest, EachPreStatusIsHonoured) {
  volume_.put(kFile, "abc");
  load();
  int token = 0;
  g_tf.completion = &token;
  SimFile* f = open();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(g_tf.post_calls, 1);
  EXPECT_EQ(g_tf.post_completion, &token);
  EXPECT_EQ(g_tf.pre_irql, kPassiveLevel);

  g_tf.completion = nullptr;
  g_tf.pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
  EXPECT_EQ(fm().write(f, 0, "X"), 0);
  EXPECT_EQ(g_tf.post_calls, 1) << "no post-operation after SUCCESS_NO_CALLBACK";
  EXPECT_EQ(volume_.content(kFile), "Xbc");

  g_tf.pre_status = FLT_PREOP_COMPLETE;
  g_tf.complete_status = status::kAccessDenied;
  EXPECT_EQ(fm().write(f, 0, "Y"), status::kAccessDenied) << "completed by the filter";
  EXPECT_EQ(volume_.content(kFile), "Xbc") << "a completed operation never reaches the file system";

  fm().set_post_at_dispatch(true);
  g_tf.pre_status = FLT_PREOP_SUCCESS_WITH_CALLBACK;
  EXPECT_EQ(fm().write(f, 0, "Z"), 0);
  EXPECT_EQ(g_tf.post_irql, kDispatchLevel) << "a completion-routine post-operation";
  g_tf.pre_status = FLT_PREOP_SYNCHRONIZE;
  EXPECT_EQ(fm().write(f, 0, "W"), 0);
  EXPECT_EQ(g_tf.post_irql, kPassiveLevel) << "a synchronized post-operation runs in the requestor's thread";
  g_tf.pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
  fm().close(f);
  EXPECT_TRUE(checks().empty());
}

TEST_F(FilterManagerTest, FastIoDisallowedIsReissuedAsAnIrp) {
  volume_.put(kFile, "abc");
  load();
  SimFile* f = open();
  g_tf.disallow_fast_io = true;
  g_tf.pre_calls = 0;
  EXPECT_EQ(fm().write(f, 0, "X", WriteKind::kFastIo), 0);
  EXPECT_EQ(g_tf.fast_io_pre_calls, 1);
  EXPECT_EQ(g_tf.pre_calls, 2) << "the fast I/O, then the same write as an IRP";
  EXPECT_EQ(volume_.content(kFile), "Xbc");
  g_tf.pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
  fm().close(f);
}

TEST_F(FilterManagerTest, PagingWritesSkipAFilterThatSaysSo) {
  volume_.put(kFile, "abc");
  load();
  SimFile* f = open();
  g_tf.pre_calls = 0;
  EXPECT_EQ(fm().write(f, 0, "X", WriteKind::kPaging), 0);
  EXPECT_EQ(g_tf.pre_calls, 0);
  EXPECT_EQ(volume_.content(kFile), "Xbc");
  fm().close(f);
}

// Each check fails when provoked, naming itself.
TEST_F(FilterManagerTest, VerifierNamesEachViolation) {
  volume_.put(kFile, "abc");
  load();
  SimFile* f = open();
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(checks().empty());

  g_tf.pre_status = 7;
  fm().write(f, 0, "x");
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kPreStatus});
  g_tf.pre_status = FLT_PREOP_PENDING;
  fm().write(f, 0, "x");
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kPreStatus});
  g_tf.pre_status = FLT_PREOP_DISALLOW_FASTIO;
  fm().write(f, 0, "x");
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kPreStatus}) << "DISALLOW_FASTIO on an IRP";
  int token = 0;
  g_tf.completion = &token;
  g_tf.pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
  fm().write(f, 0, "x");
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kCompletionContext});
  g_tf.completion = nullptr;
  g_tf.modify_iopb = true;
  fm().write(f, 0, "x");
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kDirty});
  g_tf.mark_dirty = true;
  fm().write(f, 0, "x");
  EXPECT_TRUE(checks().empty()) << "a change marked with FltSetCallbackDataDirty";
  g_tf.modify_iopb = false;
  g_tf.raise_irql = true;
  fm().write(f, 0, "x");
  thread::set_irql(kPassiveLevel);
  EXPECT_EQ(checks(), std::vector<std::string>{ksim::verifier::kIrqlUnchanged});
  g_tf.raise_irql = false;
  {
    thread::Scope at_dispatch(kDispatchLevel, 4, 0);
    void* context = nullptr;
    flt<AllocateContextFn>("FltAllocateContext")(g_tf.filter, kStreamContext, 8, 0, &context);
    if (context != nullptr) flt<ReleaseContextFn>("FltReleaseContext")(context);
  }
  EXPECT_EQ(checks(), std::vector<std::string>{ksim::verifier::kIrqlChecking});
  fm().close(f);
}

// --- contexts -----------------------------------------------------------------------------------

TEST_F(FilterManagerTest, StreamContextIsSharedAndGoesWithTheStream) {
  volume_.put(kFile, "abc");
  load();
  g_tf.pre_status = FLT_PREOP_SUCCESS_WITH_CALLBACK;
  g_tf.attach_stream_context = true;
  SimFile* a = open();
  SimFile* b = open();
  EXPECT_EQ(fm().live_contexts(), 1u) << "the second open found the first one's context (KEEP_IF_EXISTS)";
  fm().close(a);
  EXPECT_EQ(g_tf.cleanups, 0);
  fm().close(b);
  EXPECT_EQ(g_tf.cleanups, 1) << "torn down with the stream's last file object";
  EXPECT_EQ(fm().live_contexts(), 0u);
}

TEST_F(FilterManagerTest, StreamContextOutlivesItsHandlesWhileTheCacheHoldsTheStream) {
  volume_.put(kFile, "abc");
  load();
  fm().set_retain_streams(true);  // N12
  g_tf.attach_stream_context = true;
  fm().close(open());
  EXPECT_EQ(fm().live_contexts(), 1u);
  EXPECT_EQ(g_tf.cleanups, 0);
  SimFile* again = open();  // finds the same context
  EXPECT_EQ(fm().live_contexts(), 1u);
  fm().close(again);
  fm().purge_stream_cache();
  EXPECT_EQ(g_tf.cleanups, 1);
  EXPECT_EQ(fm().live_contexts(), 0u);
}

TEST_F(FilterManagerTest, ALeakedContextIsReportedAtUnload) {
  volume_.put(kFile, "abc");
  load();
  void* context = nullptr;
  ASSERT_EQ(flt<AllocateContextFn>("FltAllocateContext")(g_tf.filter, kStreamContext, 8, 0, &context), 0);
  EXPECT_EQ(fm().unload(), 0);
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kContextLeak});
}

// --- names --------------------------------------------------------------------------------------

TEST_F(FilterManagerTest, OpenedNamesKeepShortNamesNormalizedNamesExpandThem) {
  volume_.put(kFile, "abc");
  fm().add_short_name(kVolume + u"\\Users\\me\\DOCUME~1", kVolume + u"\\Users\\me\\Documents");
  load();
  SimFile* f = open(access::kReadData, CreateDisposition::kOpen, 7, kVolume + u"\\Users\\me\\DOCUME~1\\a.txt");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(g_tf.name_status, 0);
  EXPECT_EQ(g_tf.opened_name, kVolume + u"\\Users\\me\\DOCUME~1\\a.txt");
  EXPECT_EQ(g_tf.normalized_name, kFile);
  EXPECT_EQ(g_tf.final_component, u"a.txt");
  EXPECT_EQ(g_tf.extension, u"txt");
  EXPECT_EQ(fm().live_names(), 0u);
  fm().close(f);
}

TEST_F(FilterManagerTest, NameQueriesFailWhereWindowsRefusesThem) {
  volume_.put(kFile, "abc");
  load();
  SimFile* f = open();
  FileNameInformation* name = nullptr;
  EXPECT_EQ(fm().file_name_unsafe(f, nullptr, kNameNormalized | kQueryDefault, &name), 0);
  fm().release_name(name);
  {
    thread::Scope nested(kPassiveLevel, 4, 0, reinterpret_cast<void*>(1));  // top-level IRP set
    EXPECT_EQ(fm().file_name_unsafe(f, nullptr, kNameNormalized | kQueryDefault, &name), status::kFltInvalidNameRequest);
  }
  {
    thread::Scope raised(kDispatchLevel, 4, 0);
    EXPECT_EQ(fm().file_name_unsafe(f, nullptr, kNameNormalized | kQueryDefault, &name), status::kFltInvalidNameRequest);
  }
  ASSERT_EQ(fm().rename(f, kVolume + u"\\Users\\me\\Documents\\b.txt", false), 0);
  EXPECT_EQ(fm().file_name_unsafe(f, nullptr, kNameNormalized | kQueryDefault, &name), 0);
  EXPECT_EQ(std::u16string(reinterpret_cast<char16_t*>(name->Name.Buffer), name->Name.Length / 2),
            kVolume + u"\\Users\\me\\Documents\\b.txt") << "the name after a rename";
  fm().release_name(name);
  fm().release_name(name);  // once too often
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kParameter});
  EXPECT_EQ(fm().file_name_unsafe(f, nullptr, kNameNormalized | kQueryDefault, &name), 0);  // kept: a leak
  g_tf.pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
  fm().close(f);
  EXPECT_EQ(fm().unload(), 0);
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kNameLeak});
}

// --- I/O below the filter -----------------------------------------------------------------------

TEST_F(FilterManagerTest, CreateFileEx2GoesBelowTheFilter) {
  volume_.put(kFile, "secret");
  load();
  g_tf.pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
  SimFile* exclusive = open(access::kReadData | access::kWriteData, CreateDisposition::kOpen, 0);
  ASSERT_NE(exclusive, nullptr);
  Instance* instance = nullptr;
  Volume* volume = nullptr;
  UNICODE_STRING volume_name{static_cast<USHORT>(kVolume.size() * 2), static_cast<USHORT>(kVolume.size() * 2),
                             reinterpret_cast<WCHAR*>(const_cast<char16_t*>(kVolume.data()))};
  ASSERT_EQ(fm().volume_from_name(reinterpret_cast<Filter*>(g_tf.filter), &volume_name, &volume), 0);
  ASSERT_EQ(fm().instance_from_name(reinterpret_cast<Filter*>(g_tf.filter), volume, nullptr, &instance), 0);
  std::u16string path = kFile;
  UNICODE_STRING name{static_cast<USHORT>(path.size() * 2), static_cast<USHORT>(path.size() * 2),
                      reinterpret_cast<WCHAR*>(path.data())};
  ObjectAttributes attributes{sizeof(ObjectAttributes), nullptr, &name, 0x240, nullptr, nullptr};
  IO_STATUS_BLOCK iosb{};
  HANDLE h = nullptr;
  PFILE_OBJECT object = nullptr;
  auto create = flt<CreateFileFn>("FltCreateFileEx2");
  const int pre_calls = g_tf.pre_calls;
  EXPECT_EQ(create(g_tf.filter, reinterpret_cast<PFLT_INSTANCE>(instance), &h, &object, access::kReadData,
                   &attributes, &iosb, nullptr, 0, 7, 1, 0, nullptr, 0, 0, nullptr),
            static_cast<NTSTATUS>(fb::nt::kSharingViolation)) << "share access is checked by default";
  EXPECT_EQ(create(g_tf.filter, reinterpret_cast<PFLT_INSTANCE>(instance), &h, &object, access::kReadData,
                   &attributes, &iosb, nullptr, 0, 7, 1, 0, nullptr, 0, kIoIgnoreShareAccessCheck, nullptr),
            0);
  EXPECT_EQ(g_tf.pre_calls, pre_calls) << "the filter's own create never reaches its callbacks";
  char buffer[16] = {};
  ULONG got = 0;
  LARGE_INTEGER at{};
  EXPECT_EQ(fm().read_file(instance, sim_file(object, "test"), &at, sizeof buffer, buffer, &got), 0);
  EXPECT_EQ(std::string(buffer, got), "secret");
  fm().dereference(sim_file(object, "test"));
  EXPECT_EQ(flt<CloseFn>("FltClose")(h), 0);
  volume_.deny_requestor(kFile, access::kReadData);
  HANDLE checked = nullptr;
  EXPECT_EQ(create(g_tf.filter, reinterpret_cast<PFLT_INSTANCE>(instance), &checked, nullptr, access::kReadData,
                   &attributes, &iosb, nullptr, 0, 7, 1, 0, nullptr, 0, kIoForceAccessCheck | kIoIgnoreShareAccessCheck,
                   nullptr),
            static_cast<NTSTATUS>(fb::nt::kAccessDenied)) << "IO_FORCE_ACCESS_CHECK: the requestor's DACL";
  EXPECT_EQ(create(g_tf.filter, reinterpret_cast<PFLT_INSTANCE>(instance), &checked, nullptr, access::kReadData,
                   &attributes, &iosb, nullptr, 0, 7, 1, 0, nullptr, 0, kIoIgnoreShareAccessCheck, nullptr),
            0) << "a kernel-mode create is not access checked";
  fm().object_dereference(instance);
  fm().object_dereference(volume);
  fm().close(exclusive);
  EXPECT_EQ(fm().unload(), 0);
  EXPECT_EQ(checks(), (std::vector<std::string>{verifier::kFileObjectLeak, verifier::kHandleLeak}))
      << "`checked` was never closed";
}

// --- the communication port -----------------------------------------------------------------------

struct PortState {
  PFLT_PORT server = nullptr;
  PFLT_PORT client = nullptr;
  bool close_in_disconnect = true;
  NTSTATUS connect_answer = 0;
};
PortState g_port;

KSIM_API NTSTATUS port_connect(PFLT_PORT client, void*, void*, ULONG, void** cookie) {
  *cookie = nullptr;
  if (g_port.connect_answer == 0) g_port.client = client;
  return g_port.connect_answer;
}
KSIM_API void port_disconnect(void*) {
  if (g_port.close_in_disconnect) flt<CloseClientFn>("FltCloseClientPort")(g_tf.filter, &g_port.client);
}
KSIM_API NTSTATUS port_message(void*, void*, ULONG, void*, ULONG, ULONG* returned) {
  *returned = 0;
  return 0;
}

class PortTest : public FilterManagerTest {
 protected:
  void open_port() {
    g_port = PortState();
    load();
    void* sd = nullptr;
    ASSERT_EQ(flt<BuildSdFn>("FltBuildDefaultSecurityDescriptor")(&sd, 0x001F0001), 0);
    std::u16string name = u"\\TestPort";
    UNICODE_STRING u{static_cast<USHORT>(name.size() * 2), static_cast<USHORT>(name.size() * 2),
                     reinterpret_cast<WCHAR*>(name.data())};
    ObjectAttributes attributes{sizeof(ObjectAttributes), nullptr, &u, 0x240, sd, nullptr};
    ASSERT_EQ(flt<CreatePortFn>("FltCreateCommunicationPort")(g_tf.filter, &g_port.server, &attributes, nullptr,
                                                              port_connect, port_disconnect, port_message, 1),
              0);
    flt<FreeSdFn>("FltFreeSecurityDescriptor")(sd);
  }
  NTSTATUS send(int timeout_ms) {
    char message[8] = "event";
    LARGE_INTEGER timeout;
    timeout.QuadPart = -static_cast<int64_t>(timeout_ms) * 10000;
    return flt<SendFn>("FltSendMessage")(g_tf.filter, &g_port.client, message, sizeof message, nullptr, nullptr,
                                         &timeout);
  }
  void close_port() { flt<ClosePortFn>("FltCloseCommunicationPort")(g_port.server); }
};

TEST_F(PortTest, OnlyAdministratorsConnectAndOneAtATime) {
  open_port();
  ClientPort* c = nullptr;
  EXPECT_EQ(fm().client_connect(u"\\TestPort", "hi", 2, 100, false, &c), status::kAccessDenied);
  g_port.connect_answer = status::kInvalidParameter;
  EXPECT_EQ(fm().client_connect(u"\\TestPort", "hi", 2, 100, true, &c), status::kInvalidParameter);
  EXPECT_EQ(fm().connected_clients(), 0u) << "a refused connection's port is closed by Filter Manager";
  g_port.connect_answer = 0;
  ASSERT_EQ(fm().client_connect(u"\\TestPort", "hi", 2, 100, true, &c), 0);
  ClientPort* second = nullptr;
  EXPECT_EQ(fm().client_connect(u"\\TestPort", "hi", 2, 101, true, &second), status::kConnectionCountLimit);
  fm().client_close(c);
  EXPECT_EQ(g_port.client, nullptr) << "FltCloseClientPort set the filter's variable to NULL";
  close_port();
}

TEST_F(PortTest, SendWaitsForTheClientTimesOutOrSeesItGo) {
  open_port();
  ClientPort* c = nullptr;
  ASSERT_EQ(fm().client_connect(u"\\TestPort", "hi", 2, 100, true, &c), 0);
  EXPECT_EQ(send(30), status::kTimeout) << "a client that does not read";
  std::thread reader([&] {
    std::vector<uint8_t> m;
    fm().client_get_message(c, &m, 2000);
  });
  EXPECT_EQ(send(2000), 0) << "taken by FilterGetMessage";
  reader.join();
  std::thread vanish([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    fm().client_close(c);
  });
  EXPECT_EQ(send(5000), status::kPortDisconnected) << "the client went away mid-send";
  vanish.join();
  EXPECT_EQ(send(10), status::kPortDisconnected) << "after FltCloseClientPort";
  close_port();
}

TEST_F(PortTest, ADisconnectThatKeepsThePortIsReported) {
  open_port();
  g_port.close_in_disconnect = false;
  ClientPort* c = nullptr;
  ASSERT_EQ(fm().client_connect(u"\\TestPort", "hi", 2, 100, true, &c), 0);
  fm().client_close(c);
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kClientPort});
  close_port();
}

TEST_F(PortTest, APortLeftOpenIsReportedAtUnload) {
  open_port();
  EXPECT_EQ(fm().unload(), 0);
  EXPECT_EQ(checks(), std::vector<std::string>{verifier::kPortLeak});
}

}  // namespace
}  // namespace ksim::flt
