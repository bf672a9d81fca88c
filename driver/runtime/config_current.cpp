#include "driver/runtime/config_current.h"

#include "driver/runtime/config_registry.h"
#include "common/config/config_values.h"
#include "driver/nt/pool.h"
#include "driver/nt/raii.h"
#include "driver/nt/trace.h"

namespace fbk::config {
namespace {

// One published configuration: runtime::Settings first (a SettingsRef points at it, and so at the
// block), the reference count, then the compiled RuleSet in the same block.
struct Published {
  runtime::Settings settings;
  volatile LONG references;  // the driver's own (while current) + one per pinned reader
};
constexpr size_t kRulesOffset = (sizeof(Published) + fb::kRuleStorageAlignment - 1) &
                                ~static_cast<size_t>(fb::kRuleStorageAlignment - 1);

struct CurrentState {
  KSPIN_LOCK lock;          // guards `current` and the reference taken with it
  Published* current;
  uint32_t generation;
  EX_PUSH_LOCK reload_lock;  // one reload at a time (PASSIVE_LEVEL, may wait)
  bool initialized;
};
CurrentState g_state;  // zero-initialized image data: no constructor runs

// The rule set's case mapping: the kernel's own table, so rules compare the way NTFS does.
char16_t kernel_upcase(char16_t unit) {
  return static_cast<char16_t>(RtlUpcaseUnicodeChar(static_cast<WCHAR>(unit)));
}

void add_reference(Published* published) { InterlockedIncrement(&published->references); }

void drop_reference(Published* published) {
  if (InterlockedDecrement(&published->references) == 0) {
    FB_TRACE("configuration %lu freed", static_cast<ULONG>(published->settings.generation));
    pool::free(published, pool::kConfig);
  }
}

// Resolves `C:` through the \GLOBAL??\C: symbolic link to `\Device\HarddiskVolumeN`, the
// name the filter sees in this boot (volumes are renumbered across reboots; letters are not).
// \GLOBAL?? rather than \??: a reload runs in fbmon's thread, where \?? would first look in
// that user's own DosDevices (per-user subst and network drives); load and reload must agree.
class SymbolicLinkDrives final : public fb::DriveResolver {
 public:
  bool resolve(char16_t letter, fb::Str16* device) override {
    WCHAR link_text[] = L"\\GLOBAL??\\C:";
    link_text[10] = static_cast<WCHAR>(letter);
    UNICODE_STRING link_name;
    RtlInitUnicodeString(&link_name, link_text);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &link_name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,
                               nullptr, nullptr);
    HANDLE link = nullptr;
    NTSTATUS status = ZwOpenSymbolicLinkObject(&link, GENERIC_READ, &attributes);
    if (!NT_SUCCESS(status)) {
      FB_TRACE("drive %wZ not found: 0x%08lx", &link_name, static_cast<ULONG>(status));
      return false;
    }
    UNICODE_STRING target;
    target.Buffer = reinterpret_cast<PWCH>(target_);
    target.Length = 0;
    target.MaximumLength = sizeof target_;
    ULONG returned = 0;
    status = ZwQuerySymbolicLinkObject(link, &target, &returned);
    ZwClose(link);
    if (!NT_SUCCESS(status)) {
      FB_TRACE("drive %wZ: link unreadable: 0x%08lx", &link_name, static_cast<ULONG>(status));
      return false;
    }
    *device = fb::Str16(target_, target.Length / sizeof(WCHAR));
    // Only local volume devices: a subst drive points into \??\ and a network drive into a
    // redirector, neither of which FileBackup attaches to.
    static constexpr char16_t kDevicePrefix[] = u"\\Device\\";
    const fb::Str16 prefix = fb::Str16::lit(kDevicePrefix);
    if (device->len <= prefix.len || !fb::equal(device->sub(0, prefix.len), prefix)) {
      FB_TRACE("drive %wZ -> %wZ: not a local volume", &link_name, &target);
      return false;
    }
    FB_TRACE("drive %wZ -> %wZ", &link_name, &target);
    return true;
  }

