// hold_file.exe (built with mingw by tests/wine/CMakeLists.txt, run under Wine): holds a file
// open the way another program would, so the Wine runs can check how fbmon restore behaves.
//   hold_file.exe PATH exclusive|shared SECONDS
// exclusive: GENERIC_READ|GENERIC_WRITE with no sharing (restore must refuse: file in use);
// shared:    the same with FILE_SHARE_READ|FILE_SHARE_WRITE|FILE_SHARE_DELETE (restore must work).
// Prints "holding" once the handle is open, then sleeps.
#include <windows.h>

#include <stdio.h>
#include <wchar.h>

int wmain(int argc, wchar_t** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: hold_file PATH exclusive|shared SECONDS\n");
    return 2;
  }
  const bool shared = wcscmp(argv[2], L"shared") == 0;
  const DWORD share = shared ? FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE : 0;
  HANDLE h = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, share, nullptr, OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    fprintf(stderr, "hold_file: cannot open (error %lu)\n", GetLastError());
    return 1;
  }
  printf("holding\n");
  fflush(stdout);
  Sleep(static_cast<DWORD>(_wtoi(argv[3])) * 1000);
  CloseHandle(h);
  return 0;
}
