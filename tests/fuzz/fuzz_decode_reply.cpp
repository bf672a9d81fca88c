// Fuzzes what a client decodes from the driver's replies: hello, statistics, reload and error
// replies. Checks: no read outside the input (ASan); a reply that decodes re-encodes to exactly
// its own bytes; at most one decoder accepts any input; decode_header agrees.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// Re-encodes `reply` with `encode` and compares with the input.
template <class Reply, class Encode>
int same_bytes(const Reply& reply, Encode encode, const uint8_t* data) {
  uint8_t again[proto::kMaxReplyBytes];
  const proto::EncodeResult r = encode(reply, again, sizeof(again));
  require(r.error == proto::Error::kOk);
  require(memcmp(again, data, r.size) == 0);
  return 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int accepted = 0;
  proto::HelloReply hello;
  if (proto::decode_hello_reply(data, size, &hello) == proto::Error::kOk)
    accepted += same_bytes(hello, proto::encode_hello_reply, data);
  proto::StatsReply stats;
  if (proto::decode_stats_reply(data, size, &stats) == proto::Error::kOk)
    accepted += same_bytes(stats, proto::encode_stats_reply, data);
  proto::ReloadConfigReply reload;
  if (proto::decode_reload_config_reply(data, size, &reload) == proto::Error::kOk)
    accepted += same_bytes(reload, proto::encode_reload_config_reply, data);
  proto::ErrorReply error;
  if (proto::decode_error_reply(data, size, &error) == proto::Error::kOk)
    accepted += same_bytes(error, proto::encode_error_reply, data);
  require(accepted <= 1);

  proto::Header header;
  const proto::Error any = proto::decode_header(data, size, &header);
  if (accepted == 1) require(any == proto::Error::kOk);
  if (any == proto::Error::kOk) require(proto::error_text(any) != nullptr);
  return 0;
}
