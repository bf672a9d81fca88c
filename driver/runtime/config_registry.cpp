#include "driver/runtime/config_registry.h"

#include "driver/nt/raii.h"
#include "driver/nt/trace.h"

namespace fbk::config {
namespace {

// The service key path, copied at DriverEntry. Written only there and at unload.
UNICODE_STRING g_service_key = {0, 0, nullptr};

WCHAR g_parameters_name[] = L"Parameters";

// Closes a registry handle at scope exit.
class KeyHandle {
 public:
  KeyHandle() = default;
  ~KeyHandle() {
    if (handle_ != nullptr) ZwClose(handle_);
  }
  KeyHandle(const KeyHandle&) = delete;
  KeyHandle& operator=(const KeyHandle&) = delete;
  HANDLE get() const { return handle_; }
  PHANDLE put() { return &handle_; }

 private:
  HANDLE handle_ = nullptr;
};

NTSTATUS open_key(HANDLE root, PUNICODE_STRING name, KeyHandle* key) {
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, root,
                             nullptr);
  return ZwOpenKey(key->put(), KEY_READ, &attributes);
}

constexpr ULONG kHeaderBytes = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);

}  // namespace

NTSTATUS remember_service_key(PCUNICODE_STRING registry_path) {
  if (registry_path == nullptr || registry_path->Length == 0) return STATUS_INVALID_PARAMETER;
  void* copy = pool::allocate(registry_path->Length, pool::kConfig);
  if (copy == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  RtlCopyMemory(copy, registry_path->Buffer, registry_path->Length);
  g_service_key.Buffer = static_cast<PWCH>(copy);
  g_service_key.Length = registry_path->Length;
  g_service_key.MaximumLength = registry_path->Length;
  return STATUS_SUCCESS;
}

void forget_service_key() {
  pool::free(g_service_key.Buffer, pool::kConfig);
  g_service_key = {0, 0, nullptr};
}

NTSTATUS RegistryValues::read(fb::ConfigReports* reports) {
  PAGED_CODE();
  if (g_service_key.Buffer == nullptr) return STATUS_INVALID_DEVICE_STATE;

  KeyHandle service;
  NTSTATUS status = open_key(nullptr, &g_service_key, &service);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("cannot open %wZ: 0x%08lx; using defaults", &g_service_key,
                   static_cast<ULONG>(status));
    return STATUS_SUCCESS;
  }
  UNICODE_STRING parameters_name = RTL_CONSTANT_STRING(g_parameters_name);
  KeyHandle parameters;
  status = open_key(service.get(), &parameters_name, &parameters);
  if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
    FB_TRACE("no Parameters key under %wZ: using defaults", &g_service_key);
    return STATUS_SUCCESS;
  }
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("cannot open %wZ\\Parameters: 0x%08lx; using defaults", &g_service_key,
                   static_cast<ULONG>(status));
    return STATUS_SUCCESS;
  }
  for (uint32_t i = 0; i < fb::kConfigKeyCount; ++i) {
    status = read_value(parameters.get(), static_cast<fb::ConfigKey>(i), reports);
    if (!NT_SUCCESS(status)) return status;
  }
  return STATUS_SUCCESS;
}

// Two ZwQueryValueKey calls: the first learns the size, the second reads into a buffer of
// exactly that size. A value that grows in between is retried a few times.
NTSTATUS RegistryValues::read_value(HANDLE key, fb::ConfigKey which, fb::ConfigReports* reports) {
  const fb::Str16 name16 = fb::config_value_name(which);
  UNICODE_STRING name;
  name.Buffer = reinterpret_cast<PWCH>(const_cast<char16_t*>(name16.data));
  name.Length = static_cast<USHORT>(name16.len * sizeof(WCHAR));
  name.MaximumLength = name.Length;
  const uint32_t index = static_cast<uint32_t>(which);
  fb::RawValue& raw = raw_.values[index];
  PoolBuffer& buffer = buffers_[index];
  raw = fb::RawValue{};

  ULONG needed = 0;
  NTSTATUS status = STATUS_BUFFER_OVERFLOW;
  for (int attempt = 0; attempt < 3; ++attempt) {
    status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, buffer.data(),
                             static_cast<ULONG>(buffer.size()), &needed);
    if (status != STATUS_BUFFER_OVERFLOW && status != STATUS_BUFFER_TOO_SMALL) break;
    if (needed < kHeaderBytes || needed - kHeaderBytes > fb::kMaxValueBytes) {
      FB_TRACE_ERROR("registry value %s: %lu bytes, over the %lu-byte limit; using its default",
                     fb::config_key_text(which), needed, static_cast<ULONG>(fb::kMaxValueBytes));
      reports->add({which, fb::ValueProblem::kValueTooLarge, fb::RuleError::kNone, 0});
      return STATUS_SUCCESS;
    }
    if (!buffer.allocate(needed, pool::kConfig)) return STATUS_INSUFFICIENT_RESOURCES;
  }
  if (status == STATUS_OBJECT_NAME_NOT_FOUND) return STATUS_SUCCESS;  // absent: default
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("registry value %s could not be read: 0x%08lx; using its default",
                   fb::config_key_text(which), static_cast<ULONG>(status));
    reports->add({which, fb::ValueProblem::kReadFailed, fb::RuleError::kNone, 0});
    return STATUS_SUCCESS;
  }
  const auto* info = reinterpret_cast<const KEY_VALUE_PARTIAL_INFORMATION*>(buffer.data());
  if (info->DataLength > needed - kHeaderBytes) {  // never trust a length over the buffer
    reports->add({which, fb::ValueProblem::kReadFailed, fb::RuleError::kNone, 0});
    return STATUS_SUCCESS;
  }
  raw.present = true;
  raw.type = info->Type;
  raw.data = info->Data;  // pool blocks are 16-aligned and Data sits at offset 12: 4-aligned
  raw.size = info->DataLength;
  return STATUS_SUCCESS;
}

}  // namespace fbk::config
