// fb_inf_check: checks FileBackup.inf, one aspect per run (one CTest test each).
//
//   fb_inf_check <version|install-sections|service|instances|altitude-group> <inf>
//                --service NAME --binary FILE.sys
//
// Prints "PASS <check>: ..." / "FAIL <check>: <reasons>" and exits 0 / 1 (2: usage, unreadable).
// The INF is parsed the way SetupAPI reads it: [sections], key = value lines, ';' comments
// outside quotes, comma-separated fields, %strkey% tokens replaced from [Strings].
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string unquote(const std::string& s) {
  std::string t = trim(s);
  std::string out;
  for (char c : t)
    if (c != '"') out.push_back(c);
  return out;
}

struct Line {
  std::string key;                  // empty for a line without '='
  std::vector<std::string> fields;  // comma-separated, unquoted, strings substituted
};

class Inf {
 public:
  bool load(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    std::string raw, section;
    while (std::getline(in, raw)) {
      const std::string text = trim(strip_comment(raw));
      if (text.empty()) continue;
      if (text.front() == '[' && text.back() == ']') {
        section = lower(trim(text.substr(1, text.size() - 2)));
        order_.push_back(section);
        sections_[section];
        continue;
      }
      raw_[section].push_back(text);
    }
    for (const std::string& s : raw_["strings"]) {
      const size_t eq = s.find('=');
      if (eq != std::string::npos) strings_[lower(trim(s.substr(0, eq)))] = unquote(s.substr(eq + 1));
    }
    for (auto& [name, lines] : raw_)
      for (const std::string& text : lines) sections_[name].push_back(parse_line(text));
    return true;
  }

  bool has(const std::string& section) const { return sections_.count(lower(section)) != 0; }
  const std::vector<Line>& lines(const std::string& section) const {
    static const std::vector<Line> none;
    const auto it = sections_.find(lower(section));
    return it == sections_.end() ? none : it->second;
  }
  // First value of key in section ("" when absent); `found` says whether the key exists.
  std::string value(const std::string& section, const std::string& key, bool* found = nullptr) const {
    for (const Line& l : lines(section))
      if (lower(l.key) == lower(key)) {
        if (found) *found = true;
        return l.fields.empty() ? "" : l.fields[0];
      }
    if (found) *found = false;
    return "";
  }
  const Line* line(const std::string& section, const std::string& key) const {
    for (const Line& l : lines(section))
      if (lower(l.key) == lower(key)) return &l;
    return nullptr;
  }

 private:
  static std::string strip_comment(const std::string& s) {
    bool quoted = false;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '"') quoted = !quoted;
      if (s[i] == ';' && !quoted) return s.substr(0, i);
    }
    return s;
  }
  std::string substitute(const std::string& s) const {
    std::string out;
    for (size_t i = 0; i < s.size();) {
      const size_t end = s[i] == '%' ? s.find('%', i + 1) : std::string::npos;
      if (end != std::string::npos) {
        const auto it = strings_.find(lower(s.substr(i + 1, end - i - 1)));
        if (it != strings_.end()) {
          out += it->second;
          i = end + 1;
          continue;
        }
      }
      out.push_back(s[i++]);
    }
    return out;
  }
  Line parse_line(const std::string& text) const {
    Line l;
    std::string rest = text;
    const size_t eq = text.find('=');
    if (eq != std::string::npos && text.find('"') > eq) {
      l.key = trim(text.substr(0, eq));
      rest = text.substr(eq + 1);
    }
    std::string field;
    bool quoted = false;
    for (char c : rest) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) {
        l.fields.push_back(substitute(unquote(field)));
        field.clear();
      } else {
        field.push_back(c);
      }
    }
    l.fields.push_back(substitute(unquote(field)));
    return l;
  }

  std::map<std::string, std::vector<std::string>> raw_;
  std::map<std::string, std::vector<Line>> sections_;
  std::map<std::string, std::string> strings_;
  std::vector<std::string> order_;
};

