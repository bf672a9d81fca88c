// The vault's bounds with entries on two volumes (common/engine/vault.h, "bound"). The engine
// does its I/O on the instance of the callback it serves, and an instance reaches its own
// volume only (FltCreateFileEx2 on an instance of another volume fails with
// STATUS_INVALID_PARAMETER, docs: FltCreateFileEx2, "Instance": the file must be on the volume
// the instance is attached to). So a bound run from volume A's callback cannot remove an entry
// on volume B: each entry must be bounded when its own volume's instance next runs, and an
// entry of another volume must never keep volume A's entries from being bounded.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/engine/vault.h"
#include "tests/model/filter_harness.h"
#include "tests/model/model_fs.h"

namespace fbscenario {
namespace {

using fbmodel::Name;

const Name kVolumeA = u"\\Device\\HarddiskVolume2";
const Name kVolumeB = u"\\Device\\HarddiskVolume3";
constexpr int64_t kHour = 36000000000ll;
constexpr int64_t kNow = 134000000000000000ll;

fb::Str16 view(const Name& n) { return fb::Str16(n.data(), static_cast<uint32_t>(n.size())); }

Name vault_file(const Name& volume, uint64_t id) {
  char16_t units[fb::kVaultPathUnits];
  uint32_t len = 0;
  EXPECT_EQ(fb::build_vault_path(view(volume), id, false, units, fb::kVaultPathUnits, &len), fb::nt::kSuccess);
  return Name(units, len);
}

// One instance per volume: an open of a path on another volume fails as FltCreateFileEx2 does
// on an instance of another volume.
class VolumeInstance final : public fb::FileSystem {
 public:
  VolumeInstance(fbmodel::ModelFs& host, const Name& volume) : inner_(host, fb::IoTarget{}), volume_(volume) {}
  bool on_my_volume(fb::Str16 path) const {
    const Name p(path.data, path.len);
    return fbmodel::fold(p.substr(0, volume_.size() + 1)) == fbmodel::fold(volume_ + u"\\");
  }
  fb::NtStatus open(fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override {
    if (!on_my_volume(file)) {
      ++refused;
      return fb::nt::kInvalidParameter;
    }
    return inner_.open(file, stream, mode, out);
  }
  fb::NtStatus read(fb::FsHandle h, uint64_t o, void* b, uint32_t l, uint32_t* r) override { return inner_.read(h, o, b, l, r); }
  fb::NtStatus write(fb::FsHandle h, uint64_t o, const void* b, uint32_t l, uint32_t* w) override {
    return inner_.write(h, o, b, l, w);
  }
  fb::NtStatus query_size(fb::FsHandle h, uint64_t* s) override { return inner_.query_size(h, s); }
  fb::NtStatus set_end_of_file(fb::FsHandle h, uint64_t s) override { return inner_.set_end_of_file(h, s); }
  fb::NtStatus rename_stream(fb::FsHandle h, fb::Str16 n, bool r) override { return inner_.rename_stream(h, n, r); }
  fb::NtStatus mark_delete(fb::FsHandle h) override { return inner_.mark_delete(h); }
  fb::NtStatus query_free_space(fb::FsHandle h, uint64_t* f) override { return inner_.query_free_space(h, f); }
  fb::NtStatus check_requestor_access(fb::Str16 f, uint32_t a, uint32_t o) override {
    return inner_.check_requestor_access(f, a, o);
  }
  fb::NtStatus link_into(fb::FsHandle h, fb::Str16 t) override { return inner_.link_into(h, t); }
  fb::NtStatus query_file_id(fb::FsHandle h, uint64_t* id) override { return inner_.query_file_id(h, id); }
  fb::NtStatus query_links(fb::FsHandle h, uint32_t* l) override { return inner_.query_links(h, l); }
  fb::NtStatus ensure_directory(fb::Str16 d) override {
    if (!on_my_volume(d)) return fb::nt::kInvalidParameter;
    return inner_.ensure_directory(d);
  }
  fb::NtStatus list_directory(fb::Str16 d, fb::DirectoryVisitor& v) override {
    if (!on_my_volume(d)) return fb::nt::kInvalidParameter;
    return inner_.list_directory(d, v);
  }
  void close(fb::FsHandle h) override { inner_.close(h); }
  int refused = 0;

 private:
  fb::TargetedFileSystem inner_;
  Name volume_;
};

class NoReports final : public fb::VaultReporter {
 public:
  void evicted(fb::Str16 path, const fb::VaultEntry&) override { evicted_paths.emplace_back(path.data, path.len); }
  std::vector<Name> evicted_paths;
};

class VaultVolumes : public ::testing::Test {
 protected:
  void SetUp() override {
    vault.init(&lock, 1);
    config.vault_max_bytes = 150;
    config.vault_max_age_hours = 24;
  }
  // A kept file (as a restart's scan finds it) of `size` bytes that left its name `age` ago.
  void kept(const Name& volume, uint64_t id, int64_t age, uint64_t size) {
    model.put(vault_file(volume, id), std::string(size, 'x'));
    ASSERT_TRUE(vault.found(view(volume), id, kNow - age, size));
  }

