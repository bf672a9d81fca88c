#define FUSE_USE_VERSION 31
#include "monitor/lib/text.h"
#include "tests/kernel/e2e/host/model_bridge.h"

#include <fuse.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/engine/ops.h"
#include "tests/kernel/fltmgr/filter_manager.h"

namespace ksim::e2e {

namespace {

using fbmodel::Name;
using flt::FilterManager;
using flt::SimFile;
namespace access = fb::access;
using Disposition = fb::CreateDisposition;

constexpr uint32_t kReadAttributes = 0x80;  // FILE_READ_ATTRIBUTES (winnt.h)
constexpr uint32_t kBlock = 4096;

// NTSTATUS -> errno for the answers a Linux caller (Wine) understands.
int errno_of(NTSTATUS s) {
  switch (static_cast<uint32_t>(s)) {
    case 0xC0000034:  // STATUS_OBJECT_NAME_NOT_FOUND
    case 0xC000003A:  // STATUS_OBJECT_PATH_NOT_FOUND
    case 0xC0000056:  // STATUS_DELETE_PENDING
      return ENOENT;
    case 0xC0000035: return EEXIST;        // STATUS_OBJECT_NAME_COLLISION
    case 0xC0000022: return EACCES;        // STATUS_ACCESS_DENIED
    case 0xC0000043: return EBUSY;         // STATUS_SHARING_VIOLATION
    case 0xC000007F: return ENOSPC;        // STATUS_DISK_FULL
    case 0xC0000106: return ENAMETOOLONG;  // STATUS_NAME_TOO_LONG
    default: return EIO;
  }
}

// UTF-8 (what the kernel hands FUSE) <-> UTF-16 (the model's names): fbmon's own conversions.
Name utf16_of(const char* s) { return fbmon::to_utf16(s); }
std::string utf8_of(const Name& s) { return fbmon::to_utf8(s); }

// The model folds names to upper case (tests/model/ntfs_model.h); listings show them in lower
// case, and a lookup in any case finds them (as Wine's case-insensitive lookup expects).
Name lower(const Name& s) {
  Name out = s;
  for (char16_t& c : out)
    if (c >= u'A' && c <= u'Z') c = static_cast<char16_t>(c + 0x20);
  return out;
}

// A FUSE path as the model names it: `/sub/a.txt:backup` -> file ...\sub\a.txt, stream backup.
struct Target {
  bool root = false;
  bool valid = true;
  Name file;    // full NT path (for the root: the root folder itself)
  Name stream;  // empty: the default stream
};

}  // namespace

struct ModelBridge::State {
  BridgeOptions options;
  struct fuse* fuse = nullptr;
  std::thread thread;
  std::atomic<bool> loop_done{false};
  bool mounted = false;
  std::set<SimFile*> held;  // files a client holds (fi->fh)
  mutable std::mutex mutations_mu;  // the control thread reads what the FUSE thread counts
  std::map<uint64_t, uint64_t> mutations;

  void count_mutation() {
    std::lock_guard<std::mutex> g(mutations_mu);
    ++mutations[pid()];
  }

  Target parse(const char* path) const {
    Target t;
    const Name p = utf16_of(path);
    if (p.empty() || p == u"/") {
      t.root = true;
      t.file = options.root;
      return t;
    }
    Name rel;
    for (char16_t c : p) rel += c == u'/' ? u'\\' : c;
    const size_t last = rel.find_last_of(u'\\');
    const size_t colon = rel.find(u':');
    if (colon != Name::npos) {
      if (colon < last + 1 || colon == rel.size() - 1) t.valid = false;  // a colon in a folder name, or `x:`
      t.stream = rel.substr(colon + 1);
      rel.resize(colon);
    }
    t.file = options.root + rel;
    return t;
  }

  uint64_t pid() const { return options.requestor(); }
  fbmodel::Volume& volume() const { return options.host->volume(); }

  // A folder exists while a file is below it (the model's folders are implicit).
  bool is_folder(const Target& t) const {
    if (t.root) return true;
    if (!t.stream.empty()) return false;
    const Name prefix = fbmodel::fold(t.file) + u"\\";
    for (const Name& f : volume().file_names())
      if (f.compare(0, prefix.size(), prefix) == 0) return true;
    return false;
  }

