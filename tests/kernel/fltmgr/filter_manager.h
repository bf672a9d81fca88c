// A simulated Filter Manager (fltmgr.sys) over the NTFS model (tests/model/ntfs_model.h), for
// running the real FileBackup.sys in the host test process.
//
// Two faces:
//   - the minifilter's: the fltmgr.sys exports the image imports (exports.cpp), each a KSIM_API
//     routine that reads and writes the Windows x64 structures (abi.h, driver/nt/flt_layouts.h);
//   - the tests': volumes (an NTFS one and a FAT one, each over a model volume), applications'
//     operations (open with access/share/disposition/options/ECPs, writes of every kind,
//     set-information classes, section synchronization, FSCTLs, cleanup and close), the unload
//     (fltmc unload), and user-mode clients of communication ports (port_client.h).
//
// Every application operation is dispatched as Filter Manager does: a FLT_CALLBACK_DATA with its
// FLT_IO_PARAMETER_BLOCK and FLT_RELATED_OBJECTS and a FILE_OBJECT, the pre-operation callback at
// the operation's IRQL, each FLT_PREOP_* status honoured, the operation performed below the
// filter on the model, then the post-operation callback. Filter Verifier's checks run on every
// call (verifier.h); fallible routines fail on demand (faults.h).
//
// One Filter Manager per process (the image has one set of imports); reset() between tests.
// Thread-safe: one mutex guards the tables and is never held while calling into the filter.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "tests/kernel/fltmgr/abi.h"
#include "tests/model/ntfs_model.h"

