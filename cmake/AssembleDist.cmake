# cmake -P script run by the fb_dist target: fills DIST_DIR with the package.
#   -DDIST_DIR=  -DDRIVER=<signed .sys>  -DCERT=<.cer>  -DPACKAGE_FILES_DIR=<inf/>  [-DFBMON=<exe>] [-DFBCHECK=<exe>]
# Text files get CRLF line endings: cmd.exe mis-parses LF-only batch files (labels, long
# lines), and Notepad on older Windows shows LF-only text as one line.
foreach(var DIST_DIR DRIVER CERT PACKAGE_FILES_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "AssembleDist.cmake: -D${var}= is required")
  endif()
endforeach()

# Start from empty so nothing stale (an fbmon.exe no longer built, a renamed file) ships.
file(REMOVE_RECURSE ${DIST_DIR})
file(MAKE_DIRECTORY ${DIST_DIR})

file(COPY ${DRIVER} ${CERT} DESTINATION ${DIST_DIR})
if(FBMON)
  file(COPY ${FBMON} DESTINATION ${DIST_DIR})
endif()
if(FBCHECK)
  file(COPY ${FBCHECK} DESTINATION ${DIST_DIR})
endif()

foreach(name FileBackup.inf install.cmd uninstall.cmd find_package.cmd delete_package.cmd README.txt)
  file(READ ${PACKAGE_FILES_DIR}/${name} text)
  string(REPLACE "\r\n" "\n" text "${text}")
  string(REPLACE "\n" "\r\n" text "${text}")
  file(WRITE ${DIST_DIR}/${name} "${text}")
endforeach()

file(GLOB shipped RELATIVE ${DIST_DIR} ${DIST_DIR}/*)
list(SORT shipped)
string(REPLACE ";" ", " shipped "${shipped}")
message(STATUS "dist: ${DIST_DIR}: ${shipped}")