// Load order groups and altitude ranges ("Load order groups and altitudes for minifilter
// drivers"), with the class and ClassGuid of "File system filter driver classes and class
// GUIDs" where this project has checked them.
struct Group {
  const char* name;
  long low, high;
  const char* cls;
  const char* guid;
};
const Group kGroups[] = {
    {"FSFilter Activity Monitor", 360000, 389999, "ActivityMonitor", "{b86dff51-a31e-4bac-b3cf-e8cfe75c9fc2}"},
    {"FSFilter Undelete", 340000, 349999, "Undelete", "{fe8f1572-c67a-48c0-bbac-0b5c6d66cafb}"},
    {"FSFilter Anti-Virus", 320000, 329999, "AntiVirus", "{b1d1a169-c54f-4379-81db-bee7d88d7454}"},
    {"FSFilter Replication", 300000, 309999, "Replication", "{48d3ebc4-4cf8-48ff-b869-9c68ad42eb9f}"},
    {"FSFilter Continuous Backup", 280000, 289999, "ContinuousBackup", "{71aa14f8-6fad-4622-ad77-92bb9d7e6947}"},
    {"FSFilter Content Screener", 260000, 269999, "ContentScreener", "{3e3f0674-c83c-4558-bb26-9820e1eba5c5}"},
    {"FSFilter Quota Management", 240000, 249999, "QuotaManagement", "{8503c911-a6c7-4919-8f79-5028f5866b0c}"},
    {"FSFilter System Recovery", 220000, 229999, "SystemRecovery", "{2db15374-706e-4131-a0c7-d7c78eb0289a}"},
    {"FSFilter Cluster File System", 200000, 209999, "CFSMetadataServer", "{cdcf0939-b75b-4630-bf76-80f7ba655884}"},
    {"FSFilter HSM", 180000, 189999, "HSM", "{d546500a-2aeb-45f6-9482-f4b1799c3177}"},
    {"FSFilter Compression", 160000, 169999, "Compression", "{f3586baf-b5aa-49b5-8d6c-0569284c639f}"},
    {"FSFilter Encryption", 140000, 149999, "Encryption", "{a0a701c0-a511-42ff-aa6c-06dc0395576f}"},
    {"FSFilter Copy Protection", 60000, 69999, "CopyProtection", "{89786ff1-9c12-402f-9c9e-17753c7f4375}"},
};

struct Context {
  Inf inf;
  std::string service;
  std::string binary;
};

using Problems = std::vector<std::string>;

void expect_value(const Inf& inf, const std::string& section, const std::string& key,
                  const std::string& wanted, Problems* p) {
  bool found = false;
  const std::string v = inf.value(section, key, &found);
  if (!found)
    p->push_back("[" + section + "] has no " + key);
  else if (lower(v) != lower(wanted))
    p->push_back("[" + section + "] " + key + " is \"" + v + "\", expected \"" + wanted + "\"");
}

std::string service_section(const Context& c, Problems* p) {
  const Line* add = c.inf.line("DefaultInstall.NTamd64.Services", "AddService");
  if (add == nullptr || add->fields.size() < 3) {
    p->push_back("[DefaultInstall.NTamd64.Services] has no AddService = name,flags,section");
    return "";
  }
  if (add->fields[0] != c.service) p->push_back("AddService installs \"" + add->fields[0] + "\", not " + c.service);
  return add->fields[2];
}

Problems check_version(const Context& c) {
  Problems p;
  const Inf& inf = c.inf;
  expect_value(inf, "Version", "Signature", "$WINDOWS NT$", &p);
  for (const char* key : {"Class", "ClassGuid", "Provider", "DriverVer"}) {
    bool found = false;
    if (inf.value("Version", key, &found).empty()) p.push_back(std::string("[Version] ") + key + " is missing or empty");
  }
  // "INF Version section" (WDK), Remarks: without a CatalogFile entry "the driver is treated as
  // unsigned"; the Driver Store then refuses the package. The catalog is FileBackup.cat.
  bool has_catalog = false;
  const std::string catalog = inf.value("Version", "CatalogFile", &has_catalog);
  if (!has_catalog) p.push_back("[Version] has no CatalogFile entry");
  else if (catalog.empty()) p.push_back("[Version] CatalogFile is blank: the package would have no signed catalog");
  else if (catalog.size() < 5 || lower(catalog.substr(catalog.size() - 4)) != ".cat")
    p.push_back("[Version] CatalogFile \"" + catalog + "\" is not a .cat file name");
  expect_value(inf, "Version", "PnpLockdown", "1", &p);
  const Line* ver = inf.line("Version", "DriverVer");
  if (ver != nullptr && (ver->fields.size() != 2 || ver->fields[0].size() != 10 || ver->fields[0][2] != '/' ||
                         ver->fields[0][5] != '/' || std::count(ver->fields[1].begin(), ver->fields[1].end(), '.') != 3))
    p.push_back("[Version] DriverVer is not mm/dd/yyyy,w.x.y.z");
  if (inf.has("Manufacturer")) p.push_back("a primitive driver INF has no [Manufacturer] section");
  return p;
}