namespace ksim::flt {

using fbmodel::Name;

// --- objects -------------------------------------------------------------------------------------

enum class ObjectKind : uint32_t { kFilter = 1, kVolume, kInstance, kServerPort, kClientPort };
constexpr uint32_t kObjectMagic = 0x4d46534b;  // 'KSFM'

struct ObjectHeader {
  explicit ObjectHeader(ObjectKind k) : kind(k) {}
  uint32_t magic = kObjectMagic;
  ObjectKind kind;
};

struct OperationEntry {
  PreOperationFn pre = nullptr;
  PostOperationFn post = nullptr;
  ULONG flags = 0;
  bool registered = false;
};

struct Filter;
struct Volume;

struct Instance {
  ObjectHeader header{ObjectKind::kInstance};
  Filter* filter = nullptr;
  Volume* volume = nullptr;
  bool torn_down = false;
};

struct Volume {
  ObjectHeader header{ObjectKind::kVolume};
  Name name;  // \Device\HarddiskVolumeN
  ULONG fs_type = kFsTypeNtfs;
  fbmodel::Volume* model = nullptr;
};

struct Filter {
  ObjectHeader header{ObjectKind::kFilter};
  void* driver_object = nullptr;
  Registration registration{};
  OperationEntry operations[256];
  std::vector<FltContextRegistration> contexts;
  bool filtering = false;
  bool unregistered = false;
  std::vector<std::unique_ptr<Instance>> instances;
  int object_references = 0;  // FltGetVolumeFromName/FltGetVolumeInstanceFromName not yet dereferenced
};

// A FILE_OBJECT with the simulation's bookkeeping after it. PFILE_OBJECT points at `object`.
struct SimFile {
  FileObject object{};
  uint32_t magic = kObjectMagic;
  Volume* volume = nullptr;
  fbmodel::ModelHandle model = 0;    // 0 until the create succeeded
  std::shared_ptr<const void> stream;  // the model's stream (FsContext): stream contexts' key
  std::shared_ptr<const void> file;    // the model's file: still asked about after the cleanup
  Name path;                         // cased full path of the file (without the stream)
  Name stream_name;                  // named stream as opened, empty for the default stream
  std::u16string file_name;          // storage behind object.FileName (volume-relative)
  uint32_t access = 0;
  int references = 1;                // object references; the last one's release is IRP_MJ_CLOSE
  bool cleaned_up = false;           // IRP_MJ_CLEANUP done (its handle closed)
  bool by_filter = false;            // opened with FltCreateFileEx2
  bool by_file_id = false;
  bool directory = false;            // a folder opened with FILE_DIRECTORY_FILE (no model handle)
  // The create's RequestorMode: a kernel component (srv2.sys serving a share, N13) that opened
  // the file also sets its information from kernel mode (ZwSetInformationFile), so the
  // set-information IRPs on this file object carry KernelMode.
  int8_t requestor_mode = 1;
  size_t directory_cursor = 0;       // FltQueryDirectoryFile: entries returned so far
  Name full_name() const { return stream_name.empty() ? path : path + u":" + stream_name; }
};

// GUID as the image lays it out (16 bytes).
struct Guid {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
};
static_assert(sizeof(Guid) == 16, "GUID");

// An extra create parameter attached to a create.
struct Ecp {
  Guid type;
  std::vector<uint8_t> data;
  bool from_user_mode = false;
};

// A context the filter allocated: the header precedes what FltAllocateContext returns.
struct ContextBlock {
  uint64_t magic;
  Filter* filter;
  USHORT type;
  SIZE_T size;
  std::atomic<int> references;
  bool linked;      // attached to a stream / stream handle (Filter Manager holds one reference)
  bool deleted;     // FltDeleteContext, or the object it was attached to went away
  ContextCleanup cleanup;
  ContextFree free_callback;
  void* body;       // what the filter sees
  uint8_t pad[8];
};

// Names handed out by FltGetFileNameInformation and friends.
struct NameBlock {
  uint64_t magic;
  std::atomic<int> references;
  std::u16string storage;
  FileNameInformation info;
};

// The state of one push lock (push_locks.cpp).
struct PushLockState {
  std::mutex m;
  std::condition_variable cv;
  int readers = 0;
  bool writer = false;
};

// --- the application side ------------------------------------------------------------------------

// One create as an application (or the kernel, for RequestorMode KernelMode) issues it.
struct OpenRequest {
  Name path;    // full NT path of the file, e.g. \Device\HarddiskVolume2\Users\me\a.txt
  Name stream;  // named stream, empty for the default stream
  uint32_t access = 0;
  uint16_t share = 0x7;
  fb::CreateDisposition disposition = fb::CreateDisposition::kOpen;
  uint32_t options = 0;
  uint16_t attributes = 0;
  int8_t requestor_mode = 1;  // UserMode
  UCHAR sl_flags = 0;         // IRP_MJ_CREATE Flags: SL_FORCE_ACCESS_CHECK, SL_OPEN_TARGET_DIRECTORY
  uint64_t process_id = 4242;
  std::vector<Ecp> ecps;
};

enum class WriteKind { kCached, kNonCached, kPaging, kFastIo };

// How a communication port client behaves (port_client.h drives it).
struct ServerPort;
struct ClientPort;

// --- Filter Manager ----------------------------------------------------------------------------

struct Counters {
  uint64_t pre_callbacks = 0;
  uint64_t post_callbacks = 0;
  uint64_t filter_creates = 0;  // FltCreateFileEx2
  uint64_t messages_sent = 0;   // FltSendMessage that delivered
};

class FilterManager {
 public:
  static FilterManager& get();

  // Forgets everything (between tests). Violations are checked by the caller first.
  void reset();

  // --- configuration -----------------------------------------------------------------------------
  Volume* add_volume(const Name& name, ULONG fs_type, fbmodel::Volume* model);
  // The altitude and Instances keys of the service (written by the INF): without them
  // FltRegisterFilter fails with STATUS_OBJECT_NAME_NOT_FOUND, as on Windows.
  void set_instances_key_present(bool present) { instances_key_ = present; }
  // A short (8.3) name for a long path component: `short_prefix` names the same folder or file
  // as `long_prefix` (full paths). Opened names keep what the requestor wrote; normalized
  // names expand it.
  void add_short_name(const Name& short_prefix, const Name& long_prefix);
  // The cache and memory manager keep a stream (and its stream contexts) after the last file
  // object closes (N12) until purge_stream_cache(); otherwise it goes at the last close.
  void set_retain_streams(bool retain) { retain_streams_ = retain; }
  // The file system answers the next application create with STATUS_REPARSE and `tag` in
  // Information (N4: a symbolic link, junction or mount point; the I/O manager's reissue on the
  // substituted name is not simulated: the requestor gets STATUS_REPARSE).
  void reparse_next_create(uint32_t tag) { reparse_next_create_ = tag; }
  void purge_stream_cache();
  // Post-operation callbacks of IRP operations run at DISPATCH_LEVEL (completion routines) when
  // set; create and synchronized operations stay at PASSIVE_LEVEL.
  void set_post_at_dispatch(bool dispatch) { post_at_dispatch_ = dispatch; }
  // The application operations that follow arrive while the thread's top-level IRP is set (a
  // request issued from inside a file system, FSRTL_FSP_TOP_LEVEL_IRP): no name query or
  // backup I/O is possible in their callbacks.
  void set_nested(bool nested) { nested_ = nested; }

