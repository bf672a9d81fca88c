// Fuzzes what a watcher decodes: decode_header, decode_event, decode_gap.
// Checks: no read outside the input (ASan; the input is also decoded from an exact-size copy at
// an odd address); a message that decodes re-encodes to exactly its own bytes (one encoding per
// message); decode_header agrees with the typed decoder; alignment only matters for events.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;

void require(bool ok) {
  if (!ok) __builtin_trap();
}

proto::Error decode_both(const uint8_t* data, size_t size) {
  fb::BackupEvent event;
  const proto::Error e = proto::decode_event(data, size, &event);
  if (e == proto::Error::kOk) {
    require(event.path.len <= fb::kMaxPathUnits);
    require(reinterpret_cast<const uint8_t*>(event.path.data) == data + proto::kEventFixedBytes);
    std::vector<uint8_t> again(proto::event_message_bytes(event.path.len));
    const proto::EncodeResult r = proto::encode_event(event, again.data(), again.size());
    require(r.error == proto::Error::kOk && r.size == again.size() && r.size <= size);
    require(memcmp(again.data(), data, r.size) == 0);
  }
  fb::GapReport gap;
  const proto::Error g = proto::decode_gap(data, size, &gap);
  if (g == proto::Error::kOk) {
    uint8_t again[proto::kGapBytes];
    require(proto::encode_gap(gap, again, sizeof(again)).error == proto::Error::kOk);
    require(memcmp(again, data, sizeof(again)) == 0);
  }
  proto::Header header;
  const proto::Error h = proto::decode_header(data, size, &header);
  if (e == proto::Error::kOk || g == proto::Error::kOk) require(h == proto::Error::kOk);
  if (h == proto::Error::kOk) require(header.length <= size);
  return g;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const proto::Error aligned_gap = decode_both(data, size);
  // The same bytes at an odd address, in an allocation that ends where they end.
  std::vector<uint8_t> shifted(size + 1);
  if (size != 0) memcpy(shifted.data() + 1, data, size);
  fb::BackupEvent event;
  const proto::Error aligned_event = proto::decode_event(data, size, &event);
  const proto::Error odd_event = proto::decode_event(shifted.data() + 1, size, &event);
  require(odd_event == aligned_event || odd_event == proto::Error::kMisaligned);
  fb::GapReport gap;
  require(proto::decode_gap(shifted.data() + 1, size, &gap) == aligned_gap);
  return 0;
}
