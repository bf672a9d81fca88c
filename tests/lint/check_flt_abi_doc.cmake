# cmake -P: docs/flt-abi.md's table and the layout asserts of the driver's headers hold exactly
# the same rows (struct, field, offset, size), so neither can change without the other.
#   -DDOC=docs/flt-abi.md -DHEADERS=driver/nt/flt_kernel.h,driver/nt/flt_layouts.h
cmake_minimum_required(VERSION 3.25)
foreach(var DOC HEADERS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_flt_abi_doc.cmake: -D${var}= is required")
  endif()
endforeach()

# FB_ABI(type, field, off, size) / FB_LAYOUT(...) and the _SIZE(type, size) forms.
set(asserted "")
string(REPLACE "," ";" headers "${HEADERS}")
foreach(header IN LISTS headers)
  file(STRINGS "${header}" lines REGEX "^[ \t]*FB_(ABI|LAYOUT)(_SIZE)?\\(")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[ \t]*FB_[A-Z]+_SIZE\\(([A-Za-z0-9_]+), *([0-9]+)\\)")
      list(APPEND asserted "${CMAKE_MATCH_1} (size) - ${CMAKE_MATCH_2}")
    elseif(line MATCHES "^[ \t]*FB_[A-Z]+\\(([A-Za-z0-9_]+), *([A-Za-z0-9_.]+), *([0-9]+), *([0-9]+)\\)")
      list(APPEND asserted "${CMAKE_MATCH_1} ${CMAKE_MATCH_2} ${CMAKE_MATCH_3} ${CMAKE_MATCH_4}")
    endif()
  endforeach()
endforeach()

# Table rows: | struct | field | offset | size | asserted in |
set(documented "")
file(STRINGS "${DOC}" lines REGEX "^\\| [A-Z_]+ \\|")
foreach(line IN LISTS lines)
  if(line MATCHES "^\\| ([A-Z_0-9]+) \\| ([^ |]+) \\| ([-0-9]+) \\| ([0-9]+) \\|")
    list(APPEND documented "${CMAKE_MATCH_1} ${CMAKE_MATCH_2} ${CMAKE_MATCH_3} ${CMAKE_MATCH_4}")
  endif()
endforeach()

list(LENGTH asserted n_asserted)
list(LENGTH documented n_documented)
if(n_asserted EQUAL 0 OR n_documented EQUAL 0)
  message(FATAL_ERROR "found ${n_asserted} asserts and ${n_documented} table rows: the formats changed?")
endif()
set(missing ${asserted})
list(REMOVE_ITEM missing ${documented})
set(extra ${documented})
list(REMOVE_ITEM extra ${asserted})
if(missing OR extra)
  list(LENGTH missing n_missing)
  list(LENGTH extra n_extra)
  list(JOIN missing "\n  " missing_text)
  list(JOIN extra "\n  " extra_text)
  # The details with message(): FATAL_ERROR would re-wrap the lines.
  message("${DOC} and the layout asserts disagree: "
    "${n_missing} asserted not in the table, ${n_extra} in the table not asserted.\n"
    "asserted, not in the table:\n  ${missing_text}\n"
    "in the table, not asserted:\n  ${extra_text}")
  message(FATAL_ERROR "the layout table and the asserts disagree")
endif()
message("${n_asserted} asserted layouts, all in ${DOC}")
