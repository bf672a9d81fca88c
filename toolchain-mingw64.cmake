# Cross toolchain: x86_64-w64-mingw32 (Debian's mingw-w64 packages).
# Used by the "cross" tree, which builds FileBackup.sys, fbmon.exe and common/ with kernel flags.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(FB_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER   ${FB_MINGW_PREFIX}-gcc)
set(CMAKE_CXX_COMPILER ${FB_MINGW_PREFIX}-g++)
set(CMAKE_RC_COMPILER  ${FB_MINGW_PREFIX}-windres)
set(CMAKE_DLLTOOL      ${FB_MINGW_PREFIX}-dlltool CACHE FILEPATH "dlltool for import libraries")
set(CMAKE_OBJDUMP      ${FB_MINGW_PREFIX}-objdump CACHE FILEPATH "objdump for artifact checks")

set(CMAKE_FIND_ROOT_PATH /usr/${FB_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
