/* A deliberately wrong "driver" for the artifact checks to reject: built in the cross tree
 * like an ordinary Windows program, so it is a console image that imports KERNEL32.dll and
 * msvcrt.dll (puts, from the C runtime). fb_pe_check must refuse it for the reasons the
 * tests name. Never shipped. */
#include <stdio.h>

int main(void) {
  puts("I am not a kernel driver");
  return 0;
}
