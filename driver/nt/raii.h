// Owners for the kernel objects the driver holds, so every early return releases what was
// acquired. All are move-only, hold one pointer-sized value or two, and are trivially
// constructible as "empty". None of them allocates.
//
//   fbk::FileNameInfo name;
//   NTSTATUS status = FltGetFileNameInformation(data, options, name.put());
//   if (!NT_SUCCESS(status)) return ...;            // nothing to release
//   ... name->Name ...                               // released when `name` goes out of scope
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk {

template <typename T>
constexpr T&& move(T& value) noexcept {  // std::move without <utility>
  return static_cast<T&&>(value);
}

// Runs a callable at scope exit unless dismissed: the undo step of a multi-step setup.
template <typename F>
class ScopeGuard {
 public:
  explicit ScopeGuard(F undo) : undo_(undo) {}
  ~ScopeGuard() {
    if (armed_) undo_();
  }
  void dismiss() { armed_ = false; }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  F undo_;
  bool armed_ = true;
};

template <typename F>
ScopeGuard<F> on_scope_exit(F undo) {
  return ScopeGuard<F>(undo);
}

// A reference to an FLT_FILE_NAME_INFORMATION (FltGetFileNameInformation and friends).
class FileNameInfo {
 public:
  FileNameInfo() = default;
  explicit FileNameInfo(PFLT_FILE_NAME_INFORMATION info) : info_(info) {}
  ~FileNameInfo() { reset(); }
  FileNameInfo(FileNameInfo&& other) noexcept : info_(other.release()) {}
  FileNameInfo& operator=(FileNameInfo&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  FileNameInfo(const FileNameInfo&) = delete;
  FileNameInfo& operator=(const FileNameInfo&) = delete;

  // A second reference to the same information (FltReferenceFileNameInformation).
  FileNameInfo share() const {
    if (info_ != nullptr) FltReferenceFileNameInformation(info_);
    return FileNameInfo(info_);
  }

  PFLT_FILE_NAME_INFORMATION get() const { return info_; }
  PFLT_FILE_NAME_INFORMATION operator->() const { return info_; }
  explicit operator bool() const { return info_ != nullptr; }
  // For the out-parameter of the Flt* query: releases what was held first.
  PFLT_FILE_NAME_INFORMATION* put() {
    reset();
    return &info_;
  }
  PFLT_FILE_NAME_INFORMATION release() {
    PFLT_FILE_NAME_INFORMATION info = info_;
    info_ = nullptr;
    return info;
  }
  void reset(PFLT_FILE_NAME_INFORMATION info = nullptr) {
    if (info_ != nullptr) FltReleaseFileNameInformation(info_);
    info_ = info;
  }

 private:
  PFLT_FILE_NAME_INFORMATION info_ = nullptr;
};

// A reference to a Filter Manager context of type T (FltAllocateContext, FltGet*Context).
// Releasing the last reference runs the context's cleanup callback.
template <typename T>
class ContextRef {
 public:
  ContextRef() = default;
  explicit ContextRef(T* context) : context_(context) {}
  ~ContextRef() { reset(); }
  ContextRef(ContextRef&& other) noexcept : context_(other.release()) {}
  ContextRef& operator=(ContextRef&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ContextRef(const ContextRef&) = delete;
  ContextRef& operator=(const ContextRef&) = delete;

  T* get() const { return context_; }
  T* operator->() const { return context_; }
  explicit operator bool() const { return context_ != nullptr; }
  // For FltAllocateContext / FltGet*Context / the OldContext of FltSet*Context.
  PFLT_CONTEXT* put() {
    reset();
    return reinterpret_cast<PFLT_CONTEXT*>(&context_);
  }
  T* release() {
    T* context = context_;
    context_ = nullptr;
    return context;
  }
  void reset(T* context = nullptr) {
    if (context_ != nullptr) FltReleaseContext(context_);
    context_ = context;
  }

 private:
  T* context_ = nullptr;
};

// A file the filter opened itself with FltCreateFileEx2: the handle and the referenced file
// object. I/O on it goes through FltReadFile/FltWriteFile with the file object so it starts
// below this filter's instance.
class FltFile {
 public:
  FltFile() = default;
  ~FltFile() { close(); }
  FltFile(FltFile&& other) noexcept : handle_(other.handle_), object_(other.object_) {
    other.handle_ = nullptr;
    other.object_ = nullptr;
  }
  FltFile& operator=(FltFile&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = other.handle_;
      object_ = other.object_;
      other.handle_ = nullptr;
      other.object_ = nullptr;
    }
    return *this;
  }
  FltFile(const FltFile&) = delete;
  FltFile& operator=(const FltFile&) = delete;

  HANDLE handle() const { return handle_; }
  PFILE_OBJECT object() const { return object_; }
  bool is_open() const { return handle_ != nullptr; }
  // Out-parameters for FltCreateFileEx2(..., handle_out(), object_out(), ...).
  PHANDLE handle_out() {
    close();
    return &handle_;
  }
  PFILE_OBJECT* object_out() { return &object_; }

  void close() {
    if (object_ != nullptr) ObDereferenceObject(object_);
    if (handle_ != nullptr) FltClose(handle_);
    object_ = nullptr;
    handle_ = nullptr;
  }

 private:
  HANDLE handle_ = nullptr;
  PFILE_OBJECT object_ = nullptr;
};

// A security descriptor from FltBuildDefaultSecurityDescriptor.
class SecurityDescriptor {
 public:
  SecurityDescriptor() = default;
  ~SecurityDescriptor() {
    if (sd_ != nullptr) FltFreeSecurityDescriptor(sd_);
  }
  SecurityDescriptor(const SecurityDescriptor&) = delete;
  SecurityDescriptor& operator=(const SecurityDescriptor&) = delete;

  PSECURITY_DESCRIPTOR get() const { return sd_; }
  PSECURITY_DESCRIPTOR* put() { return &sd_; }

 private:
  PSECURITY_DESCRIPTOR sd_ = nullptr;
};

// An EX_PUSH_LOCK through Filter Manager's wrappers, which also disable normal kernel APCs
// while it is held (so a holder cannot be suspended). Callers at IRQL <= APC_LEVEL only.
class PushLock {
 public:
  // Two-phase because the lock usually lives inside a context or a zero-initialized global.
  void initialize() { FltInitializePushLock(&lock_); }
  void destroy() { FltDeletePushLock(&lock_); }
  void lock_exclusive() { FltAcquirePushLockExclusive(&lock_); }
  void lock_shared() { FltAcquirePushLockShared(&lock_); }
  void unlock() { FltReleasePushLock(&lock_); }

 private:
  EX_PUSH_LOCK lock_ = 0;
};

class ExclusiveLock {
 public:
  explicit ExclusiveLock(PushLock& lock) : lock_(lock) { lock_.lock_exclusive(); }
  ~ExclusiveLock() { lock_.unlock(); }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;

 private:
  PushLock& lock_;
};

class SharedLock {
 public:
  explicit SharedLock(PushLock& lock) : lock_(lock) { lock_.lock_shared(); }
  ~SharedLock() { lock_.unlock(); }
  SharedLock(const SharedLock&) = delete;
  SharedLock& operator=(const SharedLock&) = delete;

 private:
  PushLock& lock_;
};

// An ERESOURCE held exclusively or shared (FltAcquireResource* enter a critical region).
class ResourceExclusive {
 public:
  explicit ResourceExclusive(PERESOURCE resource) : resource_(resource) {
    FltAcquireResourceExclusive(resource_);
  }
  ~ResourceExclusive() { FltReleaseResource(resource_); }
  ResourceExclusive(const ResourceExclusive&) = delete;
  ResourceExclusive& operator=(const ResourceExclusive&) = delete;

 private:
  PERESOURCE resource_;
};

class ResourceShared {
 public:
  explicit ResourceShared(PERESOURCE resource) : resource_(resource) {
    FltAcquireResourceShared(resource_);
  }
  ~ResourceShared() { FltReleaseResource(resource_); }
  ResourceShared(const ResourceShared&) = delete;
  ResourceShared& operator=(const ResourceShared&) = delete;

 private:
  PERESOURCE resource_;
};

}  // namespace fbk