Problems check_install_sections(const Context& c) {
  Problems p;
  const Inf& inf = c.inf;
  for (const char* s : {"DefaultInstall.NTamd64", "DefaultInstall.NTamd64.Services", "DefaultUninstall.NTamd64",
                        "DefaultUninstall.NTamd64.Services", "DestinationDirs", "SourceDisksNames",
                        "SourceDisksFiles", "Strings"})
    if (!inf.has(s)) p.push_back(std::string("missing [") + s + "]");
  for (const char* s : {"DefaultInstall", "DefaultUninstall"})
    if (inf.has(s)) p.push_back(std::string("undecorated [") + s + "] (primitive drivers must decorate it)");
  expect_value(inf, "DefaultUninstall.NTamd64", "LegacyUninstall", "1", &p);
  const Line* del = inf.line("DefaultUninstall.NTamd64.Services", "DelService");
  if (del == nullptr || del->fields.empty() || del->fields[0] != c.service)
    p.push_back("[DefaultUninstall.NTamd64.Services] does not DelService " + c.service);
  else if (del->fields.size() < 2 || std::strtoul(del->fields[1].c_str(), nullptr, 0) != 0x200)
    p.push_back("DelService lacks SPSVCINST_STOPSERVICE (0x200)");

  const std::string copy = inf.value("DefaultInstall.NTamd64", "CopyFiles");
  if (copy.empty()) {
    p.push_back("[DefaultInstall.NTamd64] has no CopyFiles");
  } else {
    if (!inf.has(copy)) p.push_back("CopyFiles section [" + copy + "] is missing");
    bool lists_binary = false;
    for (const Line& l : inf.lines(copy))
      if (l.key.empty() && !l.fields.empty() && lower(l.fields[0]) == lower(c.binary)) lists_binary = true;
    if (!lists_binary) p.push_back("[" + copy + "] does not copy " + c.binary);
    expect_value(inf, "DestinationDirs", copy, "13", &p);
  }
  bool in_source = false;
  inf.value("SourceDisksFiles", c.binary, &in_source);
  if (!in_source) p.push_back("[SourceDisksFiles] does not list " + c.binary);
  return p;
}

Problems check_service(const Context& c) {
  Problems p;
  const std::string section = service_section(c, &p);
  if (section.empty()) return p;
  if (!c.inf.has(section)) {
    p.push_back("service section [" + section + "] is missing");
    return p;
  }
  expect_value(c.inf, section, "ServiceBinary", "%13%\\" + c.binary, &p);
  expect_value(c.inf, section, "ServiceType", "2", &p);   // SERVICE_FILE_SYSTEM_DRIVER
  // WDK "What determines when a driver is loaded": SERVICE_SYSTEM_START (0x00000001) is
  // "started during OS initialization", in load-order-group order, before any user-mode
  // process; a backup filter must be running before programs write.
  expect_value(c.inf, section, "StartType", "1", &p);     // SERVICE_SYSTEM_START
  // WDK "Creating an INF file for a minifilter driver": "Minifilter drivers should specify a
  // value of 1 (SERVICE_ERROR_NORMAL)": a failed load is logged and the boot continues.
  expect_value(c.inf, section, "ErrorControl", "1", &p);  // SERVICE_ERROR_NORMAL
  expect_value(c.inf, section, "Dependencies", "FltMgr", &p);
  if (c.inf.value(section, "LoadOrderGroup").empty()) p.push_back("[" + section + "] has no LoadOrderGroup");
  if (c.inf.value(section, "AddReg").empty()) p.push_back("[" + section + "] has no AddReg");
  return p;
}

