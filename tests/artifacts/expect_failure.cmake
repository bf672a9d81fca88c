# cmake -P: proves a check bites. Optionally builds a broken input first, then runs the check
# and passes only if it FAILS (exit code 1, not a usage error) with the expected reason.
#   -DCHECK=cmd|arg|...        the check to run ('|' separates arguments)
#   -DEXPECT=<regex>           must match the check's output
#   -DPREPARE=cmd|arg|...      optional: a command that writes the broken input
#   -DTEXT_IN= -DTEXT_OUT= -DTEXT_FROM= -DTEXT_TO=   optional: text copy with one replacement
cmake_minimum_required(VERSION 3.25)
foreach(var CHECK EXPECT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "expect_failure.cmake: -D${var}= is required")
  endif()
endforeach()

if(DEFINED TEXT_IN)
  file(READ "${TEXT_IN}" text)
  string(FIND "${text}" "${TEXT_FROM}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "'${TEXT_FROM}' not found in ${TEXT_IN}: the mutation no longer applies")
  endif()
  string(REPLACE "${TEXT_FROM}" "${TEXT_TO}" text "${text}")
  file(WRITE "${TEXT_OUT}" "${text}")
endif()

if(DEFINED PREPARE)
  string(REPLACE "|" ";" prepare "${PREPARE}")
  execute_process(COMMAND ${prepare} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "preparing the broken input failed (${rc}): ${out}")
  endif()
endif()

string(REPLACE "|" ";" check "${CHECK}")
execute_process(COMMAND ${check} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the check accepted a broken input: it does not bite")
endif()
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "the check did not run properly (exit ${rc}), so it proves nothing")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "the check failed, but not for the expected reason /${EXPECT}/")
endif()
message("rejected as expected: /${EXPECT}/")
