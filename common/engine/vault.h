// The vault: what a delete or a rename away would take from a protected name is kept, so that
// the file that takes the name next receives it (history follows the name), and a file deleted
// for good can be put back (fbmon deleted / restore --deleted).
//
// Excel saves by writing a temp file, deleting the original and renaming the temp to the
// original name (S6); Word renames the original away to `~WRLxxxx.tmp`, renames its temp to the
// original name and deletes the old one (S6b). Either way the original file object, with its
// `:backup` and every version, leaves the name, and the file that has the name after the save
// starts with no history. So:
//
//   keep     when a delete of a protected file with content is asked for (a disposition, a
//            disposition-ex with or without POSIX semantics, a delete-on-close open that
//            succeeded), or a protected file is renamed away to another name, the file gets one
//            more name: a hard link `<volume>\$FileBackupVault\<16 hex id>` (FileLinkInformation
//            on a handle to it, made before the delete can happen). All names share one file
//            record with every stream (N10), and a delete removes only the name it was asked
//            through (N10, N11), so the link keeps the content, `:backup` and every version alive
//            without copying a byte: the cost does not grow with the file. A small record file
//            `<id>.info` beside it says whose it was (vault_record.h).
//   settle   a delete may not happen (refused, cancelled by DeleteFile FALSE, a delete-on-close
//            open that failed). At every cleanup of the watched stream the engine looks at the
//            original name: delete pending -> wait; the same file still there -> the delete did
//            not happen, the link and its record are removed (nothing is left in the vault);
//            gone, or another file there -> the file is kept (event kKeptInVault).
//   adopt    a file arriving at a protected name (renamed in without replace, or created) within
//            kNameHistoryWindow of its previous file's delete or rename away receives that file's
//            content and versions exactly as the S5 adoption does (common/engine/adopt.h), read
//            through the vault's name; the vault's name is then removed (event
//            kDeleteThenRename / kRenameAwayThenRename / kDeleteThenCreate). The adopted file is
//            remembered for the window: its own delete later (Word deletes `~WRL*.tmp`) keeps
//            nothing and loses nothing.
//   bound    entries older than VaultMaxAgeHours go, then the oldest until the kept files'
//            total is under VaultMaxBytes and the volume's free space is over MinFreeSpace
//            (event kVaultEvicted), each volume's entries when a callback on that volume runs
//            the bounds (its instance reaches no other volume); files over VaultMaxFileSize, or deleted while free space is
//            already under MinFreeSpace, are not kept (event kBackupLost with the reason).
//            A departed entry whose window passed loses its vault name (the file still has its
//            new one), unless that new name was deleted since: then it is a kept file.
//
// Why `\$FileBackupVault\` and not `\System Volume Information\FileBackup\`: System Volume
// Information belongs to Windows (restore points, VSS, the indexer, Storage Sense and
// `vssadmin`/Disk Cleanup manage it, and its DACL grants SYSTEM alone, so fbmon running as an
// administrator could not list the vault without taking ownership). A folder of our own at the
// volume root is created hidden and system with a protected DACL that SYSTEM and
// Administrators pass (common/engine/rescue_security.h): others can neither list it nor add or
// remove names in it. The kept file's own security descriptor belongs to its file record and
// is the same through every name (N10): whoever could read the file before its delete can
// still open it by its vault name if they know it (traverse checking is usually bypassed),
// nobody else can.
//
// The ledger of entries is in memory (kVaultEntries, all volumes), under the vault's lock
// (EngineServices::vault_lock), which is taken after a file's lock, never before. After a
// restart the ledger is empty: the driver hands every entry it finds in a vault folder to
// Engine::vault_found, and the bounds reclaim them like any other.
#pragma once

#include "common/base/thread_annotations.h"
#include "common/engine/backup.h"
#include "common/engine/config.h"
#include "common/engine/file_system.h"
#include "common/engine/lock.h"
#include "common/engine/streams.h"
#include "common/base/fb_base.h"

