# cmake -P: FileBackup.cat, checked without the code that made it (cmake/make_catalog.py).
#   -DMODE=signature  -DOSSLSIGNCODE= -DOPENSSL= -DCATALOG= -DCERT=<.cer> -DWORK_DIR=
#       the catalog's own signature verifies against the shipped certificate (osslsigncode);
#   -DMODE=pe-member  -DOSSLSIGNCODE= -DOPENSSL= -DCATALOG= -DCERT= -DWORK_DIR= -DFILE=<.sys>
#       osslsigncode finds FILE's Authenticode hash in the catalog and verifies the signature;
#   -DMODE=flat-member -DOPENSSL= -DCATALOG= -DFILE=<.inf> -DINCLUDE_DIR=<mingw include>
#       the catalog lists FILE by the SHA-256 of its bytes (recomputed with openssl dgst): a
#       member whose identifier is that hash and which holds an SPC_INDIRECT_DATA_OBJID of type
#       SPC_CAB_DATA_OBJID (flat) with that digest and a CAT_NAMEVALUE "File" naming FILE, all
#       inside a szOID_CTL content. The OIDs and flags are read from mingw-w64's wincrypt.h,
#       wintrust.h and mscat.h, not from the generator. (osslsigncode cannot hash an INF.)
cmake_minimum_required(VERSION 3.25)
# Reasons go out on one unwrapped line (FATAL_ERROR text is re-wrapped), for the bites tests.
function(fail text)
  message("FAIL ${text}")
  message(FATAL_ERROR "check failed")
endfunction()

