#include "tests/kernel/nt/symlinks.h"

#include <cstring>
#include <map>
#include <mutex>

#include "tests/kernel/nt/entry.h"
#include "tests/kernel/nt/names.h"
#include "tests/kernel/nt/objects.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::symlinks {
namespace {

using namespace ksim::nt;

std::mutex g_mutex;
std::map<std::u16string, std::u16string> g_links;  // upcased name within \GLOBAL?? -> target

class LinkObject final : public ob::Object {
 public:
  explicit LinkObject(std::u16string target) : ob::Object(&ob::g_symbolic_link_type), target(std::move(target)) {}
  std::u16string target;
};

// The name relative to the global DosDevices directory, or "" if it is not in it.
std::u16string in_dos_devices(std::u16string path) {
  path = names::upcase(std::move(path));
  for (const std::u16string prefix : {u"\\GLOBAL??\\", u"\\??\\", u"\\DOSDEVICES\\"})
    if (path.compare(0, prefix.size(), prefix) == 0) return path.substr(prefix.size());
  return {};
}

// ZwOpenSymbolicLinkObject: IRQL PASSIVE_LEVEL.
KSIM_API NTSTATUS ZwOpenSymbolicLinkObject(HANDLE* handle, ACCESS_MASK, OBJECT_ATTRIBUTES* attributes) {
  KSIM_ENTER(PASSIVE_LEVEL);
  if (handle == nullptr || attributes == nullptr || attributes->ObjectName == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "NULL LinkHandle, ObjectAttributes or ObjectName");
    return STATUS_INVALID_PARAMETER;
  }
  if (!(attributes->Attributes & OBJ_KERNEL_HANDLE))
    ksim_entry.violation(verifier::kHandleChecking, "link handle opened without OBJ_KERNEL_HANDLE");
  const std::u16string name = in_dos_devices(names::to_u16(*attributes->ObjectName));
  std::u16string target;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_links.find(name);
    if (name.empty() || it == g_links.end()) return STATUS_OBJECT_NAME_NOT_FOUND;
    target = it->second;
  }
  *handle = ob::create_handle(std::make_shared<LinkObject>(target), ksim_entry.caller());
  return STATUS_SUCCESS;
}

// ZwQuerySymbolicLinkObject: IRQL PASSIVE_LEVEL. LinkTarget's Buffer and MaximumLength must be
// set; if the target does not fit, STATUS_BUFFER_TOO_SMALL and *ReturnedLength = the size
// needed (bytes). On success Length = the target's bytes, *ReturnedLength too (plus the
// terminator when it fits, which is copied then).
KSIM_API NTSTATUS ZwQuerySymbolicLinkObject(HANDLE handle, UNICODE_STRING* target, ULONG* returned) {
  KSIM_ENTER(PASSIVE_LEVEL);
  auto link = std::dynamic_pointer_cast<LinkObject>(ob::object_of_handle(handle));
  if (link == nullptr) {
    ksim_entry.violation(verifier::kHandleChecking, "LinkHandle is not an open symbolic link handle");
    return STATUS_INVALID_HANDLE;
  }
  if (target == nullptr || (target->Buffer == nullptr && target->MaximumLength != 0)) {
    ksim_entry.violation(verifier::kDdiCompliance, "LinkTarget not initialized");
    return STATUS_INVALID_PARAMETER;
  }
  const size_t bytes = link->target.size() * 2;
  if (bytes > target->MaximumLength) {
    if (returned != nullptr) *returned = static_cast<ULONG>(bytes);
    return STATUS_BUFFER_TOO_SMALL;
  }
  std::memcpy(target->Buffer, link->target.data(), bytes);
  target->Length = static_cast<USHORT>(bytes);
  size_t copied = bytes;
  if (bytes + 2 <= target->MaximumLength) {
    target->Buffer[bytes / 2] = 0;
    copied += 2;
  }
  if (returned != nullptr) *returned = static_cast<ULONG>(copied);
  return STATUS_SUCCESS;
}

const Export kExports[] = {
    {"ntoskrnl.exe", "ZwOpenSymbolicLinkObject", reinterpret_cast<void*>(&ZwOpenSymbolicLinkObject), false},
    {"ntoskrnl.exe", "ZwQuerySymbolicLinkObject", reinterpret_cast<void*>(&ZwQuerySymbolicLinkObject), false},
};
const ExportTable kTable(kExports);
const ResetRegistrar kReset(clear);

}  // namespace

void add(const std::u16string& name, const std::u16string& target) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_links[names::upcase(name)] = target;
}

void clear() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_links.clear();
}

}  // namespace ksim::symlinks
