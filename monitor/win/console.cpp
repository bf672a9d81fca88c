#include "monitor/win/console.h"

#include <windows.h>

#include "monitor/win/win_util.h"

namespace fbmon {
namespace {

void write_to(DWORD which, const std::string& utf8) {
  HANDLE h = GetStdHandle(which);
  if (h == nullptr || h == INVALID_HANDLE_VALUE) return;
  DWORD mode = 0;
  if (GetConsoleMode(h, &mode)) {
    const std::wstring w = to_wide(utf8);
    DWORD written = 0;
    WriteConsoleW(h, w.data(), static_cast<DWORD>(w.size()), &written, nullptr);
    return;
  }
  size_t done = 0;
  while (done < utf8.size()) {
    DWORD written = 0;
    if (!WriteFile(h, utf8.data() + done, static_cast<DWORD>(utf8.size() - done), &written, nullptr) || written == 0)
      return;
    done += written;
  }
}

}  // namespace

void print_out(const std::string& utf8) { write_to(STD_OUTPUT_HANDLE, utf8); }
void print_line(const std::string& utf8) { write_to(STD_OUTPUT_HANDLE, utf8 + "\n"); }
void print_error(const std::string& utf8) { write_to(STD_ERROR_HANDLE, utf8 + "\n"); }

}  // namespace fbmon
