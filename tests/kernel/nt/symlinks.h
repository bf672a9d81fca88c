// Drive-letter symbolic links behind ZwOpenSymbolicLinkObject / ZwQuerySymbolicLinkObject.
// \GLOBAL??, \?? and \DosDevices name the same directory here (one session, no per-user
// DosDevices).
#pragma once

#include <string>

namespace ksim::symlinks {

// add(u"C:", u"\\Device\\HarddiskVolume3") makes \GLOBAL??\C: point there.
void add(const std::u16string& name, const std::u16string& target);
void clear();

}  // namespace ksim::symlinks
