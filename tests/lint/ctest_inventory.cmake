# cmake -P: the CTest inventory of docs/testing.md, generated from `ctest --show-only=json-v1`.
#   -DMODE=update  rewrites the block between the inventory markers of DOC
#   -DMODE=check   fails when the committed block differs from what the tree lists now
#   -DBUILD_DIR=<native build tree> -DROOT=<repository root> -DDOC=<page> -DCTEST=<ctest>
# The regenerate command is the fb_ctest_inventory target (tests/lint/CMakeLists.txt), which
# builds fb_tests first so that its GoogleTest tests are discovered.
#
# What it counts, to stay short: GoogleTest tests per suite, grouped by the source file that
# defines the suite (TEST/TEST_F/TEST_P, or INSTANTIATE_TEST_SUITE_P for Instance/Suite); every
# other test per kind (the name up to its first '.'), with its labels and the CMake file that
# adds it.
cmake_minimum_required(VERSION 3.25)
foreach(var MODE BUILD_DIR ROOT DOC CTEST)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "ctest_inventory.cmake: -D${var}= is required")
  endif()
endforeach()
set(begin_marker "<!-- ctest-inventory:begin -->")
set(end_marker "<!-- ctest-inventory:end -->")
set(regenerate "cmake --build build/native --target fb_ctest_inventory")