namespace fb {

constexpr uint32_t kVaultEntries = 64;
constexpr uint32_t kVaultVolumeUnits = 64;  // `\Device\HarddiskVolume12` and the like
// `\$FileBackupVault` (17) + `\` + 16 hex digits + `.info` (5).
constexpr uint32_t kVaultPathUnits = kVaultVolumeUnits + 40;

enum class VaultEntryState : uint8_t {
  kFree = 0,
  kPending = 1,   // a delete was asked for; not yet known to have happened
  kDeparted = 2,  // the file was renamed away from the name (it still lives under its new name)
  kKept = 3,      // the delete happened: the vault's name is the file's only one
  kAdopted = 4,   // its history went to the file that took the name; the vault's name is gone
};

struct VaultEntry {
  VaultEntryState state = VaultEntryState::kFree;
  uint64_t id = 0;         // names the vault file
  uint64_t name_hash = 0;  // history_hash of the protected name it left
  uint64_t file_id = 0;    // FileInternalInformation
  int64_t time = 0;        // when it left the name (FILETIME)
  uint64_t process_id = 0;
  uint64_t size = 0;       // the default stream's size
  char16_t volume[kVaultVolumeUnits] = {};
  uint32_t volume_len = 0;
};

// --- pure helpers (tests/unit/common/engine/vault_test.cpp) -----------------------------------
// The volume part of an NT path: `\Device\<name>` (empty when the path has no such prefix, when
// it is longer than kVaultVolumeUnits, or for the network redirector `\Device\Mup`: the vault
// keeps files of local volumes only).
Str16 vault_volume_of(Str16 file);
// FNV-1a (64 bit) over the path's NTFS-upcased units: names that NTFS treats as one hash alike.
uint64_t history_hash(Str16 path);
// `<volume>\$FileBackupVault` (id == 0 and !info), `<volume>\$FileBackupVault\<16 hex>`, or with
// info the record's `...\<16 hex>.info`. kNameTooLong when it does not fit cap.
NtStatus build_vault_path(Str16 volume, uint64_t id, bool info, char16_t* out, uint32_t cap, uint32_t* len);

// The id of a vault file's name (exactly 16 hex digits, either case, not all zero); false for a
// record (`<id>.info`) or any other name.
bool vault_id_of_name(Str16 name, uint64_t* id);

class VaultPath {
 public:
  VaultPath(Str16 volume, uint64_t id, bool info = false) {
    if (!nt_success(build_vault_path(volume, id, info, units_, kVaultPathUnits, &len_))) len_ = 0;
  }
  Str16 view() const { return Str16(units_, len_); }

 private:
  char16_t units_[kVaultPathUnits] = {};
  uint32_t len_ = 0;
};

// --- the vault -------------------------------------------------------------------------------
struct VaultKeep {
  bool kept = false;        // a vault entry holds the file now (id)
  bool covered = false;     // nothing is lost: an entry already holds it, its history went to a
                            // newcomer, or it has neither content nor backup
  uint64_t id = 0;
  uint64_t size = 0;
  SkipReason refused = SkipReason::kNone;  // not kept because of this (kTooLarge, kLowDiskSpace,
                                           // kDisabled) ...
  NtStatus status = nt::kSuccess;          // ... or because this failed
};

enum class VaultSettle : uint8_t {
  kWaiting = 0,    // the name is delete-pending: ask again at the next cleanup
  kCancelled = 1,  // the same file is still at the name: the vault entry was removed
  kKept = 2,       // the delete happened: the vault keeps the file
  kGone = 3,       // no such pending entry (adopted or evicted meanwhile)
};

// An entry the bounds removed, or a kept file to report.
class VaultReporter {
 public:
  virtual void evicted(Str16 vault_path, const VaultEntry& entry) = 0;

 protected:
  VaultReporter() = default;
  ~VaultReporter() = default;
};

class Vault {
 public:
  Vault() = default;
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;
  // lock null: the vault is off (every delete is reported as before).
  void init(FileLock* lock, uint64_t first_id) FB_NO_THREAD_SAFETY_ANALYSIS {
    lock_ = lock;
    next_id_ = first_id;
  }
  bool enabled() const { return lock_ != nullptr; }
  // Cheap check before any name is hashed: whether any entry could give a name its history.
  bool has_history() const { return __atomic_load_n(&live_, __ATOMIC_ACQUIRE) != 0; }