  // --- application operations ----------------------------------------------------------------------
  NTSTATUS open(const OpenRequest& request, SimFile** out, uint64_t* information = nullptr);
  NTSTATUS write(SimFile* file, uint64_t offset, const std::string& data, WriteKind kind = WriteKind::kCached,
                 uint64_t process_id = 4242);
  NTSTATUS set_information(SimFile* file, ULONG info_class, const void* buffer, ULONG length,
                           uint64_t process_id = 4242);
  NTSTATUS set_end_of_file(SimFile* file, uint64_t size, uint64_t pid = 4242);
  NTSTATUS set_allocation(SimFile* file, uint64_t size, uint64_t pid = 4242);
  NTSTATUS set_valid_data_length(SimFile* file, uint64_t size, uint64_t pid = 4242);
  // FileRenameInformation(Ex): `target` a full path, a bare name (same folder) or `:stream`.
  NTSTATUS rename(SimFile* file, const Name& target, bool replace_if_exists, bool ex = false, uint64_t pid = 4242);
  NTSTATUS link(SimFile* file, const Name& target, bool replace_if_exists, uint64_t pid = 4242);
  NTSTATUS set_disposition(SimFile* file, bool delete_file, uint64_t pid = 4242);
  NTSTATUS set_disposition_ex(SimFile* file, ULONG flags, uint64_t pid = 4242);
  // CreateFileMapping: IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION with SyncTypeCreateSection.
  NTSTATUS acquire_for_section(SimFile* file, ULONG page_protection, uint64_t pid = 4242);
  NTSTATUS fsctl(SimFile* file, ULONG control_code, uint64_t pid = 4242);
  // CloseHandle: IRP_MJ_CLEANUP (the model's handle closes), then the handle's object reference
  // goes; the last reference is IRP_MJ_CLOSE.
  void close(SimFile* file, uint64_t pid = 4242);
  // A test's own reference on an application's file object (a section, the cache manager).
  void reference(SimFile* file);
  // Whether `object` is a FILE_OBJECT this Filter Manager made and has not freed.
  bool owns_file(const void* object) const;
  void dereference(SimFile* file);  // also what ObDereferenceObject on a file object means

  // --- the filter's lifecycle ---------------------------------------------------------------------
  Filter* filter() const { return filter_; }
  // fltmc unload / sc stop: the filter's FilterUnloadCallback at PASSIVE_LEVEL. The status it
  // returned (a refusal leaves the filter loaded).
  NTSTATUS unload(ULONG flags = 0);
  // Whether FltUnregisterFilter ran (the unload must call it).
  bool unregistered() const { return filter_ == nullptr || filter_->unregistered; }

  // --- inspection ---------------------------------------------------------------------------------
  Counters counters() const;
  size_t live_contexts() const;
  bool has_handle_context(SimFile* file) const;  // the filter attached a stream handle context        // allocated and not yet freed, of any filter
  size_t live_names() const;
  size_t live_filter_files() const;    // FltCreateFileEx2 file objects not yet closed
  size_t open_kernel_handles() const;
  size_t attached_instances() const;
  std::vector<std::string> instance_volumes() const;

  // --- the exports' implementation (exports.cpp is the ABI shim) -----------------------------------
  NTSTATUS register_filter(void* driver, const Registration* registration, Filter** out);
  NTSTATUS start_filtering(Filter* filter);
  void unregister_filter(Filter* filter);

  NTSTATUS allocate_context(Filter* filter, USHORT type, SIZE_T size, void** out);
  void reference_context(void* context);
  void release_context(void* context);
  void delete_context(void* context);
  NTSTATUS set_stream_context(Instance* instance, SimFile* file, int operation, void* context, void** old);
  NTSTATUS get_stream_context(Instance* instance, SimFile* file, void** out);
  NTSTATUS set_stream_handle_context(Instance* instance, SimFile* file, int operation, void* context, void** old);
  NTSTATUS get_stream_handle_context(Instance* instance, SimFile* file, void** out);

