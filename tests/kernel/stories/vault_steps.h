// The steps the vault stories share (vault_stories.cpp, vault_variant_stories.cpp): how `del`,
// Excel and Word save (docs/save-patterns.md S6, S6b), and what the vault's folder holds.
#pragma once

#include <string>
#include <vector>

#include "tests/kernel/stories/story.h"

namespace ksim::stories::vault_steps {

inline const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";
inline const Name kDoc = kDocs + u"report.docx";
inline const Name kOldDoc = kDocs + u"~WRL0001.tmp";  // Word's renamed-away original
inline const Name kExcelTemp = kDocs + u"Cedd4100";
inline const Name kWordTemp = kDocs + u"~WRD0002.tmp";
inline const Name kVaultFolder = u"\\Device\\HarddiskVolume2\\$FileBackupVault\\";
constexpr uint32_t kReadWrite = fb::access::kReadData | fb::access::kWriteData;

// Files in the vault's folder, without their .info records (folded names).
inline std::vector<Name> vault_files(fbmodel::Volume& volume) {
  const Name prefix = fbmodel::fold(kVaultFolder);
  std::vector<Name> out;
  for (const Name& n : volume.file_names())
    if (n.compare(0, prefix.size(), prefix) == 0 && n.find(u".INFO") == Name::npos) out.push_back(n);
  return out;
}

// cmd's `del`, Explorer's Shift+Del: open for DELETE, a disposition (or, as DeleteFileW does on
// NTFS since Windows 10 1709, a POSIX disposition-ex), close.
inline fb::NtStatus del(World& world, const Name& path, bool posix = false) {
  AppFile* h = nullptr;
  const fb::NtStatus s = world.open(path, fb::access::kDelete, fb::CreateDisposition::kOpen, &h);
  if (!fb::nt_success(s)) return s;
  const fb::NtStatus d = posix ? world.delete_posix(h) : world.delete_on_close(h);
  world.close(h);
  return d;
}

// Excel (KB 814068): write a temp file, delete the original, rename the temp to its name.
inline void excel_save(World& world, const std::string& content, bool posix = false) {
  AppFile* temp = nullptr;
  ASSERT_EQ(world.open(kExcelTemp, kReadWrite | fb::access::kDelete, fb::CreateDisposition::kCreate, &temp),
            fb::nt::kSuccess);
  ASSERT_EQ(world.write(temp, 0, content), fb::nt::kSuccess);
  ASSERT_EQ(del(world, kDoc, posix), fb::nt::kSuccess);
  ASSERT_EQ(world.rename(temp, kDoc, false), fb::nt::kSuccess);
  world.close(temp);
}

// Word: rename the original away, write a new temp, rename it in, delete the old original
// (or, `delete_before_rename_in`, delete the old original before the new file takes the name).
inline void word_save(World& world, const std::string& content, bool delete_before_rename_in = false) {
  AppFile* original = nullptr;
  ASSERT_EQ(world.open(kDoc, fb::access::kDelete | fb::access::kReadData, fb::CreateDisposition::kOpen, &original),
            fb::nt::kSuccess);
  ASSERT_EQ(world.rename(original, kOldDoc, false), fb::nt::kSuccess);
  world.close(original);
  if (delete_before_rename_in) {
    ASSERT_EQ(del(world, kOldDoc), fb::nt::kSuccess);
  }
  AppFile* temp = nullptr;
  ASSERT_EQ(world.open(kWordTemp, kReadWrite | fb::access::kDelete, fb::CreateDisposition::kCreate, &temp),
            fb::nt::kSuccess);
  ASSERT_EQ(world.write(temp, 0, content), fb::nt::kSuccess);
  ASSERT_EQ(world.rename(temp, kDoc, false), fb::nt::kSuccess);
  world.close(temp);
  if (!delete_before_rename_in) {
    ASSERT_EQ(del(world, kOldDoc), fb::nt::kSuccess);
  }
}

}  // namespace ksim::stories::vault_steps
