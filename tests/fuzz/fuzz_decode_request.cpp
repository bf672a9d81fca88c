// Fuzzes what the driver decodes from a client: the connection context (connect_status and
// decode_hello), decode_header, get-statistics and reload-configuration requests.
// Checks: no read outside the input (ASan); a request that decodes re-encodes to exactly its
// own bytes; connect_status agrees with decode_hello; decode_header agrees with the decoders.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;

void require(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  proto::Hello hello;
  const proto::Error h = proto::decode_hello(data, size, &hello);
  proto::Hello seen;
  const fb::NtStatus connect = proto::connect_status(data, size, &seen);
  if (h == proto::Error::kOk) {
    uint8_t again[proto::kHelloBytes];
    require(proto::encode_hello(hello, again, sizeof(again)).error == proto::Error::kOk);
    require(memcmp(again, data, sizeof(again)) == 0);
    const bool accept = hello.role == proto::HelloRole::kVersionProbe || hello.version == proto::kProtocolVersion;
    require(connect == (accept ? fb::nt::kSuccess : proto::kVersionMismatchStatus));
    require(seen.version == hello.version && seen.role == hello.role);
  } else {
    require(connect == fb::nt::kInvalidParameter);
  }

  const proto::Error stats = proto::decode_get_stats(data, size);
  const proto::Error reload = proto::decode_reload_config(data, size);
  require(!(stats == proto::Error::kOk && reload == proto::Error::kOk));
  uint8_t bare[proto::kHeaderBytes];
  if (stats == proto::Error::kOk) {
    proto::encode_get_stats(bare, sizeof(bare));
    require(memcmp(bare, data, sizeof(bare)) == 0);
  }
  if (reload == proto::Error::kOk) {
    proto::encode_reload_config(bare, sizeof(bare));
    require(memcmp(bare, data, sizeof(bare)) == 0);
  }

  proto::Header header;
  const proto::Error any = proto::decode_header(data, size, &header);
  if (h == proto::Error::kOk || stats == proto::Error::kOk || reload == proto::Error::kOk)
    require(any == proto::Error::kOk);
  return 0;
}
