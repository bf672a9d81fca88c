// A stand-in for the driver on top of the NTFS model: every application-level operation goes
// through the engine's callbacks exactly as driver/ calls them (cheap checks, name, pre and post
// create, stream and handle contexts, cleanup), then reaches the model. Scenario and stress tests
// drive applications' save patterns through it.
//
// Contexts: one FileCtx per model file (the driver's stream context on the default stream),
// shared by every tracked handle of that file; a HandleState per tracked handle (the stream
// handle context). Thread-safe.
//
// N12: a stream context lives as long as the file system's stream, not as long as a handle:
// Filter Manager drops its reference when the stream is torn down, which the cache and memory
// manager can delay long after the last handle's close, and the next open of the stream finds
// the same context under whatever name that open used (after a folder rename, a rename of the
// file, through another link). Sources: Microsoft docs "Referencing contexts" and "Deleting a
// per-stream context" (Filter Manager concepts). So the harness keeps every context it made
// until tear_down_streams() (the memory manager letting go) or its own end, never releasing it
// at the last close.
#pragma once

#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/engine/engine.h"
#include "tests/model/model_fs.h"
#include "tests/model/ntfs_model.h"
#include "common/paths/rules.h"

namespace fbmodel {

// One event as the sink received it, with the path copied (the engine does not own it).
struct RecordedEvent {
  fb::BackupEvent event;
  Name path;
};

class RecordingSink final : public fb::NotificationSink {
 public:
  void notify(const fb::BackupEvent& event) override {
    std::lock_guard<std::mutex> g(mu_);
    RecordedEvent r{event, Name(event.path.data, event.path.data + event.path.len)};
    r.event.path = fb::Str16();
    events_.push_back(r);
  }
  std::vector<RecordedEvent> events() const {
    std::lock_guard<std::mutex> g(mu_);
    return events_;
  }
  void clear() {
    std::lock_guard<std::mutex> g(mu_);
    events_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<RecordedEvent> events_;
};

// Time advances by 10 (1 us) on every call, so durations are positive and deterministic.
class StepClock final : public fb::Clock {
 public:
  static constexpr int64_t kStart = 133000000000000000;  // 2022
  int64_t now() override { return t_.fetch_add(10) + 10; }
  void advance(int64_t units) { t_.fetch_add(units); }

 private:
  std::atomic<int64_t> t_{kStart};
};

class HeapBuffers final : public fb::BufferPool {
 public:
  explicit HeapBuffers(uint32_t size) : size_(size) {}
  void* acquire(uint32_t* size) override {
    if (fail_) return nullptr;
    *size = size_;
    outstanding_.fetch_add(1);
    return new uint8_t[size_];
  }
  void release(void* buffer) override {
    outstanding_.fetch_sub(1);
    delete[] static_cast<uint8_t*>(buffer);
  }
  void fail_allocations(bool fail) { fail_ = fail; }
  int outstanding() const { return outstanding_.load(); }