 private:
  char16_t target_[fb::kMaxDeviceNameUnits];
};

void trace_reports(const fb::ConfigReports& reports) {
  for (uint32_t i = 0; i < reports.count(); ++i) {
    const fb::ValueReport& r = reports[i];
    if (fb::is_item_problem(r.problem)) {
      FB_TRACE_ERROR("registry value %s, item %lu: %s (%s, rule error %u); item ignored",
                     fb::config_key_text(r.key), static_cast<ULONG>(r.index),
                     fb::value_problem_text(r.problem), fb::item_problem_text(r.item_problem),
                     static_cast<unsigned>(r.rule_error));
    } else {
      FB_TRACE_ERROR("registry value %s: %s; %s", fb::config_key_text(r.key),
                     fb::value_problem_text(r.problem), fb::invalid_value_outcome(r.key));
    }
  }
  if (reports.lost() != 0)
    FB_TRACE_ERROR("%lu more configuration problems not shown", static_cast<ULONG>(reports.lost()));
}

// The Str16 arrays and text the rule lists are views into, alive until compile_rules copied them.
struct ListBuffers {
  PoolBuffer items[4];       // by ConfigKey kProtectedFolders..kExcludeExtensions
  PoolBuffer resolved_items;
  PoolBuffer resolved_text;
};

// Splits one list value into a pool array. Returns false only when pool is exhausted.
bool split_list(const fb::RawConfig& raw, fb::ConfigKey key, PoolBuffer* storage, fb::RuleList* out,
                fb::ConfigReports* reports) {
  const uint32_t capacity = fb::list_item_bound(raw[key]);
  if (capacity != 0 && !storage->allocate(capacity * sizeof(fb::Str16), pool::kConfig)) return false;
  auto* items = reinterpret_cast<fb::Str16*>(storage->data());
  *out = fb::parse_list(raw, key, items, capacity, reports);
  return true;
}

// Drops invalid items of a list that lives in `storage` (defaults are valid and read-only).
void drop_invalid(fb::RuleListId list, fb::ConfigKey key, PoolBuffer& storage, fb::RuleList* rules,
                  fb::ConfigReports* reports) {
  auto* items = reinterpret_cast<fb::Str16*>(storage.data());
  if (rules->count == 0 || rules->items != items) return;
  rules->count = fb::drop_invalid_rules(list, key, items, rules->count, reports);
}

// Win32 folder paths -> NT folder-path rules for this boot's volume names.
bool resolve_folders(const fb::RuleList& win32, ListBuffers* buffers, fb::RuleList* out,
                     fb::ConfigReports* reports) {
  *out = fb::RuleList{};
  if (win32.count == 0) return true;
  const uint64_t units = fb::protected_folders_units(win32.items, win32.count);
  if (!buffers->resolved_text.allocate(units * sizeof(char16_t), pool::kConfig) ||
      !buffers->resolved_items.allocate(win32.count * sizeof(fb::Str16), pool::kConfig))
    return false;
  auto* drives = new (pool::kConfig) SymbolicLinkDrives;  // 512 bytes: not on the stack
  if (drives == nullptr) return false;
  auto* items = reinterpret_cast<fb::Str16*>(buffers->resolved_items.data());
  const uint32_t count = fb::resolve_protected_folders(
      win32.items, win32.count, *drives, reinterpret_cast<char16_t*>(buffers->resolved_text.data()),
      units, items, reports);
  delete drives;
  *out = fb::RuleList{items, count};
  return true;
}

// Reads the registry and builds a new block with one reference (the caller's). `in_force`: the
// tunables now in force (defaults at load); an invalid MaxVersions keeps its value.
NTSTATUS build(uint32_t generation, const fb::EngineConfig& in_force, Published** out) {
  *out = nullptr;
  // The raw values, the reports and the list arrays: ~1 KiB, too much for a kernel stack frame.
  struct Scratch {
    RegistryValues values;
    fb::ConfigReports reports;
    ListBuffers buffers;
  };
  Scratch* scratch = new (pool::kConfig) Scratch;
  if (scratch == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  auto free_scratch = on_scope_exit([scratch] { delete scratch; });
  fb::ConfigReports& reports = scratch->reports;
  ListBuffers& buffers = scratch->buffers;
  NTSTATUS status = scratch->values.read(&reports);
  if (!NT_SUCCESS(status)) return status;
  const fb::RawConfig& raw = scratch->values.raw();

  const fb::EngineConfig engine = fb::parse_engine_config(raw, in_force, &reports);
  fb::RuleList win32_folders, names, include, exclude;
  if (!split_list(raw, fb::ConfigKey::kProtectedFolders, &buffers.items[0], &win32_folders, &reports) ||
      !split_list(raw, fb::ConfigKey::kFolderNames, &buffers.items[1], &names, &reports) ||
      !split_list(raw, fb::ConfigKey::kIncludeExtensions, &buffers.items[2], &include, &reports) ||
      !split_list(raw, fb::ConfigKey::kExcludeExtensions, &buffers.items[3], &exclude, &reports))
    return STATUS_INSUFFICIENT_RESOURCES;
  drop_invalid(fb::RuleListId::kFolderNames, fb::ConfigKey::kFolderNames, buffers.items[1], &names, &reports);
  drop_invalid(fb::RuleListId::kIncludeExtensions, fb::ConfigKey::kIncludeExtensions, buffers.items[2],
               &include, &reports);
  drop_invalid(fb::RuleListId::kExcludeExtensions, fb::ConfigKey::kExcludeExtensions, buffers.items[3],
               &exclude, &reports);

  fb::RuleList folders;
  if (!resolve_folders(win32_folders, &buffers, &folders, &reports)) return STATUS_INSUFFICIENT_RESOURCES;
  drop_invalid(fb::RuleListId::kFolderPaths, fb::ConfigKey::kProtectedFolders, buffers.resolved_items,
               &folders, &reports);

  fb::RuleConfig lists;
  lists.folder_names = names;
  lists.folder_paths = folders;
  lists.include_extensions = include;
  lists.exclude_extensions = exclude;
  size_t rule_bytes = 0;
  const fb::RuleConfig rule_config = fb::finish_rule_config(lists, &reports, &rule_bytes);
  trace_reports(reports);

  void* block = pool::allocate(kRulesOffset + rule_bytes, pool::kConfig);
  if (block == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  auto* published = static_cast<Published*>(block);
  const fb::RuleStatus compiled =
      fb::compile_rules(rule_config, static_cast<uint8_t*>(block) + kRulesOffset, rule_bytes,
                        kernel_upcase, &published->settings.rules);
  if (!compiled.ok()) {  // cannot happen: finish_rule_config measured this very config
    FB_TRACE_ERROR("rule compilation failed (error %u)", static_cast<unsigned>(compiled.error));
    pool::free(block, pool::kConfig);
    return STATUS_INTERNAL_ERROR;
  }
  published->references = 1;
  runtime::Settings& settings = published->settings;
  settings.generation = generation;
  settings.engine = engine;
  settings.rules_loaded = fb::total_rules(*settings.rules);
  FB_TRACE_INFO(
      "configuration %lu: enabled %u, max file size %llu, min free space %llu, max versions %lu, "
      "vault max bytes %llu, vault max age %lu h, vault max file size %llu, "
      "%lu folder names, %lu folder paths, %lu included and %lu excluded extensions",
      static_cast<ULONG>(generation), engine.enabled ? 1u : 0u,
      static_cast<unsigned long long>(engine.max_file_size),
      static_cast<unsigned long long>(engine.min_free_space), static_cast<ULONG>(engine.max_versions),
      static_cast<unsigned long long>(engine.vault_max_bytes), static_cast<ULONG>(engine.vault_max_age_hours),
      static_cast<unsigned long long>(engine.vault_max_file_size),
      static_cast<ULONG>(settings.rules->rule_count(fb::RuleListId::kFolderNames)),
      static_cast<ULONG>(settings.rules->rule_count(fb::RuleListId::kFolderPaths)),
      static_cast<ULONG>(settings.rules->rule_count(fb::RuleListId::kIncludeExtensions)),
      static_cast<ULONG>(settings.rules->rule_count(fb::RuleListId::kExcludeExtensions)));
  *out = published;
  return STATUS_SUCCESS;
}

// Publishes `next` (its reference becomes the driver's) and drops the driver's reference to
// the previous block, which pinned readers may still hold.
void publish(Published* next) {
  KIRQL irql;
  KeAcquireSpinLock(&g_state.lock, &irql);
  Published* previous = g_state.current;
  g_state.current = next;
  KeReleaseSpinLock(&g_state.lock, irql);
  if (previous != nullptr) drop_reference(previous);
}

// Pins the current block: +1 reference under the lock, so it cannot be freed in between.
Published* pin() {
  KIRQL irql;
  KeAcquireSpinLock(&g_state.lock, &irql);
  Published* published = g_state.current;
  if (published != nullptr) add_reference(published);
  KeReleaseSpinLock(&g_state.lock, irql);
  return published;
}

}  // namespace

NTSTATUS load() {
  KeInitializeSpinLock(&g_state.lock);
  FltInitializePushLock(&g_state.reload_lock);
  g_state.initialized = true;
  g_state.generation = 1;
  Published* first = nullptr;
  const NTSTATUS status = build(g_state.generation, fb::EngineConfig(), &first);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("configuration could not be built: 0x%08lx", static_cast<ULONG>(status));
    return status;
  }
  publish(first);
  return STATUS_SUCCESS;
}

NTSTATUS reload(uint32_t* rules_loaded_now) {
  *rules_loaded_now = rules_loaded();
  if (!g_state.initialized) return STATUS_INVALID_DEVICE_STATE;
  FltAcquirePushLockExclusive(&g_state.reload_lock);
  Published* next = nullptr;
  const NTSTATUS status = build(g_state.generation + 1, engine_config(), &next);
  if (NT_SUCCESS(status)) {
    ++g_state.generation;
    // Tunables first, then rules: a decision in flight may pair the new tunables with the
    // old rule set for a moment, never half a rule set.
    runtime::engine_configure(next->settings.engine);
    publish(next);
    *rules_loaded_now = next->settings.rules_loaded;
  } else {
    FB_TRACE_ERROR("reload failed: 0x%08lx; the previous configuration stays in force",
                   static_cast<ULONG>(status));
  }
  FltReleasePushLock(&g_state.reload_lock);
  return status;
}

void unload() {
  if (!g_state.initialized) return;
  publish(nullptr);
  FltDeletePushLock(&g_state.reload_lock);
  g_state.initialized = false;
}

fb::EngineConfig engine_config() {
  Published* published = g_state.initialized ? pin() : nullptr;
  if (published == nullptr) return fb::EngineConfig{};
  const fb::EngineConfig config = published->settings.engine;
  drop_reference(published);
  return config;
}

uint32_t rules_loaded() {
  Published* published = g_state.initialized ? pin() : nullptr;
  if (published == nullptr) return 0;
  const uint32_t count = published->settings.rules_loaded;
  drop_reference(published);
  return count;
}

}  // namespace fbk::config

namespace fbk::runtime {

static_assert(offsetof(config::Published, settings) == 0, "a Settings* is its block");

void SettingsRef::reset() {
  if (settings_ != nullptr) config::drop_reference(reinterpret_cast<config::Published*>(const_cast<Settings*>(settings_)));
  settings_ = nullptr;
}

SettingsRef acquire_settings() {
  SettingsRef ref;
  config::Published* published = config::g_state.initialized ? config::pin() : nullptr;
  ref.settings_ = published != nullptr ? &published->settings : nullptr;
  return ref;
}

}  // namespace fbk::runtime