execute_process(COMMAND ${CTEST} --test-dir ${BUILD_DIR} --show-only=json-v1
                RESULT_VARIABLE rc OUTPUT_VARIABLE json ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest --show-only=json-v1 failed (${rc}): ${err}")
endif()

# --- where each GoogleTest suite is defined --------------------------------------------------
file(GLOB_RECURSE test_sources LIST_DIRECTORIES false RELATIVE ${ROOT} ${ROOT}/tests/*.cpp)
list(SORT test_sources)
set(suites_known "")
foreach(source IN LISTS test_sources)
  file(READ ${ROOT}/${source} text)
  string(REGEX MATCHALL "(TEST|TEST_F|TEST_P|TYPED_TEST)\\([ \t\r\n]*[A-Za-z0-9_]+," plain "${text}")
  string(REGEX MATCHALL "INSTANTIATE_TEST_SUITE_P\\([ \t\r\n]*[A-Za-z0-9_]+,[ \t\r\n]*[A-Za-z0-9_]+," param "${text}")
  foreach(match IN LISTS plain)
    string(REGEX REPLACE "^[A-Z_]+\\([ \t\r\n]*([A-Za-z0-9_]+),$" "\\1" suite "${match}")
    list(APPEND suites_known ${suite})
    list(APPEND "source_of_${suite}" ${source})
  endforeach()
  foreach(match IN LISTS param)
    string(REGEX REPLACE "^INSTANTIATE_TEST_SUITE_P\\([ \t\r\n]*([A-Za-z0-9_]+),[ \t\r\n]*([A-Za-z0-9_]+),$"
           "\\1/\\2" suite "${match}")
    list(APPEND suites_known ${suite})
    list(APPEND "source_of_${suite}" ${source})
  endforeach()
endforeach()

# --- the tests CTest knows ----------------------------------------------------------------------
string(JSON tests GET "${json}" tests)
string(JSON nodes GET "${json}" backtraceGraph nodes)
string(JSON files GET "${json}" backtraceGraph files)
string(JSON n_tests LENGTH "${tests}")
set(gtest_total 0)
set(suites "")
set(kinds "")
if(n_tests GREATER 0)
  math(EXPR last "${n_tests} - 1")
  foreach(i RANGE ${last})
    string(JSON test GET "${tests}" ${i})
    string(JSON name GET "${test}" name)
    string(JSON command ERROR_VARIABLE no_command GET "${test}" command)
    if(NOT no_command AND command MATCHES "--gtest_filter=")
      string(REGEX REPLACE "\\..*$" "" suite "${name}")
      list(APPEND suites ${suite})
      math(EXPR "count_of_${suite}" "${count_of_${suite}} + 1")
      math(EXPR gtest_total "${gtest_total} + 1")
      continue()
    endif()
    string(REGEX REPLACE "\\..*$" "" kind "${name}")
    list(APPEND kinds ${kind})
    math(EXPR "kind_count_${kind}" "${kind_count_${kind}} + 1")
    # Labels, from the LABELS property.
    string(JSON n_props ERROR_VARIABLE no_props LENGTH "${test}" properties)
    if(NOT no_props AND n_props GREATER 0)
      math(EXPR last_prop "${n_props} - 1")
      foreach(p RANGE ${last_prop})
        string(JSON prop_name GET "${test}" properties ${p} name)
        if(prop_name STREQUAL "LABELS")
          string(JSON n_labels LENGTH "${test}" properties ${p} value)
          math(EXPR last_label "${n_labels} - 1")
          foreach(l RANGE ${last_label})
            string(JSON label GET "${test}" properties ${p} value ${l})
            list(APPEND "kind_labels_${kind}" ${label})
          endforeach()
        endif()
      endforeach()
    endif()
    # The CMake file whose add_test made it: the innermost frame of its backtrace.
    string(JSON node ERROR_VARIABLE no_node GET "${test}" backtrace)
    if(NOT no_node)
      string(JSON file_index GET "${nodes}" ${node} file)
      string(JSON file GET "${files}" ${file_index})
      file(RELATIVE_PATH file ${ROOT} ${file})
      list(APPEND "kind_files_${kind}" ${file})
    endif()
  endforeach()
endif()
if(gtest_total EQUAL 0)
  message(FATAL_ERROR "no GoogleTest test in ${BUILD_DIR}: build fb_tests first (${regenerate} does)")
endif()
list(REMOVE_DUPLICATES suites)
list(REMOVE_DUPLICATES kinds)
list(SORT kinds)

# --- group the suites by source file ------------------------------------------------------------
set(rows "")
foreach(suite IN LISTS suites)
  set(where "${source_of_${suite}}")
  if(where)
    list(REMOVE_DUPLICATES where)
    list(SORT where)
    list(JOIN where "`, `" where)
    set(where "`${where}`")
  else()
    set(where "(no source defines it)")
  endif()
  string(MAKE_C_IDENTIFIER "${where}" key)
  if(NOT DEFINED "row_${key}")
    list(APPEND rows ${key})
    set("row_where_${key}" "${where}")
    set("row_total_${key}" 0)
  endif()
  list(APPEND "row_${key}" ${suite})
  math(EXPR "row_total_${key}" "${row_total_${key}} + ${count_of_${suite}}")
endforeach()

set(table_rows "")
foreach(key IN LISTS rows)
  set(list "${row_${key}}")
  list(SORT list)
  set(cells "")
  foreach(suite IN LISTS list)
    list(APPEND cells "`${suite}` (${count_of_${suite}})")
  endforeach()
  list(JOIN cells ", " cells)
  list(APPEND table_rows "| ${row_where_${key}} | ${cells} | ${row_total_${key}} |")
endforeach()
list(SORT table_rows)

math(EXPR other_total "${n_tests} - ${gtest_total}")
set(kind_rows "")
foreach(kind IN LISTS kinds)
  set(labels "${kind_labels_${kind}}")
  if(labels)
    list(REMOVE_DUPLICATES labels)
    list(SORT labels)
    list(JOIN labels ", " labels)
  else()
    set(labels "-")
  endif()
  set(where "${kind_files_${kind}}")
  if(where)
    list(REMOVE_DUPLICATES where)
    list(SORT where)
    list(JOIN where "`, `" where)
    set(where "`${where}`")
  endif()
  list(APPEND kind_rows "| `${kind}.*` | ${labels} | ${where} | ${kind_count_${kind}} |")
endforeach()

list(JOIN table_rows "\n" table_rows)
list(JOIN kind_rows "\n" kind_rows)
set(block "${begin_marker}
<!-- generated by tests/lint/ctest_inventory.cmake: run `${regenerate}` -->
**${n_tests} tests**: ${gtest_total} GoogleTest tests in `fb_tests` and ${other_total} others.

| source | suites (tests) | total |
|---|---|---|
${table_rows}
| **GoogleTest, all** | | **${gtest_total}** |

| kind | labels | added by | tests |
|---|---|---|---|
${kind_rows}
${end_marker}")

# --- compare with, or write into, the page ----------------------------------------------------
file(READ ${DOC} page)
string(FIND "${page}" "${begin_marker}" at_begin)
string(FIND "${page}" "${end_marker}" at_end)
if(at_begin EQUAL -1 OR at_end EQUAL -1 OR at_end LESS at_begin)
  message(FATAL_ERROR "${DOC} has no ${begin_marker} ... ${end_marker} block")
endif()
string(LENGTH "${end_marker}" end_length)
math(EXPR after "${at_end} + ${end_length}")
math(EXPR committed_length "${after} - ${at_begin}")
string(SUBSTRING "${page}" ${at_begin} ${committed_length} committed)

if(MODE STREQUAL "update")
  string(SUBSTRING "${page}" 0 ${at_begin} before_block)
  string(SUBSTRING "${page}" ${after} -1 after_block)
  file(WRITE ${DOC} "${before_block}${block}${after_block}")
  message("${DOC}: inventory of ${n_tests} tests written")
elseif(MODE STREQUAL "check")
  if(NOT committed STREQUAL block)
    file(WRITE ${BUILD_DIR}/ctest-inventory.md "${block}\n")
    # message(), not FATAL_ERROR, for the details: FATAL_ERROR re-wraps lines.
    message("The CTest inventory in ${DOC} is stale: the tree now lists ${n_tests} tests "
            "(${gtest_total} GoogleTest). What it should say is in ${BUILD_DIR}/ctest-inventory.md.\n"
            "Regenerate it from the repository root with:\n    ${regenerate}")
    message(FATAL_ERROR "stale CTest inventory: run ${regenerate}")
  endif()
  message("${DOC}: the inventory matches the ${n_tests} tests CTest lists")
else()
  message(FATAL_ERROR "MODE must be update or check, not '${MODE}'")
endif()
