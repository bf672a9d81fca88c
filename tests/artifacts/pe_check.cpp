// fb_pe_check: one check of a PE image per run, for CTest (one test per check).
//
//   fb_pe_check <check> <image> [--allow FILE]... [--allow-def FILE]... [--system-dlls FILE]
//   fb_pe_check list-imports <image>             prints MODULE!Name per import
//   fb_pe_check mutate <what> <in> <out>         writes a copy broken in exactly one way
//
// Prints "PASS <check>: ..." and exits 0, or "FAIL <check>: <reason>" and exits 1; usage or
// unreadable input exits 2. The mutations exist to prove, in CTest, that each check bites.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/artifacts/pe_image.h"

namespace {

struct Options {
  std::vector<std::string> allow_files;
  std::vector<std::string> allow_def_files;
  std::string system_dlls_file;
};

struct Result {
  bool ok;
  std::string detail;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Non-empty, non-comment lines of a text file, trimmed.
bool read_lines(const std::string& path, std::vector<std::string>* lines) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    const size_t hash = line.find_first_of("#;");
    if (hash != std::string::npos) line.erase(hash);
    const size_t b = line.find_first_not_of(" \t\r");
    const size_t e = line.find_last_not_of(" \t\r");
    if (b != std::string::npos) lines->push_back(line.substr(b, e - b + 1));
  }
  return true;
}

// "module!name" keys, module lower-cased (DLL names are case-insensitive, function names not).
std::string import_key(const std::string& module, const std::string& name) {
  return lower(module) + "!" + name;
}

bool load_allow_list(const Options& opt, std::set<std::string>* allowed, std::string* error) {
  for (const std::string& file : opt.allow_files) {
    std::vector<std::string> lines;
    if (!read_lines(file, &lines)) {
      *error = "cannot read allow-list " + file;
      return false;
    }
    for (const std::string& l : lines) {
      const size_t bang = l.find('!');
      if (bang == std::string::npos) {
        *error = "allow-list line without MODULE!Name: " + l;
        return false;
      }
      allowed->insert(import_key(l.substr(0, bang), l.substr(bang + 1)));
    }
  }
  for (const std::string& file : opt.allow_def_files) {  // LIBRARY x / EXPORTS names
    std::vector<std::string> lines;
    if (!read_lines(file, &lines)) {
      *error = "cannot read def file " + file;
      return false;
    }
    std::string module;
    bool in_exports = false;
    for (const std::string& l : lines) {
      if (l.rfind("LIBRARY", 0) == 0) {
        std::istringstream words(l.substr(7));
        words >> module;
      } else if (l == "EXPORTS") {
        in_exports = true;
      } else if (in_exports && !module.empty()) {
        std::istringstream words(l);
        std::string name;
        words >> name;
        allowed->insert(import_key(module, name));
      }
    }
    if (module.empty()) {
      *error = "def file without LIBRARY: " + file;
      return false;
    }
  }
  return true;
}

std::vector<std::string> import_modules(const pe::Image& image) {
  std::vector<std::string> modules;
  for (const pe::Import& imp : image.imports())
    if (std::find(modules.begin(), modules.end(), imp.dll) == modules.end()) modules.push_back(imp.dll);
  return modules;
}

// --- the checks -----------------------------------------------------------------------------------

Result check_machine(const pe::Image& image, const Options&) {
  if (image.machine() != pe::kMachineAmd64)
    return {false, "machine is " + hex(image.machine()) + ", not AMD64 (0x8664)"};
  return {true, "AMD64, PE32+"};
}

Result check_subsystem(const pe::Image& image, uint16_t wanted, const char* name) {
  if (image.subsystem() != wanted)
    return {false, "subsystem is " + std::to_string(image.subsystem()) + ", not " + name + " (" +
                       std::to_string(wanted) + ")"};
  return {true, std::string("subsystem ") + name};
}

Result check_entry_point(const pe::Image& image, const Options&) {
  if (image.entry_point() == 0) return {false, "no entry point (AddressOfEntryPoint is 0)"};
  const pe::Section* s = image.section_of(image.entry_point());
  if (s == nullptr || !(s->characteristics & pe::kSectionMemExecute))
    return {false, "entry point " + hex(image.entry_point()) + " is not in an executable section"};
  return {true, "entry point " + hex(image.entry_point()) + " in " + s->name};
}

Result check_driver_import_modules(const pe::Image& image, const Options&) {
  static const std::set<std::string> kKernelModules = {"ntoskrnl.exe", "fltmgr.sys", "hal.dll"};
  std::vector<std::string> bad;
  for (const std::string& m : import_modules(image))
    if (!kKernelModules.count(lower(m))) bad.push_back(m);
  if (!bad.empty())
    return {false, "imports from " + join(bad) +
                       " (a driver may import only from ntoskrnl.exe, FLTMGR.SYS and HAL.dll)"};
  return {true, "imports only from " + join(import_modules(image))};
}