 private:
  uint32_t size_;
  std::atomic<bool> fail_{false};
  std::atomic<int> outstanding_{0};
};

class StdFileLock final : public fb::FileLock {
 public:
  void acquire() override { mu_.lock(); }
  void release() override { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Compiled rules: folder names only (default: documents, pictures).
class CompiledRules {
 public:
  explicit CompiledRules(std::vector<Name> folder_names = {u"documents", u"pictures"}) : names_(std::move(folder_names)) {
    for (const Name& n : names_) views_.push_back(view(n));
    fb::RuleConfig config;
    config.folder_names.items = views_.data();
    config.folder_names.count = static_cast<uint32_t>(views_.size());
    size_t bytes = 0;
    fb::rules_storage_size(config, &bytes);
    storage_.resize(bytes / 8 + 1);
    fb::compile_rules(config, storage_.data(), storage_.size() * 8, fb::upcase_native, &rules_);
  }
  const fb::RuleSet& get() const { return *rules_; }

 private:
  std::vector<Name> names_;
  std::vector<fb::Str16> views_;
  std::vector<uint64_t> storage_;
  const fb::RuleSet* rules_ = nullptr;
};

struct FileCtx {
  std::shared_ptr<const void> file;  // the model file the context is keyed by (kept alive with it)
  fb::FileState state;
  std::unique_ptr<Name> name;  // storage behind state.name (a rename replaces it, as the driver does)
  StdFileLock lock;
};

struct AppHandle {
  ModelHandle model = 0;
  Name path;    // the file path as opened (NT name without stream)
  Name stream;  // named stream, empty for the default stream
  std::shared_ptr<FileCtx> ctx;  // the stream context, when tracked
  fb::HandleState hs;            // the stream handle context
  bool tracked = false;
  Name nt_name() const { return stream.empty() ? path : path + u":" + stream; }
};

struct HarnessOptions {
  fb::EngineConfig config;
  uint32_t buffer_size = 8192;
  std::vector<Name> folder_names = {u"documents", u"pictures"};
  uint64_t process_id = 4242;
};

class FilterHarness {
 public:
  explicit FilterHarness(Volume& volume, const HarnessOptions& options = HarnessOptions())
      : volume_(volume),
        fs_(volume),
        buffers_(options.buffer_size),
        rules_(options.folder_names),
        engine_(services(), options.config),
        pid_(options.process_id) {
    fs_.expect_target(target().value);
  }

  ~FilterHarness() {
    std::vector<AppHandle*> open;
    {
      std::lock_guard<std::mutex> g(mu_);
      for (auto& h : handles_) open.push_back(h.get());
    }
    for (AppHandle* h : open) close(h);
  }

  // --- what applications do -------------------------------------------------------------------
  NtStatus open(const Name& path, uint32_t access, fb::CreateDisposition disposition, AppHandle** out,
                uint16_t share = fb::share::kAll, const Name& stream = Name(), uint32_t options = 0) {
    *out = nullptr;
    fb::CreateOp op;
    op.desired_access = access;
    op.disposition = disposition;
    op.create_options = options;
    op.share_access = share;
    op.process_id = pid_;
    op.from_own_client = own_client_;
    op.target = target();
    apply_requestor(&op);
    auto handle = std::make_unique<AppHandle>();
    handle->path = path;
    handle->stream = stream;
    const Name nt_name = handle->nt_name();

    fb::CreateTicket ticket;
    fb::PreCreateDecision pre;
    const fb::Precheck check = fb::Engine::create_precheck(op);
    // FltGetFileNameInformation fails in pre-create for an open by file id: no name, no call.
    const bool name_before_create = (options & fb::create_option::kOpenByFileId) == 0;
    if (check == fb::Precheck::kNeedName && name_before_create)
      pre = engine_.pre_create(op, view(nt_name), rules_.get(), &ticket);
    expect_no_engine_handles();

    uint64_t information = 0;
    fb::CreateResult result;
    result.status = stream.empty() ? volume_.requestor_access_check(path, access, disposition, options) : fb::nt::kSuccess;
    if (fb::nt_success(result.status) && reparse_next_create_ != 0) {  // N4: the name is a reparse point
      result.status = fb::nt::kReparse;
      information = reparse_next_create_;
      reparse_next_create_ = 0;
    } else if (fb::nt_success(result.status)) {
      result.status = volume_.create(path, stream, access, share, disposition, options, false, &handle->model, &information);
    }
    result.information = information;
    result.reparsed = result.status == fb::nt::kReparse;  // N4: nothing opened, the create is reissued
    if (check == fb::Precheck::kNeedOpenedName) {  // by file id: the opened object's name
      const fb::OpenedDecision opened = engine_.post_create_opened(op, result, view(nt_name), rules_.get());
      if (opened.action == fb::PostCreateAction::kTrack) {
        const Name file_path = to_name(opened.file_path);
        handle->ctx = context_for(handle->model, file_path);
        handle->tracked = true;
        engine_.attach_writer(&handle->ctx->state, &handle->hs, op, view(file_path), nullptr);
      }
      expect_no_engine_handles();
    }
    if (pre.action == fb::PreCreateAction::kWithCallback) {
      const Name file_path = to_name(pre.file_path);
      if (engine_.post_create(op, result, view(file_path), &ticket) == fb::PostCreateAction::kTrack) {
        handle->ctx = context_for(handle->model, file_path);
        handle->tracked = true;
        engine_.attach_writer(&handle->ctx->state, &handle->hs, op, view(file_path), &ticket);
      }
      expect_no_engine_handles();
    }
    if (!fb::nt_success(result.status) || result.reparsed) return result.status;
    std::lock_guard<std::mutex> g(mu_);
    handles_.push_back(std::move(handle));
    *out = handles_.back().get();
    return result.status;
  }

  NtStatus write(AppHandle* h, uint64_t offset, const std::string& data) {
    fb::WriteOp op;
    op.target = target();
    op.offset = offset;
    op.length = static_cast<uint32_t>(data.size());
    op.process_id = pid_;
    op.from_own_client = own_client_;
    engine_.pre_write(op, state(h), &h->hs);
    expect_no_engine_handles();
    uint32_t written = 0;
    return volume_.write(h->model, offset, data.data(), op.length, &written);
  }

  // A write the driver saw where it can do no backup I/O (raised IRQL, or a top-level IRP set):
  // the engine is told, the write goes down.
  NtStatus write_unobserved(AppHandle* h, uint64_t offset, const std::string& data) {
    engine_.modification_unobserved(state(h), &h->hs, fb::Trigger::kWrite, pid_, own_client_);
    uint32_t written = 0;
    return volume_.write(h->model, offset, data.data(), static_cast<uint32_t>(data.size()), &written);
  }

  // A stream context's rename the driver could not follow (raised IRQL, or inside a file
  // system's own request): the engine is told the name is unknown, the rename goes down.
  NtStatus rename_unobserved(AppHandle* h, const Name& target, bool replace_if_exists) {
    if (h->tracked) engine_.name_unknown(&h->ctx->state);
    const NtStatus s = volume_.rename(h->model, target, replace_if_exists);
    if (fb::nt_success(s)) h->path = target;
    return s;
  }

  NtStatus set_end_of_file(AppHandle* h, uint64_t size) {
    fb::SetInfoOp op = set_info(fb::FileInfoClass::kEndOfFile);
    op.end_of_file = size;
    call_set_information(h, op, Name());
    return volume_.set_end_of_file(h->model, size);
  }

  NtStatus set_allocation(AppHandle* h, uint64_t size) {
    fb::SetInfoOp op = set_info(fb::FileInfoClass::kAllocation);
    op.allocation_size = size;
    call_set_information(h, op, Name());
    return volume_.set_allocation(h->model, size);
  }

  NtStatus rename(AppHandle* h, const Name& target, bool replace_if_exists) {
    fb::SetInfoOp op = set_info(fb::FileInfoClass::kRename);
    op.replace_if_exists = replace_if_exists;
    call_set_information(h, op, target);
    const NtStatus s = volume_.rename(h->model, target, replace_if_exists);
    if (fb::nt_success(s) && !target.empty() && target[0] != u':') h->path = target;
    if (h->tracked && fb::Engine::rename_changes_name(op, true)) post_rename(h, s);
    return s;
  }

  // The cache manager's reference on a file's stream: the stream context outlives the handle
  // that created it, so a later open of the same file finds it (and its name) again. (Every
  // context does, N12; this one also survives tear_down_streams.)
  std::shared_ptr<void> hold_context(AppHandle* h) { return h->ctx; }

  // The memory manager lets go of every stream no handle holds: their contexts are released
  // (the engine's release_file_state runs), as Filter Manager does at stream teardown (N12).
  // The file system answers the next application create with STATUS_REPARSE and `tag` in
  // Information (N4: the name is a symbolic link, junction or mount point; the I/O manager
  // would reissue the create on the substituted name, which is not modelled). The filter's
  // own opens before it are not affected: the I/O manager resolves the point for them.
  void reparse_next_create(uint32_t tag) { reparse_next_create_ = tag; }

  void tear_down_streams() {
    std::vector<std::shared_ptr<FileCtx>> released;
    {
      std::lock_guard<std::mutex> g(mu_);
      released.swap(streams_);
    }
  }

  // A folder renamed (MoveFileEx on a directory): the driver sees a rename of a directory, which
  // it never tracks; the files below keep their stream contexts (N12).
  NtStatus rename_folder(const Name& from, const Name& to) { return volume_.rename_directory(from, to); }

  NtStatus delete_on_close(AppHandle* h) {
    fb::SetInfoOp op = set_info(fb::FileInfoClass::kDisposition);
    op.delete_file = true;
    call_set_information(h, op, Name());
    return volume_.set_delete(h->model);
  }

  // FileDispositionInformationEx with FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS
  // (DeleteFileW's default on NTFS since Windows 10 1709): the name goes at this handle's close.
  NtStatus delete_posix(AppHandle* h) {
    fb::SetInfoOp op = set_info(fb::FileInfoClass::kDispositionEx);
    op.delete_file = true;
    call_set_information(h, op, Name());
    return volume_.set_delete_posix(h->model);
  }

  // The delete of a file from the outside (cmd's `del`, Explorer with Shift+Del): open for
  // DELETE, disposition, close.
  NtStatus del(const Name& path, bool posix = false) {
    AppHandle* h = nullptr;
    NtStatus s = open(path, fb::access::kDelete, fb::CreateDisposition::kOpen, &h);
    if (!fb::nt_success(s)) return s;
    s = posix ? delete_posix(h) : delete_on_close(h);
    close(h);
    return s;
  }

  // FileDispositionInformation with DeleteFile FALSE: cancels a pending delete.
  NtStatus cancel_delete(AppHandle* h) {
    fb::SetInfoOp op = set_info(fb::FileInfoClass::kDisposition);
    op.delete_file = false;
    call_set_information(h, op, Name());
    return volume_.set_delete(h->model, false);
  }

  // CreateFileMapping(PAGE_READWRITE): IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION.
  void map_writable(AppHandle* h, uint32_t protection = fb::page::kReadWrite) {
    fb::SectionOp op;
    op.target = target();
    op.sync_type = fb::SectionSync::kCreateSection;
    op.page_protection = protection;
    op.process_id = pid_;
    op.from_own_client = own_client_;
    engine_.pre_acquire_for_section(op, state(h), &h->hs);
    expect_no_engine_handles();
  }

  // The modified page writer flushing a mapped view: paging I/O.
  NtStatus paging_write(AppHandle* h, uint64_t offset, const std::string& data) {
    fb::WriteOp op;
    op.target = target();
    op.paging_io = true;
    op.offset = offset;
    op.length = static_cast<uint32_t>(data.size());
    engine_.pre_write(op, state(h), &h->hs);
    return volume_.paging_write(h->model, offset, data);
  }

  NtStatus zero_data(AppHandle* h, uint64_t offset, uint64_t length) {
    fb::FsctlOp op;
    op.target = target();
    op.control_code = fb::fsctl::kSetZeroData;
    op.process_id = pid_;
    op.from_own_client = own_client_;
    engine_.pre_fsctl(op, state(h), &h->hs);
    expect_no_engine_handles();
    return volume_.zero_range(h->model, offset, length);
  }

  // CloseHandle: IRP_MJ_CLEANUP, then the last reference goes.
  void close(AppHandle* h) {
    // The stream context of any handle's stream (FltGetStreamContext), tracked or not.
    std::shared_ptr<FileCtx> stream = h->ctx;
    if (!stream && h->stream.empty()) {
      const void* key = volume_.file_identity(h->model);
      std::lock_guard<std::mutex> g(mu_);
      auto it = contexts_.find(key);
      if (it != contexts_.end()) stream = it->second.lock();
    }
    volume_.close(h->model);  // the file system's cleanup: a pending delete happens here (N11)
    // Post-cleanup of a watched stream (pre-cleanup synchronized it): is the file gone
    // (FltQueryInformationFile answering STATUS_FILE_DELETED)?
    if (stream && fb::Engine::watching_delete(stream->state))
      engine_.stream_cleaned_up(&stream->state, volume_.file_gone(stream->file.get()), target());
    if (h->tracked) engine_.post_cleanup(&h->ctx->state, &h->hs);
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = handles_.begin(); it != handles_.end(); ++it)
      if (it->get() == h) {
        handles_.erase(it);
        break;
      }
  }

  // --- whole save patterns, for brevity in tests ---------------------------------------------
  // Open existing for write, write `data` at `offset`, close.
  NtStatus edit(const Name& path, uint64_t offset, const std::string& data) {
    AppHandle* h = nullptr;
    NtStatus s = open(path, fb::access::kReadData | fb::access::kWriteData, fb::CreateDisposition::kOpen, &h);
    if (!fb::nt_success(s)) return s;
    s = write(h, offset, data);
    close(h);
    return s;
  }
  // fopen("w"): CREATE_ALWAYS (OVERWRITE_IF), write, close.
  NtStatus overwrite(const Name& path, const std::string& data,
                     fb::CreateDisposition disposition = fb::CreateDisposition::kOverwriteIf) {
    AppHandle* h = nullptr;
    NtStatus s = open(path, fb::access::kWriteData, disposition, &h, 0);
    if (!fb::nt_success(s)) return s;
    if (!data.empty()) s = write(h, 0, data);
    close(h);
    return s;
  }

  // --- inspection ---------------------------------------------------------------------------
  // The instance every callback the harness plays is delivered to (Iopb->TargetInstance): a
  // descriptor built by hand in a test must carry it too.
  fb::IoTarget target() const {
    fb::IoTarget t;
    t.value = const_cast<Volume*>(&volume_);
    return t;
  }
  std::vector<RecordedEvent> events() const { return sink_.events(); }
  void clear_events() { sink_.clear(); }
  fb::Engine& engine() { return engine_; }
  // Time passes (FILETIME units): the vault's window and age bounds.
  void advance_clock(int64_t units) { clock_.advance(units); }
  ModelFs& fs() { return fs_; }
  HeapBuffers& buffers() { return buffers_; }
  const fb::RuleSet& rules() const { return rules_.get(); }
  void set_process_id(uint64_t pid) { pid_ = pid; }
  // The requests that follow come from a process connected to the driver's port (fbmon).
  void set_own_client(bool own) { own_client_ = own; }
  // The requests that follow come from an application (user mode), from the SMB server for a
  // remote user (N13: kernel mode, creates with SL_FORCE_ACCESS_CHECK, set-information without a
  // flag; its access checks are the remote user's), or from a kernel component of its own.
  enum class Requestor { kApplication, kShare, kKernel };
  void set_requestor(Requestor r) { requestor_ = r; }
  // Engine handles left open after any callback returned (must stay 0: N5/N6).
  int engine_handle_leaks() const { return leaks_.load(); }
  size_t live_contexts() const {
    std::lock_guard<std::mutex> g(mu_);
    size_t n = 0;
    for (const auto& c : contexts_)
      if (!c.second.expired()) ++n;
    return n;
  }

 private:
  fb::EngineServices services() {
    fb::EngineServices s;
    s.fs = &fs_;
    s.sink = &sink_;
    s.clock = &clock_;
    s.buffers = &buffers_;
    s.vault_lock = &vault_lock_;
    return s;
  }

  // Who issues the creates: an application (user mode), the SMB server for a remote user
  // (kernel mode with SL_FORCE_ACCESS_CHECK, N13), or a kernel component on its own.
  void apply_requestor(fb::CreateOp* op) const {
    op->requestor_mode = requestor_ == Requestor::kApplication ? fb::RequestorMode::kUser : fb::RequestorMode::kKernel;
    op->force_access_check = requestor_ == Requestor::kShare;
  }

  fb::SetInfoOp set_info(fb::FileInfoClass info_class) const {
    fb::SetInfoOp op;
    op.target = target();
    op.requestor_mode = requestor_ == Requestor::kApplication ? fb::RequestorMode::kUser : fb::RequestorMode::kKernel;
    op.info_class = info_class;
    op.process_id = pid_;
    op.from_own_client = own_client_;
    return op;
  }

  // The driver's pre-set-information: cheap checks, then the name only when asked for.
  void call_set_information(AppHandle* h, const fb::SetInfoOp& op, const Name& destination) {
    fb::FileState* st = state(h);
    const fb::Precheck check = fb::Engine::set_information_precheck(op, st != nullptr);
    if (check == fb::Precheck::kIgnore) return;
    const Name name = h->nt_name();  // FltGetFileNameInformation (opened name)
    fb::Str16 file_path;
    if (st == nullptr && engine_.delete_needs_context(op, view(name), rules_.get(), &file_path)) {
      h->ctx = context_for(h->model, to_name(file_path));  // the delete's watch lives there
      h->tracked = true;
      st = state(h);
    }
    engine_.pre_set_information(op, st, &h->hs, view(name), view(destination), rules_.get());
    expect_no_engine_handles();
  }

  fb::FileState* state(AppHandle* h) { return h->tracked ? &h->ctx->state : nullptr; }

  // The driver's post-set-information of a rename: the new name (queried on the file object),
  // a copy made before the lock, swapped in under it, the old storage freed after.
  void post_rename(AppHandle* h, NtStatus status) {
    const Name queried = h->nt_name();
    const fb::RenameDecision decision = engine_.post_rename(status, view(queried), rules_.get());
    std::unique_ptr<Name> copy;
    if (decision.action == fb::RenameAction::kAdoptName) copy.reset(new Name(to_name(decision.file_path)));
    const fb::Str16 previous = engine_.apply_rename(&h->ctx->state, decision, copy ? view(*copy) : fb::Str16());
    if (copy && previous.data != copy->data()) {
      if (previous.data != h->ctx->name->data()) leaks_.fetch_add(1);  // the engine returned a stranger
      h->ctx->name = std::move(copy);  // the old name is freed here, after the swap
    }
  }

  // The driver's contexts::attach_stream on a context found again (N12): the engine decides
  // whether the open's name replaces the state's; a copy is made only then, swapped in under the
  // file's lock, and the storage the engine hands back is freed after.
  void refresh_name(FileCtx* ctx, const Name& file_path) {
    if (!engine_.name_is_stale(&ctx->state, view(file_path))) return;
    std::unique_ptr<Name> copy(new Name(file_path));
    const fb::Str16 previous = engine_.refresh_name(&ctx->state, view(file_path), view(*copy));
    std::lock_guard<std::mutex> g(mu_);  // the context's name storage is shared by its handles
    if (previous.data == copy->data()) return;  // the state already held this name: drop the copy
    if (previous.data != ctx->name->data()) leaks_.fetch_add(1);  // the engine returned a stranger
    ctx->name = std::move(copy);
  }

  // FltGetStreamContext, or FltAllocateContext + init_file_state + FltSetStreamContext.
  std::shared_ptr<FileCtx> context_for(ModelHandle model, const Name& file_path) {
    const void* key = volume_.file_identity(model);
    std::unique_lock<std::mutex> g(mu_);
    if (auto existing = contexts_[key].lock()) {
      g.unlock();
      refresh_name(existing.get(), file_path);
      return existing;
    }
    fb::Engine* engine = &engine_;
    std::shared_ptr<FileCtx> ctx(new FileCtx, [engine](FileCtx* c) {
      engine->release_file_state(&c->state);  // the context cleanup callback
      delete c;
    });
    ctx->file = volume_.file_object(model);
    ctx->name.reset(new Name(file_path));
    engine_.init_file_state(&ctx->state, view(*ctx->name), &ctx->lock);
    contexts_[key] = ctx;
    streams_.push_back(ctx);  // N12: the stream's own reference, gone only at its teardown
    return ctx;
  }

  void expect_no_engine_handles() {
    if (ModelFs::thread_opens() != 0) leaks_.fetch_add(1);  // this callback's thread, not another's
  }

  Volume& volume_;
  ModelFs fs_;
  RecordingSink sink_;
  StepClock clock_;
  HeapBuffers buffers_;
  CompiledRules rules_;
  StdFileLock vault_lock_;
  fb::Engine engine_;
  std::atomic<uint64_t> pid_;
  std::atomic<bool> own_client_{false};
  std::atomic<Requestor> requestor_{Requestor::kApplication};
  mutable std::mutex mu_;
  std::list<std::unique_ptr<AppHandle>> handles_;
  std::map<const void*, std::weak_ptr<FileCtx>> contexts_;
  uint32_t reparse_next_create_ = 0;
  std::vector<std::shared_ptr<FileCtx>> streams_;  // N12: released by tear_down_streams (after engine_ in
                                                   // declaration order: destroyed before it)
  std::atomic<int> leaks_{0};
};

}  // namespace fbmodel