  NTSTATUS file_name(PFLT_CALLBACK_DATA data, ULONG options, FileNameInformation** out);
  NTSTATUS file_name_unsafe(SimFile* file, Instance* instance, ULONG options, FileNameInformation** out);
  NTSTATUS destination_name(Instance* instance, SimFile* file, HANDLE root, const WCHAR* name, ULONG bytes,
                            ULONG options, FileNameInformation** out);
  NTSTATUS parse_name(FileNameInformation* info);
  void reference_name(FileNameInformation* info);
  void release_name(FileNameInformation* info);

  NTSTATUS create_file(Filter* filter, Instance* instance, HANDLE* handle, PFILE_OBJECT* object, ULONG access,
                       const ObjectAttributes* attributes, IO_STATUS_BLOCK* iosb, ULONG file_attributes,
                       ULONG share, ULONG disposition, ULONG options, ULONG flags);
  NTSTATUS close_handle(HANDLE handle);
  NTSTATUS read_file(Instance* instance, SimFile* file, const LARGE_INTEGER* offset, ULONG length, void* buffer,
                     ULONG* done);
  NTSTATUS write_file(Instance* instance, SimFile* file, const LARGE_INTEGER* offset, ULONG length,
                      const void* buffer, ULONG* done);
  NTSTATUS query_information(Instance* instance, SimFile* file, void* buffer, ULONG length, ULONG info_class,
                             ULONG* returned);
  NTSTATUS set_information_below(Instance* instance, SimFile* file, const void* buffer, ULONG length,
                                 ULONG info_class);
  NTSTATUS query_volume_information(Instance* instance, IO_STATUS_BLOCK* iosb, void* buffer, ULONG length,
                                    ULONG info_class);
  NTSTATUS volume_from_name(Filter* filter, const UNICODE_STRING* name, Volume** out);
  NTSTATUS instance_from_name(Filter* filter, Volume* volume, const UNICODE_STRING* name, Instance** out);
  void object_dereference(void* object);
  NTSTATUS object_reference(void* object);
  NTSTATUS volume_name(Volume* volume, UNICODE_STRING* name, ULONG* needed);
  NTSTATUS query_directory(Instance* instance, SimFile* file, void* buffer, ULONG length, ULONG info_class,
                           bool single, bool restart, ULONG* returned);

  uint64_t requestor_process(PFLT_CALLBACK_DATA data) const;
  NTSTATUS ecp_list(PFLT_CALLBACK_DATA data, void** list);
  NTSTATUS find_ecp(void* list, const Guid* type, void** context, ULONG* size);
  bool ecp_from_user_mode(void* context);
  void set_dirty(PFLT_CALLBACK_DATA data);

  NTSTATUS build_security_descriptor(void** out, ULONG access);
  void free_security_descriptor(void* descriptor);
  bool admin_only(void* descriptor) const;

  // Ports (port.cpp).
  NTSTATUS create_port(Filter* filter, PFLT_PORT* out, const ObjectAttributes* attributes, void* cookie,
                       ConnectNotify connect, DisconnectNotify disconnect, MessageNotify message, LONG max);
  void close_port(PFLT_PORT port);
  void close_client_port(Filter* filter, PFLT_PORT* client);
  NTSTATUS send_message(Filter* filter, PFLT_PORT* client, const void* buffer, ULONG length, void* reply,
                        ULONG* reply_length, const LARGE_INTEGER* timeout);

  // The port client's side (port_client.cpp).
  NTSTATUS client_connect(const Name& port_name, const void* context, ULONG size, uint64_t pid, bool administrator,
                          ClientPort** out);
  void client_close(ClientPort* client);
  NTSTATUS client_send(ClientPort* client, const void* input, ULONG input_length, void* output, ULONG output_length,
                       ULONG* returned);
  // FilterGetMessage: the next message (header + body), waiting up to timeout_ms (<0: forever).
  NTSTATUS client_get_message(ClientPort* client, std::vector<uint8_t>* message, int timeout_ms);
  size_t open_ports() const;
  size_t connected_clients() const;

  // Push locks (locks.cpp).
  void push_lock_initialize(void* lock);
  void push_lock_delete(void* lock);
  void push_lock_acquire(void* lock, bool exclusive);
  void push_lock_release(void* lock);