// Returns the instances' altitude, or "" with problems recorded.
std::string check_instance_keys(const Context& c, const std::string& base, Problems* p) {
  Problems local;
  const std::string section = service_section(c, &local);
  const std::string addreg = section.empty() ? "" : c.inf.value(section, "AddReg");
  std::string default_instance, altitude;
  bool flags_zero = false, has_flags = false;
  for (const Line& l : c.inf.lines(addreg)) {
    if (l.key.size() || l.fields.size() < 5 || lower(l.fields[0]) != "hkr") continue;
    const std::string key = l.fields[1], name = l.fields[2], type = l.fields[3], value = l.fields[4];
    if (key == base && name == "DefaultInstance") default_instance = value;
    if (!default_instance.empty() && key == base + "\\" + default_instance) {
      if (name == "Altitude" && std::strtoul(type.c_str(), nullptr, 0) == 0) altitude = value;
      if (name == "Flags" && std::strtoul(type.c_str(), nullptr, 0) == 0x10001) {
        has_flags = true;
        flags_zero = std::strtoul(value.c_str(), nullptr, 0) == 0;
      }
    }
  }
  if (default_instance.empty()) p->push_back("no HKR,\"" + base + "\",\"DefaultInstance\",0x00000000,<name>");
  else if (altitude.empty()) p->push_back("no REG_SZ Altitude under " + base + "\\" + default_instance);
  if (!default_instance.empty() && !has_flags) p->push_back("no REG_DWORD Flags under " + base + "\\" + default_instance);
  else if (has_flags && !flags_zero) p->push_back("instance Flags under " + base + " is not 0 (automatic attachment)");
  return altitude;
}

Problems check_instances(const Context& c) {
  Problems p;
  // Windows 11 24H2+ reads Parameters\Instances, earlier versions Instances: both must agree.
  const std::string a = check_instance_keys(c, "Parameters\\Instances", &p);
  const std::string b = check_instance_keys(c, "Instances", &p);
  if (!a.empty() && !b.empty() && a != b) p.push_back("altitudes differ: Parameters\\Instances " + a + ", Instances " + b);
  return p;
}

Problems check_altitude_group(const Context& c) {
  Problems p;
  const std::string section = service_section(c, &p);
  const std::string group = c.inf.value(section, "LoadOrderGroup");
  const Group* g = nullptr;
  for (const Group& candidate : kGroups)
    if (lower(candidate.name) == lower(group)) g = &candidate;
  if (g == nullptr) {
    p.push_back("LoadOrderGroup \"" + group + "\" is not a minifilter group this check knows");
    return p;
  }
  if (c.inf.value("Version", "Class") != g->cls)
    p.push_back("Class \"" + c.inf.value("Version", "Class") + "\" does not match group " + g->name + " (" + g->cls + ")");
  if (lower(c.inf.value("Version", "ClassGuid")) != g->guid)
    p.push_back("ClassGuid " + c.inf.value("Version", "ClassGuid") + " is not " + g->guid + " of " + g->cls);
  Problems ignored;
  for (const char* base : {"Parameters\\Instances", "Instances"}) {
    const std::string altitude = check_instance_keys(c, base, &ignored);
    char* end = nullptr;
    const double value = std::strtod(altitude.c_str(), &end);
    if (altitude.empty() || *end != '\0')
      p.push_back(std::string("no numeric altitude under ") + base);
    else if (value < g->low || value > g->high)
      p.push_back("altitude " + altitude + " is outside " + g->name + " (" + std::to_string(g->low) + "-" +
                  std::to_string(g->high) + ")");
  }
  return p;
}

int usage() {
  std::fprintf(stderr,
               "usage: fb_inf_check <version|install-sections|service|instances|altitude-group> <inf> "
               "--service NAME --binary FILE.sys\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) return usage();
  Context c;
  const std::string check = argv[1], path = argv[2];
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--service") c.service = argv[i + 1];
    else if (arg == "--binary") c.binary = argv[i + 1];
    else return usage();
  }
  if (c.service.empty() || c.binary.empty()) return usage();
  if (!c.inf.load(path)) {
    std::printf("FAIL %s: cannot read %s\n", check.c_str(), path.c_str());
    return 2;
  }
  Problems problems;
  if (check == "version") problems = check_version(c);
  else if (check == "install-sections") problems = check_install_sections(c);
  else if (check == "service") problems = check_service(c);
  else if (check == "instances") problems = check_instances(c);
  else if (check == "altitude-group") problems = check_altitude_group(c);
  else return usage();
  if (problems.empty()) {
    std::printf("PASS %s: %s\n", check.c_str(), path.c_str());
    return 0;
  }
  std::printf("FAIL %s: %s\n", check.c_str(), path.c_str());
  for (const std::string& problem : problems) std::printf("  - %s\n", problem.c_str());
  return 1;
}