Result check_driver_import_names(const pe::Image& image, const Options& opt) {
  std::set<std::string> allowed;
  std::string error;
  if (opt.allow_files.empty() && opt.allow_def_files.empty()) return {false, "no --allow list given"};
  if (!load_allow_list(opt, &allowed, &error)) return {false, error};
  std::vector<std::string> bad;
  for (const pe::Import& imp : image.imports()) {
    if (imp.by_ordinal)
      bad.push_back(imp.dll + "!#" + std::to_string(imp.ordinal) + " (by ordinal)");
    else if (!allowed.count(import_key(imp.dll, imp.name)))
      bad.push_back(imp.dll + "!" + imp.name);
  }
  if (!bad.empty()) return {false, "imports not on the allow-list: " + join(bad)};
  return {true, std::to_string(image.imports().size()) + " imports, all on the allow-list"};
}

Result check_user_import_modules(const pe::Image& image, const Options& opt) {
  std::vector<std::string> lines;
  if (opt.system_dlls_file.empty() || !read_lines(opt.system_dlls_file, &lines))
    return {false, "cannot read --system-dlls list"};
  std::set<std::string> system;
  for (const std::string& l : lines) system.insert(lower(l));
  std::vector<std::string> bad;
  for (const std::string& m : import_modules(image)) {
    const std::string l = lower(m);
    const bool api_set = l.rfind("api-ms-win-", 0) == 0;
    if (!api_set && !system.count(l)) bad.push_back(m);
  }
  if (!bad.empty())
    return {false, "imports DLLs that are not part of Windows: " + join(bad) +
                       " (link statically: -static, no libstdc++/libgcc/winpthread DLLs)"};
  return {true, "imports only Windows DLLs: " + join(import_modules(image))};
}

Result check_relocations(const pe::Image& image, const Options&) {
  if (image.file_characteristics() & pe::kFileRelocsStripped)
    return {false, "IMAGE_FILE_RELOCS_STRIPPED is set"};
  const pe::DataDirectory d = image.directory(pe::kDirBaseReloc);
  if (d.rva == 0 || d.size == 0) return {false, "no base relocations (data directory 5 empty)"};
  return {true, "base relocations: " + std::to_string(d.size) + " bytes"};
}

Result check_pdata(const pe::Image& image, const Options&) {
  const pe::DataDirectory d = image.directory(pe::kDirException);
  if (d.rva == 0 || d.size == 0) return {false, "no exception directory (.pdata unwind data missing)"};
  const pe::Section* s = image.section_of(d.rva);
  if (s == nullptr || s->name != ".pdata") return {false, "exception directory is not in a .pdata section"};
  return {true, ".pdata: " + std::to_string(d.size / 12) + " function entries"};
}

Result check_dll_characteristics(const pe::Image& image, const Options&) {
  std::vector<std::string> missing;
  if (!(image.dll_characteristics() & pe::kDllCharDynamicBase)) missing.push_back("DYNAMIC_BASE");
  if (!(image.dll_characteristics() & pe::kDllCharNxCompat)) missing.push_back("NX_COMPAT");
  if (!missing.empty())
    return {false, "DllCharacteristics " + hex(image.dll_characteristics()) + " lacks " + join(missing)};
  return {true, "DllCharacteristics " + hex(image.dll_characteristics())};
}

Result check_no_wx_sections(const pe::Image& image, const Options&) {
  std::vector<std::string> bad;
  for (const pe::Section& s : image.sections())
    if ((s.characteristics & pe::kSectionMemWrite) && (s.characteristics & pe::kSectionMemExecute))
      bad.push_back(s.name);
  if (!bad.empty()) return {false, "sections both writable and executable: " + join(bad)};
  return {true, std::to_string(image.sections().size()) + " sections, none both writable and executable"};
}

Result check_checksum(const pe::Image& image, const Options&) {
  const uint32_t computed = image.compute_checksum();
  if (image.stored_checksum() != computed)
    return {false, "PE checksum in the header is " + hex(image.stored_checksum()) + ", computed " + hex(computed)};
  return {true, "PE checksum " + hex(computed)};
}

using CheckFn = std::function<Result(const pe::Image&, const Options&)>;

const std::map<std::string, CheckFn>& checks() {
  static const std::map<std::string, CheckFn> table = {
      {"machine", check_machine},
      {"subsystem-native", [](const pe::Image& i, const Options&) { return check_subsystem(i, pe::kSubsystemNative, "native"); }},
      {"subsystem-console", [](const pe::Image& i, const Options&) { return check_subsystem(i, pe::kSubsystemWindowsCui, "console"); }},
      {"entry-point", check_entry_point},
      {"driver-import-modules", check_driver_import_modules},
      {"driver-import-names", check_driver_import_names},
      {"user-import-modules", check_user_import_modules},
      {"relocations", check_relocations},
      {"pdata", check_pdata},
      {"dll-characteristics", check_dll_characteristics},
      {"no-wx-sections", check_no_wx_sections},
      {"checksum", check_checksum},
  };
  return table;
}