  // Checks every Flt call makes (Filter Verifier: calling context).
  static bool check_irql(const char* routine, UCHAR maximum);

 private:
  FilterManager() = default;
  struct Operation;
  friend struct Operation;
  struct StreamKey {
    Instance* instance;
    const void* stream;
    bool operator<(const StreamKey& o) const {
      return instance != o.instance ? instance < o.instance : stream < o.stream;
    }
  };

  // Dispatch (dispatch.cpp).
  struct PreOutcome {
    FLT_PREOP_CALLBACK_STATUS status = FLT_PREOP_SUCCESS_NO_CALLBACK;
    void* completion = nullptr;
    bool called = false;
  };
  Instance* instance_for(Volume* volume) const;
  bool filter_wants(const Operation& op) const;
  PreOutcome call_pre(Operation& op);
  void call_post(Operation& op, const PreOutcome& pre);
  NTSTATUS dispatch(Operation& op, NTSTATUS (FilterManager::*below)(Operation&));
  NTSTATUS create_below(Operation& op);
  NTSTATUS write_below(Operation& op);
  NTSTATUS set_information_op_below(Operation& op);
  NTSTATUS nothing_below(Operation& op);
  NTSTATUS fsctl_below(Operation& op);
  NTSTATUS cleanup_below(Operation& op);
  NTSTATUS rename_model(SimFile* file, const Name& target, bool replace);
  NTSTATUS link_model(SimFile* file, const Name& target, bool replace);
  std::vector<Name> directory_children(Volume* volume, const Name& folder);
  NTSTATUS create_directory(Volume* volume, const Name& path, HANDLE* handle, PFILE_OBJECT* object,
                            IO_STATUS_BLOCK* iosb, ULONG disposition);

  // Objects.
  SimFile* new_file(Volume* volume, const Name& path, const Name& stream);
  void file_closed(SimFile* file);  // IRP_MJ_CLOSE: handle contexts, then the stream's last file object
  void stream_gone(const void* stream);
  void teardown_instance_contexts(Instance* instance);
  void unlink_context(ContextBlock* block);
  Volume* volume_of(const Name& path) const;
  Name normalize(const Name& path) const;
  NameBlock* make_name(const Name& full, const Volume* volume, ULONG format);
  void check_leaks_at_unload(Filter* filter);
  void disconnect_clients(Filter* filter);  // FltUnregisterFilter: every client of the filter's ports

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Volume>> volumes_;
  Filter* filter_ = nullptr;
  std::unique_ptr<Filter> filter_storage_;
  bool instances_key_ = true;
  bool retain_streams_ = false;
  uint32_t reparse_next_create_ = 0;
  bool post_at_dispatch_ = false;
  bool nested_ = false;
  std::vector<std::pair<Name, Name>> short_names_;  // folded short prefix -> long prefix
  std::set<SimFile*> files_;
  std::map<const void*, int> stream_files_;  // live file objects per stream
  std::map<StreamKey, ContextBlock*> stream_contexts_;
  std::map<const void*, std::shared_ptr<const void>> retained_streams_;  // streams kept by "the cache"
  std::map<std::pair<Instance*, SimFile*>, ContextBlock*> handle_contexts_;
  std::set<ContextBlock*> contexts_;
  std::set<NameBlock*> names_;
  std::map<HANDLE, SimFile*> handles_;
  uint64_t next_handle_ = 0;
  std::set<void*> security_descriptors_;
  std::map<const void*, bool> ecp_modes_;  // ECP contexts of the creates in flight -> from user mode
  std::map<void*, PushLockState*> push_locks_;
  std::atomic<int> in_flight_{0};
  std::condition_variable idle_;
  Counters counters_;
  // Ports.
  std::vector<std::unique_ptr<ServerPort>> ports_;
  std::vector<std::shared_ptr<ClientPort>> clients_;  // kept until reset(): a port outlives its close
  std::condition_variable port_cv_;
};

// The SimFile behind a FILE_OBJECT the simulation made (null and a verifier record otherwise).
SimFile* sim_file(PFILE_OBJECT object, const char* routine);
inline PFILE_OBJECT file_object(SimFile* file) { return reinterpret_cast<PFILE_OBJECT>(&file->object); }

}  // namespace ksim::flt
