# cmake -P: no source, test, build or doc file cites the facts outside the repository
# (`../shared/notes`): the repository carries its own copies (docs/ntfs-facts.md,
# docs/save-patterns.md, docs/flt-abi.md, docs/driver-package.md), so a reader of a clone can
# follow every citation.
#   -DROOT=<repository root, or a scratch tree for the bites twin>
set(hits "")
# The tracked folders and the top-level files; never the build trees or dist/ (huge, generated).
set(patterns "")
foreach(dir common driver monitor tests inf docs cmake .ci)
  foreach(ext h c cpp md txt cmake sh py cmd inf run)
    list(APPEND patterns ${ROOT}/${dir}/*.${ext})
  endforeach()
endforeach()
file(GLOB_RECURSE files LIST_DIRECTORIES false ${patterns})
file(GLOB top LIST_DIRECTORIES false ${ROOT}/*.md ${ROOT}/*.txt ${ROOT}/*.cmake ${ROOT}/*.sh)
list(APPEND files ${top})
foreach(f IN LISTS files)
  file(RELATIVE_PATH rel ${ROOT} ${f})
  if(rel MATCHES "^tests/fuzz/corpus/" OR rel MATCHES "check_no_outside_facts\\.cmake$")
    continue()
  endif()
  file(STRINGS ${f} lines REGEX "shared/notes")
  foreach(line IN LISTS lines)
    string(APPEND hits "  ${rel}: ${line}\n")
  endforeach()
endforeach()
if(hits)
  message(FATAL_ERROR "cites ../shared/notes, which is outside the repository; cite docs/ntfs-facts.md, "
                      "docs/save-patterns.md, docs/flt-abi.md or docs/driver-package.md instead:\n${hits}")
endif()
message("PASS: nothing under ${ROOT} cites ../shared/notes")