// --- mutations: each breaks the image for exactly one check ------------------------------------

bool mutate(const std::string& what, pe::Image& image, std::vector<uint8_t>& b) {
  const size_t opt = image.optional_header_offset();
  if (what == "machine") {
    pe::write_u16(b, image.file_header_offset(), 0x014c);  // i386
  } else if (what == "subsystem") {
    pe::write_u16(b, opt + pe::Image::kOptSubsystem, pe::kSubsystemWindowsCui);
  } else if (what == "entry-point") {
    pe::write_u32(b, opt + pe::Image::kOptEntryPoint, 0);
  } else if (what == "relocations") {
    pe::write_u32(b, opt + pe::Image::kOptDataDirectories + 8 * pe::kDirBaseReloc, 0);
    pe::write_u32(b, opt + pe::Image::kOptDataDirectories + 8 * pe::kDirBaseReloc + 4, 0);
  } else if (what == "pdata") {
    pe::write_u32(b, opt + pe::Image::kOptDataDirectories + 8 * pe::kDirException, 0);
    pe::write_u32(b, opt + pe::Image::kOptDataDirectories + 8 * pe::kDirException + 4, 0);
  } else if (what == "dll-characteristics") {
    pe::write_u16(b, opt + pe::Image::kOptDllCharacteristics,
                  static_cast<uint16_t>(image.dll_characteristics() & ~pe::kDllCharNxCompat));
  } else if (what == "wx-section") {
    for (const pe::Section& s : image.sections())
      if (s.characteristics & pe::kSectionMemExecute) {
        pe::write_u32(b, s.header_offset + 36, s.characteristics | pe::kSectionMemWrite);
        return true;
      }
    return false;
  } else if (what == "checksum") {
    pe::write_u32(b, opt + pe::Image::kOptChecksum, image.stored_checksum() + 1);
  } else if (what == "code-byte") {  // one byte of code: breaks the Authenticode hash
    const pe::Section* s = image.section_of(image.entry_point());
    if (s == nullptr) return false;
    b.at(s->raw_offset + (image.entry_point() - s->virtual_address)) ^= 0xff;
  } else {
    return false;
  }
  return true;
}

int usage() {
  std::fprintf(stderr,
               "usage: fb_pe_check <check> <image> [--allow FILE]... [--allow-def FILE]... [--system-dlls FILE]\n"
               "       fb_pe_check list-imports <image>\n"
               "       fb_pe_check mutate <machine|subsystem|entry-point|relocations|pdata|dll-characteristics|wx-section|checksum|code-byte> <in> <out>\n"
               "checks:");
  for (const auto& c : checks()) std::fprintf(stderr, " %s", c.first.c_str());
  std::fprintf(stderr, "\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string command = argv[1];
  std::string error;
  pe::Image image;

  if (command == "mutate") {
    if (argc != 5) return usage();
    if (!image.load(argv[3], &error)) {
      std::fprintf(stderr, "fb_pe_check: %s: %s\n", argv[3], error.c_str());
      return 2;
    }
    std::vector<uint8_t> bytes = image.bytes();
    if (!mutate(argv[2], image, bytes)) return usage();
    std::ofstream out(argv[4], std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return out ? 0 : 2;
  }

  const std::string path = argv[2];
  Options opt;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    if (arg == "--allow") opt.allow_files.push_back(argv[++i]);
    else if (arg == "--allow-def") opt.allow_def_files.push_back(argv[++i]);
    else if (arg == "--system-dlls") opt.system_dlls_file = argv[++i];
    else return usage();
  }
  if (!image.load(path, &error)) {
    // A file that does not parse as PE32+ fails every check, with the parser's reason.
    std::printf("FAIL %s: %s: %s\n", command.c_str(), path.c_str(), error.c_str());
    return command == "list-imports" ? 2 : 1;
  }
  if (command == "list-imports") {
    for (const pe::Import& imp : image.imports())
      std::printf("%s!%s\n", imp.dll.c_str(), imp.by_ordinal ? ("#" + std::to_string(imp.ordinal)).c_str() : imp.name.c_str());
    return 0;
  }
  const auto it = checks().find(command);
  if (it == checks().end()) return usage();
  const Result r = it->second(image, opt);
  std::printf("%s %s: %s (%s)\n", r.ok ? "PASS" : "FAIL", command.c_str(), r.detail.c_str(), path.c_str());
  return r.ok ? 0 : 1;
}
