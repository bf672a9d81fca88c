#include "tests/kernel/nt/registry.h"

#include <cstring>
#include <map>
#include <mutex>

#include "tests/kernel/nt/entry.h"
#include "tests/kernel/nt/names.h"
#include "tests/kernel/nt/objects.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::registry {
namespace {

using namespace ksim::nt;

struct Value {
  uint32_t type;
  std::vector<uint8_t> data;
  std::u16string name;  // as set (case preserved)
};
struct Key {
  std::map<std::u16string, Value> values;  // by upcased name
};

std::mutex g_mutex;
std::map<std::u16string, Key> g_keys;  // by upcased path

class KeyObject final : public ob::Object {
 public:
  explicit KeyObject(std::u16string path) : ob::Object(&ob::g_key_type), path(std::move(path)) {}
  std::u16string path;  // upcased
};

// ZwOpenKey: IRQL PASSIVE_LEVEL.
KSIM_API NTSTATUS ZwOpenKey(HANDLE* handle, ACCESS_MASK, OBJECT_ATTRIBUTES* attributes) {
  KSIM_ENTER(PASSIVE_LEVEL);
  if (handle == nullptr || attributes == nullptr || attributes->ObjectName == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "NULL KeyHandle, ObjectAttributes or ObjectName");
    return STATUS_INVALID_PARAMETER;
  }
  if (attributes->Length != sizeof(OBJECT_ATTRIBUTES))
    ksim_entry.violation(verifier::kDdiCompliance, "OBJECT_ATTRIBUTES.Length is not sizeof(OBJECT_ATTRIBUTES)");
  if (!(attributes->Attributes & OBJ_KERNEL_HANDLE))
    ksim_entry.violation(verifier::kHandleChecking, "key handle opened without OBJ_KERNEL_HANDLE");
  std::u16string path;
  if (attributes->RootDirectory != nullptr) {
    auto root = std::dynamic_pointer_cast<KeyObject>(ob::object_of_handle(attributes->RootDirectory));
    if (root == nullptr) {
      ksim_entry.violation(verifier::kHandleChecking, "RootDirectory is not an open key handle");
      return STATUS_INVALID_HANDLE;
    }
    path = root->path + u"\\";
  }
  path += names::upcase(names::to_u16(*attributes->ObjectName));
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_keys.find(path) == g_keys.end()) return STATUS_OBJECT_NAME_NOT_FOUND;
  }
  *handle = ob::create_handle(std::make_shared<KeyObject>(path), ksim_entry.caller());
  return STATUS_SUCCESS;
}