  fbmodel::Volume model;
  fbmodel::ModelFs host{model};
  VolumeInstance on_a{host, kVolumeA};
  VolumeInstance on_b{host, kVolumeB};
  fbmodel::StdFileLock lock;
  fb::Vault vault;
  fb::EngineConfig config;
  NoReports reports;
};

// Over VaultMaxBytes with the oldest entry on volume B: a bound from volume A's callback removes
// A's oldest (B's cannot be reached from there) instead of stopping at B's.
TEST_F(VaultVolumes, AnEntryOnAnotherVolumeDoesNotHoldUpTheBound) {
  kept(kVolumeB, 0x10, 3 * kHour, 100);  // the oldest, on B
  kept(kVolumeA, 0x20, 2 * kHour, 100);
  kept(kVolumeA, 0x30, 1 * kHour, 10);
  vault.enforce_bounds(on_a, view(kVolumeA), config, kNow, reports);
  EXPECT_EQ(on_a.refused, 0) << "the bound tried I/O on another volume through A's instance";
  EXPECT_FALSE(model.exists(vault_file(kVolumeA, 0x20))) << "A's oldest goes: the total is over the bound";
  EXPECT_TRUE(model.exists(vault_file(kVolumeA, 0x30)));
  EXPECT_TRUE(model.exists(vault_file(kVolumeB, 0x10))) << "B's entry waits for B's instance";
  EXPECT_EQ(vault.kept_bytes(), 110u);
  ASSERT_EQ(reports.evicted_paths.size(), 1u);
  EXPECT_EQ(fbmodel::fold(reports.evicted_paths[0]), fbmodel::fold(vault_file(kVolumeA, 0x20)));
}

// An entry over VaultMaxAgeHours goes when its own volume's instance next runs a bound, not
// from another volume's (where its removal could only fail), and is then gone for good.
TEST_F(VaultVolumes, EachVolumeIsBoundedByItsOwnInstance) {
  kept(kVolumeB, 0x10, 30 * kHour, 10);  // over the age bound
  kept(kVolumeA, 0x20, 1 * kHour, 10);
  vault.enforce_bounds(on_a, view(kVolumeA), config, kNow, reports);
  EXPECT_EQ(on_a.refused, 0);
  EXPECT_TRUE(model.exists(vault_file(kVolumeB, 0x10)));
  EXPECT_EQ(vault.count(fb::VaultEntryState::kKept), 2u);
  vault.enforce_bounds(on_b, view(kVolumeB), config, kNow, reports);
  EXPECT_EQ(on_b.refused, 0);
  EXPECT_FALSE(model.exists(vault_file(kVolumeB, 0x10)));
  EXPECT_TRUE(model.exists(vault_file(kVolumeA, 0x20)));
  EXPECT_EQ(vault.count(fb::VaultEntryState::kKept), 1u);
}

}  // namespace
}  // namespace fbscenario
