#include "monitor/lib/win32_path.h"

#include "monitor/lib/text.h"

namespace fbmon {
namespace {

// True when `prefix` matches the start of `path` and ends on a component boundary.
bool has_component_prefix(fb::Str16 path, fb::Str16 prefix) {
  if (!starts_with_ascii_nocase(path, prefix)) return false;
  return path.len == prefix.len || path[prefix.len] == u'\\';
}

bool is_drive(fb::Str16 s) {
  return s.len >= 2 && s[1] == u':' && ascii_upper(s[0]) >= u'A' && ascii_upper(s[0]) <= u'Z' &&
         (s.len == 2 || s[2] == u'\\');
}

std::u16string to_string(fb::Str16 s) { return std::u16string(s.data, s.len); }

}  // namespace

void DeviceTable::add(std::u16string device, std::u16string dos) {
  while (!device.empty() && device.back() == u'\\') device.pop_back();
  mappings.push_back({std::move(device), std::move(dos)});
}

Win32Path nt_to_win32(fb::Str16 nt, const DeviceTable& table) {
  static const char16_t* const kDosPrefixes[] = {u"\\??\\", u"\\DosDevices\\", u"\\GLOBAL??\\"};
  for (const char16_t* p : kDosPrefixes) {
    const fb::Str16 prefix(p, static_cast<uint32_t>(std::char_traits<char16_t>::length(p)));
    if (starts_with_ascii_nocase(nt, prefix) && is_drive(nt.from(prefix.len)))
      return {to_string(nt.from(prefix.len)), true};
  }

  const DeviceMapping* best = nullptr;
  for (const DeviceMapping& m : table.mappings) {
    if (m.device.empty() || !has_component_prefix(nt, view(m.device))) continue;
    if (best == nullptr || m.device.size() > best->device.size()) best = &m;
  }
  if (best != nullptr) {
    std::u16string out = best->dos;
    const fb::Str16 rest = nt.from(static_cast<uint32_t>(best->device.size()));
    out.append(rest.data, rest.len);
    if (rest.len == 0) out += u'\\';  // the volume itself: `C:\`, not the relative `C:`
    return {out, true};
  }

  static const char16_t* const kUncDevices[] = {u"\\Device\\Mup", u"\\Device\\LanmanRedirector"};
  for (const char16_t* d : kUncDevices) {
    const fb::Str16 device(d, static_cast<uint32_t>(std::char_traits<char16_t>::length(d)));
    if (has_component_prefix(nt, device) && nt.len > device.len + 1) {
      std::u16string out = u"\\";
      const fb::Str16 rest = nt.from(device.len);
      out.append(rest.data, rest.len);
      return {out, true};
    }
  }
  return {u"\\\\?\\GLOBALROOT" + to_string(nt), false};
}

std::u16string win32_to_nt(fb::Str16 win32, const DeviceTable& table) {
  if (!is_drive(win32)) return {};
  for (const DeviceMapping& m : table.mappings) {
    if (equal_ascii_nocase(view(m.dos), win32.sub(0, 2))) {
      std::u16string out = m.device;
      const fb::Str16 rest = win32.from(2);
      out.append(rest.data, rest.len);
      return out;
    }
  }
  return {};
}

std::u16string join_path(const std::u16string& folder, const std::u16string& name) {
  if (folder.empty()) return name;
  const char16_t last = folder.back();
  return folder + (last == u'\\' || last == u'/' ? u"" : u"\\") + name;
}

}  // namespace fbmon
