// A deliberately wrong console program for the fbmon.exe checks to reject: linked against the
// shared libstdc++ (the mingw default), so it imports libstdc++-6.dll and friends, which a
// Windows machine does not have. Never shipped.
#include <iostream>
#include <string>

int main() {
  std::string text = "I need libstdc++-6.dll";
  std::cout << text << std::endl;
  return 0;
}