  NTSTATUS open(const Target& t, uint32_t desired, Disposition d, SimFile** out) {
    flt::OpenRequest r;
    r.path = t.file;
    r.stream = t.stream;
    r.access = desired;
    r.share = fb::share::kAll;  // Wine enforces share modes itself (wineserver)
    r.disposition = d;
    r.process_id = pid();
    return FilterManager::get().open(r, out);
  }

  void close(SimFile* f) { FilterManager::get().close(f, pid()); }

  // Open, one operation, cleanup + close: what a path-based Linux call is on Windows.
  template <typename Fn>
  int with_file(const Target& t, uint32_t desired, Fn&& fn) {
    if (!t.valid || t.root) return -EISDIR;
    SimFile* f = nullptr;
    const NTSTATUS s = open(t, desired, Disposition::kOpen, &f);
    if (s < 0) return -errno_of(s);
    const int r = fn(f);
    close(f);
    return r;
  }

  int delete_stream(const Target& t) {
    return with_file(t, access::kDelete, [&](SimFile* f) {
      const NTSTATUS s = FilterManager::get().set_disposition(f, true, pid());
      return s < 0 ? -errno_of(s) : 0;
    });
  }
};

namespace {

ModelBridge::State* state() { return static_cast<ModelBridge::State*>(fuse_get_context()->private_data); }

std::shared_lock<std::shared_mutex> sim_lock() { return std::shared_lock<std::shared_mutex>(*state()->options.sim_lock); }

SimFile* file_of(const fuse_file_info* fi) { return fi == nullptr ? nullptr : reinterpret_cast<SimFile*>(fi->fh); }

void fill_file(struct stat* st, uint64_t size) {
  std::memset(st, 0, sizeof *st);
  st->st_mode = S_IFREG | 0644;
  st->st_nlink = 1;
  st->st_size = static_cast<off_t>(size);
  st->st_blksize = kBlock;
  st->st_blocks = static_cast<blkcnt_t>((size + 511) / 512);
  st->st_uid = getuid();
  st->st_gid = getgid();
}

void* op_init(fuse_conn_info*, fuse_config* cfg) {
  cfg->hard_remove = 1;  // an unlinked open file is deleted, not renamed to .fuse_hidden*
  cfg->direct_io = 1;    // every read and write reaches the bridge: no page cache in between
  cfg->kernel_cache = 0;
  cfg->attr_timeout = 0;
  cfg->entry_timeout = 0;
  cfg->negative_timeout = 0;
  return fuse_get_context()->private_data;
}

int op_getattr(const char* path, struct stat* st, fuse_file_info* fi) {
  auto g = sim_lock();
  ModelBridge::State* b = state();
  if (SimFile* f = file_of(fi)) {
    uint64_t size = 0;
    if (b->volume().query_size(f->model, &size) < 0) return -EIO;
    fill_file(st, size);
    return 0;
  }
  const Target t = b->parse(path);
  if (!t.valid) return -ENOENT;
  if (!t.root) {
    uint64_t size = 0;
    SimFile* f = nullptr;
    const NTSTATUS s = b->open(t, kReadAttributes, Disposition::kOpen, &f);
    if (s >= 0) {
      b->volume().query_size(f->model, &size);
      b->close(f);
      fill_file(st, size);
      return 0;
    }
  }
  if (!b->is_folder(t)) return -ENOENT;
  std::memset(st, 0, sizeof *st);
  st->st_mode = S_IFDIR | 0755;
  st->st_nlink = 2;
  st->st_uid = getuid();
  st->st_gid = getgid();
  return 0;
}

int op_readdir(const char* path, void* buffer, fuse_fill_dir_t fill, off_t, fuse_file_info*, fuse_readdir_flags) {
  auto g = sim_lock();
  ModelBridge::State* b = state();
  const Target t = b->parse(path);
  if (!t.valid || !b->is_folder(t)) return -ENOENT;
  fill(buffer, ".", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  fill(buffer, "..", nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  const Name prefix = fbmodel::fold(t.file) + u"\\";
  std::set<Name> names;
  for (const Name& f : b->volume().file_names()) {
    if (f.compare(0, prefix.size(), prefix) != 0) continue;
    const Name rest = f.substr(prefix.size());
    const size_t slash = rest.find(u'\\');
    if (slash != Name::npos) {
      names.insert(lower(rest.substr(0, slash)));
      continue;
    }
    names.insert(lower(rest));
    for (const Name& s : b->volume().stream_names(f)) names.insert(lower(rest + u":" + s));
  }
  for (const Name& n : names) fill(buffer, utf8_of(n).c_str(), nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  return 0;
}

uint32_t access_of(int flags) {
  uint32_t a = kReadAttributes;
  const int mode = flags & O_ACCMODE;
  if (mode == O_RDONLY || mode == O_RDWR) a |= access::kReadData;
  if (mode == O_WRONLY || mode == O_RDWR) a |= access::kWriteData;
  return a;
}

int open_as(const char* path, fuse_file_info* fi, Disposition d) {
  auto g = sim_lock();
  ModelBridge::State* b = state();
  const Target t = b->parse(path);
  if (!t.valid) return -ENOENT;
  if (t.root || (d == Disposition::kOpen && b->is_folder(t))) return -EISDIR;
  SimFile* f = nullptr;
  if (d != Disposition::kOpen || (fi->flags & O_TRUNC) != 0) b->count_mutation();
  const NTSTATUS s = b->open(t, access_of(fi->flags), d, &f);
  if (s < 0) return -errno_of(s);
  if ((fi->flags & O_TRUNC) != 0) {  // atomic O_TRUNC: a set end of file 0 (N2: streams stay)
    const NTSTATUS e = FilterManager::get().set_end_of_file(f, 0, b->pid());
    if (e < 0) {
      b->close(f);
      return -errno_of(e);
    }
  }
  b->held.insert(f);
  fi->fh = reinterpret_cast<uint64_t>(f);
  fi->direct_io = 1;
  return 0;
}

int op_open(const char* path, fuse_file_info* fi) { return open_as(path, fi, Disposition::kOpen); }

int op_create(const char* path, mode_t, fuse_file_info* fi) {
  return open_as(path, fi, (fi->flags & O_EXCL) != 0 ? Disposition::kCreate : Disposition::kOpenIf);
}

// Reads pass Filter Manager untouched: the image registers no IRP_MJ_READ callback
// (driver/callbacks/operations.cpp), so the read goes to the model through the file's handle.
int op_read(const char*, char* buffer, size_t size, off_t offset, fuse_file_info* fi) {
  auto g = sim_lock();
  SimFile* f = file_of(fi);
  if (f == nullptr) return -EBADF;
  uint32_t got = 0;
  const NTSTATUS s = state()->volume().read(f->model, static_cast<uint64_t>(offset), buffer,
                                            static_cast<uint32_t>(size), &got);
  if (static_cast<uint32_t>(s) == 0xC0000011) return 0;  // STATUS_END_OF_FILE
  return s < 0 ? -errno_of(s) : static_cast<int>(got);
}

int op_write(const char*, const char* buffer, size_t size, off_t offset, fuse_file_info* fi) {
  auto g = sim_lock();
  SimFile* f = file_of(fi);
  if (f == nullptr) return -EBADF;
  state()->count_mutation();
  const NTSTATUS s = FilterManager::get().write(f, static_cast<uint64_t>(offset), std::string(buffer, size),
                                                flt::WriteKind::kCached, state()->pid());
  return s < 0 ? -errno_of(s) : static_cast<int>(size);
}

int op_truncate(const char* path, off_t size, fuse_file_info* fi) {
  auto g = sim_lock();
  ModelBridge::State* b = state();
  b->count_mutation();
  auto cut = [&](SimFile* f) {
    const NTSTATUS s = FilterManager::get().set_end_of_file(f, static_cast<uint64_t>(size), b->pid());
    return s < 0 ? -errno_of(s) : 0;
  };
  if (SimFile* f = file_of(fi)) return cut(f);
  return b->with_file(b->parse(path), access::kWriteData, cut);
}

int op_release(const char*, fuse_file_info* fi) {
  auto g = sim_lock();
  ModelBridge::State* b = state();
  if (SimFile* f = file_of(fi)) {
    b->held.erase(f);
    b->close(f);
  }
  return 0;
}

int op_unlink(const char* path) {
  auto g = sim_lock();
  ModelBridge::State* b = state();
  b->count_mutation();
  return b->delete_stream(b->parse(path));
}

// rename(2) of a file, or of `x:a` to `x:b` (Wine's stream rename, monitor/win/
// win32_file_system.h): FileRenameInformation with a full path or a `:stream` target. rename(2)
// replaces its target; an NTFS stream rename replaces only an empty unopened one (N8), so a
// replacing stream rename deletes the target stream first, as the plain file Wine renames over
// would go.
int op_rename(const char* from, const char* to, unsigned int flags) {
  if ((flags & RENAME_EXCHANGE) != 0) return -EINVAL;
  const bool replace = (flags & RENAME_NOREPLACE) == 0;
  auto g = sim_lock();
  ModelBridge::State* b = state();
  b->count_mutation();
  const Target a = b->parse(from), z = b->parse(to);
  if (!a.valid || !z.valid || a.root || z.root) return -EINVAL;
  const bool same_file = fbmodel::fold(a.file) == fbmodel::fold(z.file);
  if (a.stream.empty() != z.stream.empty() || (!a.stream.empty() && !same_file)) return -EXDEV;
  if (a.stream.empty()) {
    return b->with_file(a, access::kDelete, [&](SimFile* f) {
      const NTSTATUS s = FilterManager::get().rename(f, z.file, replace, false, b->pid());
      return s < 0 ? -errno_of(s) : 0;
    });
  }
  if (replace && b->volume().exists(z.file, z.stream)) {
    const int r = b->delete_stream(z);
    if (r != 0) return r;
  }
  return b->with_file(a, access::kDelete, [&](SimFile* f) {
    const NTSTATUS s = FilterManager::get().rename(f, u":" + z.stream, false, false, b->pid());
    return s < 0 ? -errno_of(s) : 0;
  });
}

// Free space as FileFsSizeInformation would give it: the model volume's.
int op_statfs(const char*, struct statvfs* st) {
  auto g = sim_lock();
  fbmodel::Volume& v = state()->volume();
  std::memset(st, 0, sizeof *st);
  const uint64_t free_bytes = v.free_space();
  st->f_bsize = kBlock;
  st->f_frsize = kBlock;
  st->f_bfree = free_bytes / kBlock;
  st->f_bavail = free_bytes / kBlock;
  st->f_blocks = st->f_bfree + 1;
  st->f_namemax = 255;
  return 0;
}

// Wine keeps DOS attributes in the `user.DOSATTRIB` extended attribute: none are stored here
// (no attribute is set: ENODATA), and none can be (ENOTSUP, which Wine tolerates).
int op_getxattr(const char*, const char*, char*, size_t) { return -ENODATA; }
int op_setxattr(const char*, const char*, const char*, size_t, int) { return -ENOTSUP; }
int op_listxattr(const char*, char*, size_t) { return 0; }
int op_removexattr(const char*, const char*) { return -ENODATA; }

// Times, modes and owners are Wine's business (see the header): accepted for what exists.
int exists_or_enoent(const char* path) {
  struct stat st;
  return op_getattr(path, &st, nullptr);
}
int op_utimens(const char* path, const timespec*, fuse_file_info* fi) {
  return fi != nullptr ? 0 : exists_or_enoent(path);
}
int op_chmod(const char* path, mode_t, fuse_file_info* fi) { return fi != nullptr ? 0 : exists_or_enoent(path); }
int op_chown(const char* path, uid_t, gid_t, fuse_file_info* fi) {
  return fi != nullptr ? 0 : exists_or_enoent(path);
}
int op_flush(const char*, fuse_file_info*) { return 0; }
int op_fsync(const char*, int, fuse_file_info*) { return 0; }
// The model's folders are implicit: none can be made or removed on their own.
int op_mkdir(const char*, mode_t) { return -EPERM; }
int op_rmdir(const char*) { return -EPERM; }

fuse_operations operations() {
  fuse_operations ops{};
  ops.init = op_init;
  ops.getattr = op_getattr;
  ops.readdir = op_readdir;
  ops.open = op_open;
  ops.create = op_create;
  ops.read = op_read;
  ops.write = op_write;
  ops.truncate = op_truncate;
  ops.release = op_release;
  ops.unlink = op_unlink;
  ops.rename = op_rename;
  ops.statfs = op_statfs;
  ops.getxattr = op_getxattr;
  ops.setxattr = op_setxattr;
  ops.listxattr = op_listxattr;
  ops.removexattr = op_removexattr;
  ops.utimens = op_utimens;
  ops.chmod = op_chmod;
  ops.chown = op_chown;
  ops.flush = op_flush;
  ops.fsync = op_fsync;
  ops.mkdir = op_mkdir;
  ops.rmdir = op_rmdir;
  return ops;
}

}  // namespace

ModelBridge::ModelBridge() : state_(std::make_unique<State>()) {}

ModelBridge::~ModelBridge() { stop(); }

bool ModelBridge::running() const { return state_ != nullptr && state_->mounted; }

std::string ModelBridge::mutations() const {
  if (state_ == nullptr) return "";
  std::lock_guard<std::mutex> g(state_->mutations_mu);
  std::string out;
  for (const auto& m : state_->mutations)
    out += (out.empty() ? "" : " ") + std::to_string(m.first) + ":" + std::to_string(m.second);
  return out;
}

bool ModelBridge::start(const BridgeOptions& options, std::string* error) {
  if (state_ == nullptr) state_ = std::make_unique<State>();
  State& s = *state_;
  s.options = options;
  if (::access("/dev/fuse", R_OK | W_OK) != 0) {
    *error = "/dev/fuse is not usable (" + std::string(std::strerror(errno)) + "): mknod /dev/fuse c 10 229 as root";
    return false;
  }
  const char* argv[] = {"fb_e2e_host", "-o", "fsname=fbmodel,subtype=fbmodel"};
  fuse_args args = FUSE_ARGS_INIT(3, const_cast<char**>(argv));
  static const fuse_operations ops = operations();
  s.fuse = fuse_new(&args, &ops, sizeof ops, &s);
  if (s.fuse == nullptr) {
    *error = "fuse_new failed";
    return false;
  }
  if (fuse_mount(s.fuse, options.mount_point.c_str()) != 0) {
    fuse_destroy(s.fuse);
    s.fuse = nullptr;
    *error = "cannot mount the model bridge at " + options.mount_point + " (fuse_mount failed; see the line above)";
    return false;
  }
  s.mounted = true;
  // Single-threaded: one request at a time on this thread.
  s.loop_done = false;
  s.thread = std::thread([&s] {
    fuse_loop(s.fuse);
    s.loop_done = true;
  });
  return true;
}

size_t ModelBridge::stop(std::string* problem) {
  if (state_ == nullptr || !state_->mounted) return 0;
  State& s = *state_;
  fuse_exit(s.fuse);
  // A lazy unmount ends the connection once nobody uses it: the loop's read fails and it returns.
  umount2(s.options.mount_point.c_str(), MNT_DETACH);
  // A client still holding a file keeps the connection (and the loop) alive: never wait for it
  // forever. The loop is then left running, detached, with its files; the process ends soon.
  for (int i = 0; i < 50 && !s.loop_done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  s.mounted = false;
  if (!s.loop_done) {
    s.thread.detach();
    if (problem != nullptr) *problem = "the bridge is still in use after its unmount: its loop was left running";
    const size_t left = s.held.size();
    (void)state_.release();  // the detached loop still uses it: kept until the process ends
    return left;
  }
  s.thread.join();
  fuse_unmount(s.fuse);
  fuse_destroy(s.fuse);
  s.fuse = nullptr;
  const size_t left = s.held.size();
  std::shared_lock<std::shared_mutex> g(*s.options.sim_lock);
  for (SimFile* f : s.held) FilterManager::get().close(f, s.options.requestor());
  s.held.clear();
  return left;
}

}  // namespace ksim::e2e
