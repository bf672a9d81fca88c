# fb_dist: test-sign FileBackup.sys and assemble dist/FileBackup-x64 (cross tree only).
#
#   <build>/signing/FileBackupTest.{key,crt}   generated once, on first build (never committed)
#   <build>/signing/FileBackupTest.cer         the certificate in DER, for the VM's cert stores
#   <build>/signed/FileBackup.sys              the driver without symbols or DWARF (the loader
#                                              would map them into memory), signed with
#                                              osslsigncode (SHA-256); the build tree's
#                                              driver/FileBackup.sys keeps them for debugging
#   ${FB_DIST_DIR}/                            what a user copies to the VM (AssembleDist.cmake)
#   ${FB_DIST_DIR}/FileBackup.cat              the package's catalog: the hashes of the shipped
#                                              FileBackup.sys and FileBackup.inf (CRLF, as
#                                              shipped), made by make_catalog.py, signed with
#                                              osslsigncode (docs/driver-package.md)
#
# fb_add_dist_target() runs deferred at the end of the top-level configure, so it knows
# whether monitor/ defined the fbmon and fbcheck targets.
find_program(FB_OPENSSL openssl REQUIRED)
find_program(FB_OSSLSIGNCODE osslsigncode REQUIRED)
# Debian's own Python, where python3-asn1crypto is installed (a python3 earlier on PATH, such as
# a pyenv shim, would not see it).
find_program(FB_DEBIAN_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
execute_process(COMMAND ${FB_DEBIAN_PYTHON} -c "import asn1crypto" RESULT_VARIABLE fb_asn1crypto_rc
                OUTPUT_QUIET ERROR_QUIET)
if(NOT fb_asn1crypto_rc EQUAL 0)
  message(FATAL_ERROR "${FB_DEBIAN_PYTHON} cannot import asn1crypto, which makes the catalog: "
                      "apt-get install python3-asn1crypto (./build.sh installs it)")
endif()
set(FB_DIST_DIR ${PROJECT_SOURCE_DIR}/dist/FileBackup-x64 CACHE PATH
    "Where fb_dist assembles the package to copy to a test-signing VM")

function(fb_add_dist_target)
  set(sign_dir ${CMAKE_BINARY_DIR}/signing)
  set(cnf ${sign_dir}/FileBackupTestCert.cnf)
  set(key ${sign_dir}/FileBackupTest.key)
  set(crt ${sign_dir}/FileBackupTest.crt)
  set(cer ${sign_dir}/FileBackupTest.cer)
  set(signed ${CMAKE_BINARY_DIR}/signed/FileBackup.sys)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/FileBackupTestCert.cnf ${cnf} COPYONLY)

  # No DEPENDS on purpose: the key is made once per build tree and then kept, so a VM that
  # trusts the certificate keeps trusting every later build from this tree.
  add_custom_command(
    OUTPUT ${key} ${crt}
    COMMAND ${FB_OPENSSL} req -quiet -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes
            -keyout ${key} -out ${crt} -config ${cnf}
    COMMENT "Generating the test-signing key and certificate in ${sign_dir}"
    VERBATIM)

  add_custom_command(
    OUTPUT ${cer}
    COMMAND ${FB_OPENSSL} x509 -in ${crt} -outform DER -out ${cer}
    DEPENDS ${crt}
    COMMENT "Exporting FileBackupTest.cer (DER)"
    VERBATIM)

  add_custom_command(
    OUTPUT ${signed}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/signed
    COMMAND ${CMAKE_COMMAND} -E rm -f ${signed} ${signed}.unsigned
    COMMAND ${CMAKE_OBJCOPY} --strip-all $<TARGET_FILE:FileBackup> ${signed}.unsigned
    COMMAND ${FB_OSSLSIGNCODE} sign -certs ${crt} -key ${key} -h sha256 -n FileBackup
            -in ${signed}.unsigned -out ${signed}
    COMMAND ${CMAKE_COMMAND} -E rm -f ${signed}.unsigned
    DEPENDS FileBackup ${key} ${crt}
    COMMENT "Signing FileBackup.sys (osslsigncode, SHA-256, test certificate)"
    VERBATIM)

  # fbmon.exe ships without its DWARF (megabytes nobody on Windows reads); the build tree's
  # copy keeps it.
  set(fbmon_args)
  set(fbmon_shipped)
  if(TARGET fbmon)
    set(fbmon_shipped ${CMAKE_BINARY_DIR}/signed/fbmon.exe)
    add_custom_command(
      OUTPUT ${fbmon_shipped}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/signed
      COMMAND ${CMAKE_OBJCOPY} --strip-debug $<TARGET_FILE:fbmon> ${fbmon_shipped}
      DEPENDS fbmon
      COMMENT "Stripping debug information from fbmon.exe for the package"
      VERBATIM)
    set(fbmon_args -DFBMON=${fbmon_shipped})
  endif()
  # fbcheck.exe likewise.
  set(fbcheck_shipped)
  if(TARGET fbcheck)
    set(fbcheck_shipped ${CMAKE_BINARY_DIR}/signed/fbcheck.exe)
    add_custom_command(
      OUTPUT ${fbcheck_shipped}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/signed
      COMMAND ${CMAKE_OBJCOPY} --strip-debug $<TARGET_FILE:fbcheck> ${fbcheck_shipped}
      DEPENDS fbcheck
      COMMENT "Stripping debug information from fbcheck.exe for the package"
      VERBATIM)
    list(APPEND fbmon_args -DFBCHECK=${fbcheck_shipped})
  endif()
  # The catalog hashes the files exactly as they ship (the INF after its CRLF conversion), so it
  # is made from dist/ right after AssembleDist.cmake fills it.
  set(unsigned_cat ${CMAKE_BINARY_DIR}/signed/FileBackup.unsigned.cat)
  # OSAttr of the catalog: platform 2 (VER_PLATFORM_WIN32_NT), version 10.0 (Windows 10 and 11).
  set(osattr "2:10.0")
  add_custom_target(fb_dist
    COMMAND ${CMAKE_COMMAND} -DDIST_DIR=${FB_DIST_DIR} -DDRIVER=${signed} -DCERT=${cer}
            -DPACKAGE_FILES_DIR=${PROJECT_SOURCE_DIR}/inf ${fbmon_args}
            -P ${PROJECT_SOURCE_DIR}/cmake/AssembleDist.cmake
    COMMAND ${CMAKE_COMMAND} -E rm -f ${unsigned_cat}
    COMMAND ${FB_DEBIAN_PYTHON} ${PROJECT_SOURCE_DIR}/cmake/make_catalog.py --osslsigncode ${FB_OSSLSIGNCODE}
            --osattr ${osattr} --pe ${FB_DIST_DIR}/FileBackup.sys --flat ${FB_DIST_DIR}/FileBackup.inf
            --out ${unsigned_cat}
    COMMAND ${FB_OSSLSIGNCODE} sign -certs ${crt} -key ${key} -h sha256 -n FileBackup
            -in ${unsigned_cat} -out ${FB_DIST_DIR}/FileBackup.cat
    COMMAND ${CMAKE_COMMAND} -E rm -f ${unsigned_cat}
    DEPENDS ${signed} ${cer} ${fbmon_shipped} ${fbcheck_shipped} ${PROJECT_SOURCE_DIR}/cmake/AssembleDist.cmake
            ${PROJECT_SOURCE_DIR}/cmake/make_catalog.py
    COMMENT "Assembling ${FB_DIST_DIR} and signing its catalog FileBackup.cat"
    VERBATIM)
endfunction()