function(ca_pem out_var)
  file(MAKE_DIRECTORY "${WORK_DIR}")
  get_filename_component(stem "${CATALOG}" NAME_WE)
  set(pem "${WORK_DIR}/${stem}-catalog-ca.pem")
  execute_process(COMMAND "${OPENSSL}" x509 -inform DER -in "${CERT}" -out "${pem}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    fail("catalog: ${CERT} is not a DER certificate: ${out}")
  endif()
  set(${out_var} "${pem}" PARENT_SCOPE)
endfunction()

# A #define "..." string or number from one of mingw-w64's headers.
function(header_define out_var header name)
  file(STRINGS "${INCLUDE_DIR}/${header}" lines REGEX "^#define[ \t]+${name}[ \t]")
  if(NOT lines)
    fail("catalog: ${name} is not defined in ${INCLUDE_DIR}/${header}")
  endif()
  list(GET lines 0 line)
  string(REGEX REPLACE "^#define[ \t]+${name}[ \t]+\"?([^\" \t]+)\"?.*$" "\\1" value "${line}")
  set(${out_var} "${value}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "signature")
  ca_pem(pem)
  execute_process(COMMAND "${OSSLSIGNCODE}" verify -CAfile "${pem}" -in "${CATALOG}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "Signature verification: ok")
    message("${out}")
    fail("catalog: the signature of ${CATALOG} does not verify against ${CERT}")
  endif()
  string(REGEX MATCH "Message digest algorithm[^\n]*" digest "${out}")
  message("PASS catalog signature: ${CATALOG} verifies against ${CERT} (${digest})")

elseif(MODE STREQUAL "pe-member")
  ca_pem(pem)
  execute_process(COMMAND "${OSSLSIGNCODE}" verify -CAfile "${pem}" -catalog "${CATALOG}" -in "${FILE}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR out MATCHES "Catalog verification: failed" OR NOT out MATCHES "Signature verification: ok")
    message("${out}")
    fail("catalog: ${FILE} is not signed by ${CATALOG} (its Authenticode hash is not listed, or the catalog does not verify against ${CERT})")
  endif()
  string(REGEX MATCH "Calculated message digest *: *[0-9A-F]+" digest "${out}")
  message("PASS catalog member: ${FILE} is in ${CATALOG} (${digest})")

elseif(MODE STREQUAL "flat-member")
  header_define(oid_ctl wincrypt.h szOID_CTL)
  header_define(oid_indirect wintrust.h SPC_INDIRECT_DATA_OBJID)
  header_define(oid_flat wintrust.h SPC_CAB_DATA_OBJID)
  header_define(oid_namevalue wintrust.h CAT_NAMEVALUE_OBJID)
  foreach(flag AUTHENTICATED DATAASCII NAMEASCII)
    header_define(attr_${flag} mscat.h CRYPTCAT_ATTR_${flag})
  endforeach()
  math(EXPR flags "${attr_AUTHENTICATED} | ${attr_DATAASCII} | ${attr_NAMEASCII}" OUTPUT_FORMAT HEXADECIMAL)
  string(REGEX REPLACE "^0x" "" flags "${flags}")
  string(TOUPPER "${flags}" flags)

  execute_process(COMMAND "${OPENSSL}" dgst -sha256 -r "${FILE}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("catalog: cannot hash ${FILE}: ${err}")
  endif()
  string(REGEX MATCH "^[0-9a-f]+" sha256 "${out}")
  string(TOUPPER "${sha256}" sha256)
  # The name as CAT_NAMEVALUE holds it: UTF-16LE with its terminating NUL, in hex.
  get_filename_component(name "${FILE}" NAME)
  string(HEX "${name}" name_hex)
  string(REGEX REPLACE "(..)" "\\100" name_hex "${name_hex}")
  string(TOUPPER "${name_hex}0000" name_hex)

  execute_process(COMMAND "${OPENSSL}" asn1parse -inform DER -in "${CATALOG}" -i
                  RESULT_VARIABLE rc OUTPUT_VARIABLE parsed ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("catalog: ${CATALOG} is not DER: ${err}")
  endif()
  string(REPLACE ";" "," parsed "${parsed}")
  string(REPLACE "\n" ";" lines "${parsed}")
  # The signed content is a certificate trust list: the first OBJECT after pkcs7-signedData at
  # the SignedData's contentInfo depth (4) is szOID_CTL.
  set(content_type "")
  foreach(line IN LISTS lines)
    if(line MATCHES "d=4 .*OBJECT *:(.*)$")
      string(STRIP "${CMAKE_MATCH_1}" content_type)
      break()
    endif()
  endforeach()
  if(NOT content_type STREQUAL oid_ctl)
    fail("catalog: ${CATALOG} signs ${content_type}, not a certificate trust list (szOID_CTL ${oid_ctl})")
  endif()
  # Members are SEQUENCEs at one depth, each opened by its identifier (OCTET STRING) one level
  # deeper. Collect the lines of the member whose identifier is the file's hash.
  set(member "")
  set(member_depth -1)
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "d=([0-9]+)")
      continue()
    endif()
    set(depth ${CMAKE_MATCH_1})
    if(member_depth GREATER -1)
      if(depth LESS member_depth)
        break()
      endif()
      list(APPEND member "${line}")
    elseif(line MATCHES "OCTET STRING *\\[HEX DUMP\\]:${sha256}$")
      set(member_depth ${depth})
    endif()
  endforeach()
  if(member_depth EQUAL -1)
    fail("catalog: ${CATALOG} has no member with the SHA-256 of ${FILE} (${sha256}): the file changed after the catalog was made")
  endif()
  string(REPLACE ";" "\n" member_text "${member}")
  set(problems)
  foreach(needed "OBJECT *:${oid_indirect}" "OBJECT *:${oid_flat}" "OBJECT *:sha256"
                 "OCTET STRING *\\[HEX DUMP\\]:${sha256}\n" "OBJECT *:${oid_namevalue}"
                 "INTEGER *:${flags}\n" "OCTET STRING *\\[HEX DUMP\\]:${name_hex}\n")
    if(NOT "${member_text}\n" MATCHES "${needed}")
      list(APPEND problems "${needed}")
    endif()
  endforeach()
  if(problems)
    message("${member_text}")
    fail("catalog: the member ${sha256} of ${CATALOG} lacks: ${problems}")
  endif()
  message("PASS catalog member: ${FILE} is in ${CATALOG} as a flat SHA-256 hash ${sha256} named ${name}")

else()
  message(FATAL_ERROR "check_catalog.cmake: -DMODE=signature|pe-member|flat-member")
endif()
