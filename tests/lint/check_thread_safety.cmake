# cmake -P: compiles every common/ source and header with clang's thread-safety analysis as an
# error (-fsyntax-only: nothing is built), so a lock rule written in the code
# (common/base/thread_annotations.h: FB_GUARDED_BY, FB_REQUIRES, ...) that the code breaks fails
# the test. The files are found when the test runs, so a new file is checked without a list.
#   -DCLANG=clang++ -DROOT=<repository root>
cmake_minimum_required(VERSION 3.25)
foreach(var CLANG ROOT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_thread_safety.cmake: -D${var}= is required")
  endif()
endforeach()

# common/'s own flags (common/CMakeLists.txt), plus the analysis.
set(flags -std=c++17 -fno-exceptions -fno-rtti -fsyntax-only -Wthread-safety -Werror -I${ROOT})

file(GLOB_RECURSE sources LIST_DIRECTORIES false RELATIVE ${ROOT} ${ROOT}/common/*.cpp)
file(GLOB_RECURSE headers LIST_DIRECTORIES false RELATIVE ${ROOT} ${ROOT}/common/*.h)
list(SORT sources)
list(SORT headers)
set(failed "")
foreach(file IN LISTS sources headers)
  if(file MATCHES "\\.h$")
    set(language -x c++-header)  # a header on its own: also proves it is self-contained
  else()
    set(language -x c++)
  endif()
  execute_process(COMMAND ${CLANG} ${flags} ${language} ${ROOT}/${file}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message("${out}")
    list(APPEND failed ${file})
  endif()
endforeach()

list(LENGTH sources n_sources)
list(LENGTH headers n_headers)
if(n_sources EQUAL 0)
  message(FATAL_ERROR "no common/*.cpp under ${ROOT}: wrong root?")
endif()
if(failed)
  list(JOIN failed "\n  " failed_text)
  message("clang -Wthread-safety rejects:\n  ${failed_text}")
  message(FATAL_ERROR "common/ breaks a lock rule (diagnostics above)")
endif()
message("${n_sources} sources and ${n_headers} headers of common/ pass clang -Wthread-safety -Werror")
