# cmake -P: common/ compiled with the kernel flags links into a driver: libfb_common_kernel.a
# needs nothing from outside but the few C runtime routines ntoskrnl.exe itself exports, and
# registers no global constructors (a driver runs none).
#   -DNM=<x86_64-w64-mingw32-nm> -DLIB=<libfb_common_kernel.a> -DNTOSKRNL_LIB=<libntoskrnl.a>
cmake_minimum_required(VERSION 3.25)
# Reasons go out on one unwrapped line (FATAL_ERROR text is re-wrapped), for the bites tests.
function(fail text)
  message("FAIL ${text}")
  message(FATAL_ERROR "check failed")
endfunction()
set(allowed memcpy memset memmove memcmp)

if(NOT EXISTS "${LIB}")
  fail("${LIB} not found: build the cross tree first")
endif()
execute_process(COMMAND "${NM}" -u "${LIB}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("${NM} -u ${LIB}: ${err}")
endif()
# An archive's members reference each other: only what no member defines must come from outside.
execute_process(COMMAND "${NM}" --defined-only "${LIB}" OUTPUT_VARIABLE defined_out)
string(REGEX MATCHALL " [TDRBVW] [^\n]+" defined_entries "${defined_out}")
set(defined)
foreach(entry ${defined_entries})
  string(SUBSTRING "${entry}" 3 -1 symbol)
  list(APPEND defined "${symbol}")
endforeach()
string(REGEX MATCHALL "U [^\n]+" undefined "${out}")
set(unexpected)
foreach(entry ${undefined})
  string(SUBSTRING "${entry}" 2 -1 symbol)
  if(NOT symbol IN_LIST allowed AND NOT symbol IN_LIST defined)
    list(APPEND unexpected ${symbol})
  endif()
endforeach()
list(REMOVE_DUPLICATES unexpected)
if(unexpected)
  string(REPLACE ";" ", " unexpected "${unexpected}")
  fail("${LIB} needs symbols a driver cannot provide: ${unexpected}")
endif()

# The allowed ones must really come from ntoskrnl.exe (mingw's import library exports them).
execute_process(COMMAND "${NM}" "${NTOSKRNL_LIB}" OUTPUT_VARIABLE exports)
foreach(symbol ${allowed})
  if(NOT exports MATCHES "T ${symbol}\n")
    fail("${symbol} is not exported by ${NTOSKRNL_LIB}")
  endif()
endforeach()

execute_process(COMMAND "${NM}" "${LIB}" OUTPUT_VARIABLE all)
if(all MATCHES "_GLOBAL__sub_I_[^\n]*")
  fail("${LIB} has a global constructor: ${CMAKE_MATCH_0}")
endif()
message("PASS: ${LIB} needs only ntoskrnl's ${allowed} and has no global constructors")