// ZwQueryValueKey: IRQL PASSIVE_LEVEL. Layouts (wdm.h): KEY_VALUE_BASIC_INFORMATION
// {TitleIndex, Type, NameLength, Name[]} (name at 12), KEY_VALUE_FULL_INFORMATION {TitleIndex,
// Type, DataOffset, DataLength, NameLength, Name[]} (name at 20), KEY_VALUE_PARTIAL_INFORMATION
// {TitleIndex, Type, DataLength, Data[]} (data at 12). Too small for the fixed part:
// STATUS_BUFFER_TOO_SMALL; room for the fixed part only: STATUS_BUFFER_OVERFLOW with the fixed
// part filled; *ResultLength is the size needed in both cases.
KSIM_API NTSTATUS ZwQueryValueKey(HANDLE key, UNICODE_STRING* name, KEY_VALUE_INFORMATION_CLASS info_class,
                                  void* buffer, ULONG length, ULONG* result_length) {
  KSIM_ENTER(PASSIVE_LEVEL);
  auto object = std::dynamic_pointer_cast<KeyObject>(ob::object_of_handle(key));
  if (object == nullptr) {
    ksim_entry.violation(verifier::kHandleChecking, "KeyHandle is not an open key handle");
    return STATUS_INVALID_HANDLE;
  }
  if (name == nullptr || result_length == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "NULL ValueName or ResultLength");
    return STATUS_INVALID_PARAMETER;
  }
  Value value;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto k = g_keys.find(object->path);
    if (k == g_keys.end()) return STATUS_OBJECT_NAME_NOT_FOUND;
    auto v = k->second.values.find(names::upcase(names::to_u16(*name)));
    if (v == k->second.values.end()) return STATUS_OBJECT_NAME_NOT_FOUND;
    value = v->second;
  }
  const ULONG name_bytes = static_cast<ULONG>(value.name.size() * 2);
  const ULONG data_bytes = static_cast<ULONG>(value.data.size());
  std::vector<uint8_t> out;
  size_t fixed = 0;
  auto put = [&out](size_t at, ULONG v) { std::memcpy(out.data() + at, &v, 4); };
  switch (info_class) {
    case KeyValueBasicInformation:
      fixed = 12;
      out.resize(fixed + name_bytes);
      put(4, value.type);
      put(8, name_bytes);
      std::memcpy(out.data() + 12, value.name.data(), name_bytes);
      break;
    case KeyValueFullInformation: {
      fixed = 20;
      const size_t data_offset = (fixed + name_bytes + 7) & ~size_t{7};
      out.resize(data_offset + data_bytes);
      put(4, value.type);
      put(8, static_cast<ULONG>(data_offset));
      put(12, data_bytes);
      put(16, name_bytes);
      std::memcpy(out.data() + 20, value.name.data(), name_bytes);
      std::memcpy(out.data() + data_offset, value.data.data(), data_bytes);
      break;
    }
    case KeyValuePartialInformation:
      fixed = kKeyValuePartialDataOffset;
      out.resize(fixed + data_bytes);
      put(4, value.type);
      put(8, data_bytes);
      std::memcpy(out.data() + fixed, value.data.data(), data_bytes);
      break;
    default:
      ksim_entry.violation(verifier::kDdiCompliance, "KeyValueInformationClass " + std::to_string(info_class) +
                                                         " is not simulated");
      return STATUS_INVALID_PARAMETER;
  }
  *result_length = static_cast<ULONG>(out.size());
  if (length < fixed) return STATUS_BUFFER_TOO_SMALL;
  if (buffer == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "NULL KeyValueInformation with a nonzero Length");
    return STATUS_INVALID_PARAMETER;
  }
  if (length < out.size()) {
    std::memcpy(buffer, out.data(), fixed);
    return STATUS_BUFFER_OVERFLOW;
  }
  std::memcpy(buffer, out.data(), out.size());
  return STATUS_SUCCESS;
}

const Export kExports[] = {
    {"ntoskrnl.exe", "ZwOpenKey", reinterpret_cast<void*>(&ZwOpenKey), false},
    {"ntoskrnl.exe", "ZwQueryValueKey", reinterpret_cast<void*>(&ZwQueryValueKey), false},
};
const ExportTable kTable(kExports);
const ResetRegistrar kReset(clear);

}  // namespace

void create_key(const std::u16string& path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_keys[names::upcase(path)];
}

void set_value(const std::u16string& key, const std::u16string& name, uint32_t type, std::vector<uint8_t> data) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_keys[names::upcase(key)].values[names::upcase(name)] = Value{type, std::move(data), name};
}

void set_dword(const std::u16string& key, const std::u16string& name, uint32_t value) {
  std::vector<uint8_t> data(4);
  std::memcpy(data.data(), &value, 4);
  set_value(key, name, REG_DWORD, std::move(data));
}

void set_string(const std::u16string& key, const std::u16string& name, const std::u16string& value) {
  std::vector<uint8_t> data((value.size() + 1) * 2, 0);
  std::memcpy(data.data(), value.data(), value.size() * 2);
  set_value(key, name, REG_SZ, std::move(data));
}

void set_multi_string(const std::u16string& key, const std::u16string& name, const std::vector<std::u16string>& values) {
  std::u16string all;
  for (const std::u16string& v : values) {
    all += v;
    all.push_back(0);
  }
  all.push_back(0);
  std::vector<uint8_t> data(all.size() * 2);
  std::memcpy(data.data(), all.data(), data.size());
  set_value(key, name, REG_MULTI_SZ, std::move(data));
}

void clear() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_keys.clear();
}

}  // namespace ksim::registry
