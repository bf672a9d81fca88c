# cmake -P: the shipped driver's Authenticode signature verifies against the shipped
# certificate (FileBackupTest.cer, DER), exactly what the VM will trust.
#   -DOSSLSIGNCODE= -DOPENSSL= -DIMAGE=<signed .sys> -DCERT=<.cer> -DWORK_DIR=<scratch>
cmake_minimum_required(VERSION 3.25)
# Reasons go out on one unwrapped line (FATAL_ERROR text is re-wrapped), for the bites tests.
function(fail text)
  message("FAIL ${text}")
  message(FATAL_ERROR "check failed")
endfunction()
file(MAKE_DIRECTORY "${WORK_DIR}")
get_filename_component(stem "${IMAGE}" NAME_WE)
set(pem "${WORK_DIR}/${stem}-ca.pem")
execute_process(COMMAND "${OPENSSL}" x509 -inform DER -in "${CERT}" -out "${pem}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  fail("signature: ${CERT} is not a DER certificate: ${out}")
endif()
execute_process(COMMAND "${OSSLSIGNCODE}" verify -CAfile "${pem}" -in "${IMAGE}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Signature verification: ok")
  message("${out}")
  fail("signature: ${IMAGE} does not verify against ${CERT}")
endif()
string(REGEX MATCH "Message digest algorithm[^\n]*" digest "${out}")
message("PASS signature: ${IMAGE} verifies against ${CERT} (${digest})")