  // Gives `file` a vault name (state kPending for a delete, kDeparted for a rename away).
  // history false: a safety copy (the target of a rename over, kDeparted, before its adoption;
  // the kept rescue file of an overwrite, kKept): it never gives a name its history (no name
  // hash), it is only kept and bounded, and listed by fbmon deleted from its record, which
  // names `record_name` (empty: `file`).
  VaultKeep keep(FileSystem& fs, Str16 file, VaultEntryState kind, const EngineConfig& config, int64_t now,
                 uint64_t process_id, VaultReporter& reporter, bool history = true, Str16 record_name = Str16())
      FB_EXCLUDES(lock_);
  // A safety copy is not needed after all (the adoption it guarded carried everything): its
  // vault name and record go and the entry is free. An entry whose name cannot go now stays
  // (the bounds remove it later).
  void discard(FileSystem& fs, uint64_t id) FB_EXCLUDES(lock_);
  // After a cleanup of the stream whose delete entry `id` watches; `name` is the file's name now.
  VaultSettle settle(FileSystem& fs, uint64_t id, Str16 name, int64_t now, VaultEntry* entry) FB_EXCLUDES(lock_);
  // The entry whose history `name` receives now, if any (the most recent within the window).
  bool history_for(Str16 name, int64_t now, VaultEntry* out) FB_EXCLUDES(lock_);
  // The history was adopted: the vault's name (and record) go, the entry remembers the file.
  void adopted(FileSystem& fs, uint64_t id, int64_t now) FB_EXCLUDES(lock_);
  // The bounds: age, total size, free space (see the header comment), on the entries of
  // `volume`, the volume `fs` reaches (the callback's instance's: FltCreateFileEx2 reaches only
  // the volume its instance is attached to). An entry on another volume waits for a bound run
  // there; it never holds up this volume's. VaultMaxBytes counts every volume's kept files: over
  // it, this volume's oldest go.
  void enforce_bounds(FileSystem& fs, Str16 volume, const EngineConfig& config, int64_t now,
                      VaultReporter& reporter) FB_EXCLUDES(lock_);
  // An entry found in a vault folder after a restart (the driver's scan): a kept file of that
  // age and size, under the bounds from now on. false when the ledger is full.
  bool found(Str16 volume, uint64_t id, int64_t time, uint64_t size, uint64_t process_id = 0) FB_EXCLUDES(lock_);
  // After a restart (the driver's instance setup): every vault file in `volume`'s folder goes
  // back in the ledger through found(), with the time and size its record gives (no valid
  // record: its own size, and `now`). Returns how many; stops when the ledger is full.
  uint32_t scan(FileSystem& fs, Str16 volume, int64_t now) FB_EXCLUDES(lock_);
  // Tests and statistics.
  uint32_t count(VaultEntryState state) FB_EXCLUDES(lock_);
  uint64_t kept_bytes() FB_EXCLUDES(lock_);

 private:
  VaultEntry* find_id(uint64_t id) FB_REQUIRES(lock_);
  VaultEntry* find_file(Str16 volume, uint64_t file_id) FB_REQUIRES(lock_);
  // A free entry; when none, the oldest adopted memory, else the oldest kept file on `volume`
  // (the one fs reaches) is given up.
  VaultEntry* free_slot(FileSystem& fs, Str16 volume, VaultReporter& reporter) FB_REQUIRES(lock_);
  // Removes the vault name and record of `e` (the file lives on under any other name). false
  // when the name could not be removed (a handle without FILE_SHARE_DELETE holds the file).
  bool remove_names(FileSystem& fs, const VaultEntry& e) FB_REQUIRES(lock_);
  void evict(FileSystem& fs, VaultEntry* e, VaultReporter& reporter) FB_REQUIRES(lock_);
  void release(VaultEntry* e) FB_REQUIRES(lock_);
  void occupy(VaultEntry* e) FB_REQUIRES(lock_);

  FileLock* lock_ = nullptr;
  VaultEntry entries_[kVaultEntries] FB_GUARDED_BY(lock_);
  uint64_t next_id_ FB_GUARDED_BY(lock_) = 1;
  uint32_t live_ = 0;  // entries not free; written under the lock, read without it (atomics)
};

}  // namespace fb
