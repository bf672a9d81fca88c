// Encoders and validating decoders of the wire protocol (common/protocol/protocol.h, layouts in common/protocol/wire.h).
//
// Every read from an input buffer is a fixed-size copy into a local wire struct, after the
// size has been checked: no cast of the input to a struct pointer, so the fixed fields may be
// at any alignment. Only an event's path is used in place, which is why decode_event wants a
// 2-byte aligned buffer. Lengths are compared in 64-bit so that no 32-bit field can wrap a sum.
#include "common/protocol/protocol.h"

#include "common/protocol/wire.h"

namespace fb {
namespace proto {
namespace {

static_assert(sizeof(wire::Header) == kHeaderBytes, "header size");
static_assert(kEventFixedBytes == sizeof(wire::Header) + sizeof(wire::EventBody), "event size");
static_assert(kGapBytes == sizeof(wire::Header) + sizeof(wire::GapBody), "gap size");
static_assert(kHelloBytes == sizeof(wire::Header) + sizeof(wire::HelloBody), "hello size");
static_assert(kHelloReplyBytes == sizeof(wire::Header) + sizeof(wire::ReplyPrefix) + sizeof(wire::HelloReplyBody),
              "hello reply size");
static_assert(kStatsReplyBytes == sizeof(wire::Header) + sizeof(wire::ReplyPrefix) + sizeof(wire::StatsBody),
              "stats reply size");
static_assert(kReloadConfigReplyBytes ==
                  sizeof(wire::Header) + sizeof(wire::ReplyPrefix) + sizeof(wire::ReloadConfigReplyBody),
              "reload reply size");
static_assert(kErrorReplyBytes == sizeof(wire::Header) + sizeof(wire::ReplyPrefix) + sizeof(wire::ErrorReplyBody),
              "error reply size");
static_assert(kStatusReplyBytes == sizeof(wire::Header) + sizeof(wire::ReplyPrefix) + sizeof(wire::StatusReplyBody),
              "status reply size");
static_assert(kStatusReplyBytes <= kMaxReplyBytes, "every reply fits the reply buffer");
static_assert(sizeof(Statistics::skips) == sizeof(wire::StatsBody::skips), "skip slots");
static_assert(sizeof(Statistics::failures) == sizeof(wire::StatsBody::failures), "failure slots");
static_assert(kSkipReasonCount <= wire::kSkipSlots && kFailureReasonCount <= wire::kFailureSlots, "slots");
static_assert(kMaxMessageBytes == 80 + 65534, "longest event");

constexpr uint32_t kReplyBodyOffset = kHeaderBytes + sizeof(wire::ReplyPrefix);
constexpr uint8_t kLastError = static_cast<uint8_t>(Error::kNullBuffer);

// Whether the header's version must be ours, or any (frozen messages).
enum class Versions { kOurs, kAny };

bool is_known_type(uint16_t type) {
  switch (static_cast<MessageType>(type)) {
    case MessageType::kEvent:
    case MessageType::kGap:
    case MessageType::kHello:
    case MessageType::kGetStats:
    case MessageType::kReloadConfig:
    case MessageType::kGetStatus:
    case MessageType::kHelloReply:
    case MessageType::kStatsReply:
    case MessageType::kReloadConfigReply:
    case MessageType::kStatusReply:
    case MessageType::kErrorReply:
      return true;
  }
  return false;
}

bool is_trigger(uint8_t v) { return v >= static_cast<uint8_t>(Trigger::kWrite) && v <= static_cast<uint8_t>(Trigger::kDeleteThenCreate); }
bool is_outcome(uint8_t v) {
  return v >= static_cast<uint8_t>(Outcome::kBackedUp) && v <= static_cast<uint8_t>(Outcome::kVaultEvicted);
}
bool is_skip_reason(uint8_t v) { return v < kSkipReasonCount; }
bool is_role(uint32_t v) {
  return v >= static_cast<uint32_t>(HelloRole::kWatcher) && v <= static_cast<uint32_t>(HelloRole::kVersionProbe);
}

// ---- reading --------------------------------------------------------------------------------

Error read_header(const void* data, size_t size, Versions versions, wire::Header* h) {
  if (data == nullptr || size < kHeaderBytes) return Error::kBufferTooShort;
  __builtin_memcpy(h, data, sizeof(*h));
  if (h->magic != kMagic) return Error::kBadMagic;
  if (h->version == 0 || (versions == Versions::kOurs && h->version != kProtocolVersion))
    return Error::kUnsupportedVersion;
  if (h->reserved != 0) return Error::kReservedNotZero;
  if (h->length < kHeaderBytes) return Error::kLengthTooSmall;
  if (h->length > size) return Error::kLengthExceedsBuffer;
  if (!is_known_type(h->type)) return Error::kUnknownType;
  return Error::kOk;
}

// The header of a message of `type` whose length is exactly `bytes`.
Error read_fixed(const void* data, size_t size, MessageType type, uint32_t bytes, Versions versions,
                 wire::Header* h) {
  const Error e = read_header(data, size, versions, h);
  if (e != Error::kOk) return e;
  if (h->type != static_cast<uint16_t>(type)) return Error::kUnexpectedType;
  if (h->length < bytes) return Error::kLengthTooSmall;
  if (h->length > bytes) return Error::kTrailingBytes;
  return Error::kOk;
}

// A reply: header, prefix, then a body of exactly sizeof(Body) bytes.
template <class Body>
Error read_reply(const void* data, size_t size, MessageType type, Versions versions, NtStatus* status,
                 Body* body, uint16_t* version = nullptr) {
  wire::Header h;
  const Error e = read_fixed(data, size, type, kReplyBodyOffset + sizeof(Body), versions, &h);
  if (e != Error::kOk) return e;
  if (version != nullptr) *version = h.version;
  wire::ReplyPrefix prefix;
  __builtin_memcpy(&prefix, static_cast<const uint8_t*>(data) + kHeaderBytes, sizeof(prefix));
  __builtin_memcpy(body, static_cast<const uint8_t*>(data) + kReplyBodyOffset, sizeof(Body));
  if (prefix.reserved != 0) return Error::kReservedNotZero;
  *status = prefix.status;
  return Error::kOk;
}

// ---- writing --------------------------------------------------------------------------------

// Checks that `bytes` fit; the result to return if they do not.
EncodeResult check_room(const void* out, size_t capacity, uint32_t bytes) {
  if (out == nullptr && capacity != 0) return {Error::kNullBuffer, bytes};
  if (capacity < bytes) return {Error::kOutputTooSmall, bytes};
  return {Error::kOk, bytes};
}

void put_header(void* out, MessageType type, uint32_t length, uint16_t version = kProtocolVersion) {
  wire::Header h{};
  h.magic = kMagic;
  h.version = version;
  h.type = static_cast<uint16_t>(type);
  h.length = length;
  __builtin_memcpy(out, &h, sizeof(h));
}

// A fixed-size message: header, then `body` (which for replies includes the prefix).
template <class Body>
EncodeResult put_fixed(MessageType type, const Body& body, void* out, size_t capacity,
                       uint16_t version = kProtocolVersion) {
  constexpr uint32_t bytes = kHeaderBytes + sizeof(Body);
  const EncodeResult room = check_room(out, capacity, bytes);
  if (room.error != Error::kOk) return room;
  put_header(out, type, bytes, version);
  __builtin_memcpy(static_cast<uint8_t*>(out) + kHeaderBytes, &body, sizeof(body));
  return room;
}

template <class Body>
struct Reply {
  wire::ReplyPrefix prefix;
  Body body;
};

template <class Body>
EncodeResult put_reply(MessageType type, NtStatus status, const Body& body, void* out, size_t capacity,
                       uint16_t version = kProtocolVersion) {
  Reply<Body> reply{};
  reply.prefix.status = status;
  reply.body = body;
  static_assert(sizeof(reply) == sizeof(wire::ReplyPrefix) + sizeof(Body), "no padding in replies");
  return put_fixed(type, reply, out, capacity, version);
}

}  // namespace

// ---- events ---------------------------------------------------------------------------------

Error validate_event(const BackupEvent& event) {
  if (event.path.len > kMaxPathUnits) return Error::kPathTooLong;
  if (event.path.len != 0 && event.path.data == nullptr) return Error::kNullBuffer;
  if (!is_trigger(static_cast<uint8_t>(event.trigger)) || !is_outcome(static_cast<uint8_t>(event.outcome)) ||
      !is_skip_reason(static_cast<uint8_t>(event.skip_reason)))
    return Error::kBadEnumValue;
  return Error::kOk;
}

EncodeResult encode_event(const BackupEvent& event, void* out, size_t capacity) {
  const Error invalid = validate_event(event);
  if (invalid != Error::kOk) return {invalid, 0};
  const uint32_t bytes = event_message_bytes(event.path.len);
  const EncodeResult room = check_room(out, capacity, bytes);
  if (room.error != Error::kOk) return room;

  wire::EventBody body{};
  body.sequence = event.sequence;
  body.time = event.time;
  body.process_id = event.process_id;
  body.file_size = event.file_size;
  body.bytes_copied = event.bytes_copied;
  body.duration = event.duration;
  body.status = event.status;
  body.slot = event.slot;
  body.trigger = static_cast<uint8_t>(event.trigger);
  body.outcome = static_cast<uint8_t>(event.outcome);
  body.skip_reason = static_cast<uint8_t>(event.skip_reason);
  body.path_bytes = 2 * event.path.len;

  uint8_t* bytes_out = static_cast<uint8_t*>(out);
  put_header(bytes_out, MessageType::kEvent, bytes);
  __builtin_memcpy(bytes_out + kHeaderBytes, &body, sizeof(body));
  if (body.path_bytes != 0) __builtin_memcpy(bytes_out + kEventFixedBytes, event.path.data, body.path_bytes);
  return room;
}

Error decode_event(const void* data, size_t size, BackupEvent* out) {
  wire::Header h;
  const Error e = read_header(data, size, Versions::kOurs, &h);
  if (e != Error::kOk) return e;
  if (h.type != static_cast<uint16_t>(MessageType::kEvent)) return Error::kUnexpectedType;
  if (h.length < kEventFixedBytes) return Error::kLengthTooSmall;
  if (reinterpret_cast<uintptr_t>(data) % alignof(char16_t) != 0) return Error::kMisaligned;

  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  wire::EventBody body;
  __builtin_memcpy(&body, bytes + kHeaderBytes, sizeof(body));
  if (body.path_bytes % 2 != 0) return Error::kPathLengthOdd;
  if (body.path_bytes > 2 * kMaxPathUnits) return Error::kPathTooLong;
  const uint64_t end = uint64_t{kEventFixedBytes} + body.path_bytes;
  if (end > h.length) return Error::kPathExceedsMessage;
  if (end < h.length) return Error::kTrailingBytes;
  if (body.reserved != 0) return Error::kReservedNotZero;
  if (!is_trigger(body.trigger) || !is_outcome(body.outcome) || !is_skip_reason(body.skip_reason))
    return Error::kBadEnumValue;

  out->sequence = body.sequence;
  out->time = body.time;
  out->process_id = body.process_id;
  out->trigger = static_cast<Trigger>(body.trigger);
  out->outcome = static_cast<Outcome>(body.outcome);
  out->skip_reason = static_cast<SkipReason>(body.skip_reason);
  out->status = body.status;
  out->file_size = body.file_size;
  out->bytes_copied = body.bytes_copied;
  out->duration = body.duration;
  out->slot = body.slot;
  out->path = Str16(reinterpret_cast<const char16_t*>(bytes + kEventFixedBytes), body.path_bytes / 2);
  return Error::kOk;
}

// ---- gap reports ----------------------------------------------------------------------------

namespace {
bool is_gap_range(uint64_t dropped, uint64_t first, uint64_t last) {
  return first != 0 && first <= last && dropped != 0 && last - first == dropped - 1;
}
}  // namespace

EncodeResult encode_gap(const GapReport& gap, void* out, size_t capacity) {
  if (!is_gap_range(gap.dropped, gap.first_sequence, gap.last_sequence)) return {Error::kBadGapRange, 0};
  const wire::GapBody body{gap.dropped, gap.first_sequence, gap.last_sequence};
  return put_fixed(MessageType::kGap, body, out, capacity);
}

Error decode_gap(const void* data, size_t size, GapReport* out) {
  wire::Header h;
  const Error e = read_fixed(data, size, MessageType::kGap, kGapBytes, Versions::kOurs, &h);
  if (e != Error::kOk) return e;
  wire::GapBody body;
  __builtin_memcpy(&body, static_cast<const uint8_t*>(data) + kHeaderBytes, sizeof(body));
  if (!is_gap_range(body.dropped, body.first_sequence, body.last_sequence)) return Error::kBadGapRange;
  out->dropped = body.dropped;
  out->first_sequence = body.first_sequence;
  out->last_sequence = body.last_sequence;
  return Error::kOk;
}

// ---- requests -------------------------------------------------------------------------------

EncodeResult encode_hello(const Hello& hello, void* out, size_t capacity) {
  if (!is_role(static_cast<uint32_t>(hello.role))) return {Error::kBadEnumValue, 0};
  if (hello.version == 0) return {Error::kUnsupportedVersion, 0};
  const wire::HelloBody body{static_cast<uint32_t>(hello.role), 0};
  // The header carries hello.version: a hello is how a peer states its version.
  return put_fixed(MessageType::kHello, body, out, capacity, hello.version);
}

Error decode_hello(const void* data, size_t size, Hello* out) {
  wire::Header h;
  const Error e = read_fixed(data, size, MessageType::kHello, kHelloBytes, Versions::kAny, &h);
  if (e != Error::kOk) return e;
  wire::HelloBody body;
  __builtin_memcpy(&body, static_cast<const uint8_t*>(data) + kHeaderBytes, sizeof(body));
  if (body.reserved != 0) return Error::kReservedNotZero;
  if (!is_role(body.role)) return Error::kBadEnumValue;
  out->version = h.version;
  out->role = static_cast<HelloRole>(body.role);
  return Error::kOk;
}

EncodeResult encode_get_stats(void* out, size_t capacity) {
  const EncodeResult room = check_room(out, capacity, kGetStatsBytes);
  if (room.error == Error::kOk) put_header(out, MessageType::kGetStats, kGetStatsBytes);
  return room;
}

Error decode_get_stats(const void* data, size_t size) {
  wire::Header h;
  return read_fixed(data, size, MessageType::kGetStats, kGetStatsBytes, Versions::kOurs, &h);
}

EncodeResult encode_reload_config(void* out, size_t capacity) {
  const EncodeResult room = check_room(out, capacity, kReloadConfigBytes);
  if (room.error == Error::kOk) put_header(out, MessageType::kReloadConfig, kReloadConfigBytes);
  return room;
}

Error decode_reload_config(const void* data, size_t size) {
  wire::Header h;
  return read_fixed(data, size, MessageType::kReloadConfig, kReloadConfigBytes, Versions::kOurs, &h);
}

EncodeResult encode_get_status(void* out, size_t capacity) {
  const EncodeResult room = check_room(out, capacity, kGetStatusBytes);
  if (room.error == Error::kOk) put_header(out, MessageType::kGetStatus, kGetStatusBytes);
  return room;
}

Error decode_get_status(const void* data, size_t size) {
  wire::Header h;
  return read_fixed(data, size, MessageType::kGetStatus, kGetStatusBytes, Versions::kOurs, &h);
}

NtStatus connect_status(const void* context, size_t size, Hello* out) {
  Hello hello;
  if (decode_hello(context, size, &hello) != Error::kOk) return nt::kInvalidParameter;
  if (out != nullptr) *out = hello;
  if (hello.role == HelloRole::kVersionProbe) return nt::kSuccess;
  return hello.version == kProtocolVersion ? nt::kSuccess : kVersionMismatchStatus;
}

NtStatus admission_status(HelloRole role, bool watcher_connected) {
  return role == HelloRole::kWatcher && watcher_connected ? kWatcherBusyStatus : nt::kSuccess;
}

// ---- replies --------------------------------------------------------------------------------

EncodeResult encode_hello_reply(const HelloReply& reply, void* out, size_t capacity) {
  if (reply.driver_version == 0) return {Error::kUnsupportedVersion, 0};
  const wire::HelloReplyBody body{reply.driver_version, 0, 0};
  return put_reply(MessageType::kHelloReply, reply.status, body, out, capacity, reply.driver_version);
}

Error decode_hello_reply(const void* data, size_t size, HelloReply* out) {
  wire::HelloReplyBody body;
  NtStatus status = 0;
  uint16_t version = 0;
  const Error e = read_reply(data, size, MessageType::kHelloReply, Versions::kAny, &status, &body, &version);
  if (e != Error::kOk) return e;
  if (body.reserved0 != 0 || body.reserved1 != 0) return Error::kReservedNotZero;
  // The header states the driver's version too; both must say the same.
  if (body.protocol_version != version) return Error::kUnsupportedVersion;
  out->status = status;
  out->driver_version = body.protocol_version;
  return Error::kOk;
}

EncodeResult encode_stats_reply(const StatsReply& reply, void* out, size_t capacity) {
  const Statistics& s = reply.stats;
  wire::StatsBody body{};
  body.tracked_files = s.tracked_files;
  body.backups = s.backups;
  body.bytes_copied = s.bytes_copied;
  body.events_dropped = s.events_dropped;
  body.queue_high_water = s.queue_high_water;
  body.queue_high_water_bytes = s.queue_high_water_bytes;
  body.queue_capacity_bytes = s.queue_capacity_bytes;
  body.rules_loaded = s.rules_loaded;
  __builtin_memcpy(body.skips, s.skips, sizeof(body.skips));
  __builtin_memcpy(body.failures, s.failures, sizeof(body.failures));
  return put_reply(MessageType::kStatsReply, reply.status, body, out, capacity);
}

Error decode_stats_reply(const void* data, size_t size, StatsReply* out) {
  wire::StatsBody body;
  NtStatus status = 0;
  const Error e = read_reply(data, size, MessageType::kStatsReply, Versions::kOurs, &status, &body);
  if (e != Error::kOk) return e;
  if (body.reserved != 0) return Error::kReservedNotZero;
  out->status = status;
  Statistics& s = out->stats;
  s.tracked_files = body.tracked_files;
  s.backups = body.backups;
  s.bytes_copied = body.bytes_copied;
  s.events_dropped = body.events_dropped;
  s.queue_high_water = body.queue_high_water;
  s.queue_high_water_bytes = body.queue_high_water_bytes;
  s.queue_capacity_bytes = body.queue_capacity_bytes;
  s.rules_loaded = body.rules_loaded;
  __builtin_memcpy(s.skips, body.skips, sizeof(s.skips));
  __builtin_memcpy(s.failures, body.failures, sizeof(s.failures));
  return Error::kOk;
}

EncodeResult encode_reload_config_reply(const ReloadConfigReply& reply, void* out, size_t capacity) {
  const wire::ReloadConfigReplyBody body{reply.rules_loaded, 0};
  return put_reply(MessageType::kReloadConfigReply, reply.status, body, out, capacity);
}

Error decode_reload_config_reply(const void* data, size_t size, ReloadConfigReply* out) {
  wire::ReloadConfigReplyBody body;
  NtStatus status = 0;
  const Error e = read_reply(data, size, MessageType::kReloadConfigReply, Versions::kOurs, &status, &body);
  if (e != Error::kOk) return e;
  if (body.reserved != 0) return Error::kReservedNotZero;
  out->status = status;
  out->rules_loaded = body.rules_loaded;
  return Error::kOk;
}

EncodeResult encode_status_reply(const StatusReply& reply, void* out, size_t capacity) {
  wire::StatusReplyBody body{};
  body.driver_major = reply.driver.driver_major;
  body.driver_minor = reply.driver.driver_minor;
  body.driver_patch = reply.driver.driver_patch;
  body.watcher_connected = reply.driver.watcher_connected ? 1 : 0;
  body.watcher_process_id = reply.driver.watcher_process_id;
  return put_reply(MessageType::kStatusReply, reply.status, body, out, capacity);
}

Error decode_status_reply(const void* data, size_t size, StatusReply* out) {
  wire::StatusReplyBody body;
  NtStatus status = 0;
  const Error e = read_reply(data, size, MessageType::kStatusReply, Versions::kOurs, &status, &body);
  if (e != Error::kOk) return e;
  if (body.reserved0 != 0 || body.reserved1 != 0) return Error::kReservedNotZero;
  if (body.watcher_connected > 1) return Error::kBadEnumValue;
  out->status = status;
  out->driver.driver_major = body.driver_major;
  out->driver.driver_minor = body.driver_minor;
  out->driver.driver_patch = body.driver_patch;
  out->driver.watcher_connected = body.watcher_connected != 0;
  out->driver.watcher_process_id = body.watcher_process_id;
  return Error::kOk;
}

EncodeResult encode_error_reply(const ErrorReply& reply, void* out, size_t capacity) {
  if (static_cast<uint8_t>(reply.decode_error) > kLastError) return {Error::kBadEnumValue, 0};
  const wire::ErrorReplyBody body{reply.request_type, static_cast<uint8_t>(reply.decode_error), 0, 0};
  return put_reply(MessageType::kErrorReply, reply.status, body, out, capacity);
}

Error decode_error_reply(const void* data, size_t size, ErrorReply* out) {
  wire::ErrorReplyBody body;
  NtStatus status = 0;
  const Error e = read_reply(data, size, MessageType::kErrorReply, Versions::kOurs, &status, &body);
  if (e != Error::kOk) return e;
  if (body.reserved0 != 0 || body.reserved1 != 0) return Error::kReservedNotZero;
  if (body.decode_error > kLastError) return Error::kBadEnumValue;
  out->status = status;
  out->request_type = body.request_type;
  out->decode_error = static_cast<Error>(body.decode_error);
  return Error::kOk;
}

// ---- dispatch -------------------------------------------------------------------------------

Error decode_header(const void* data, size_t size, Header* out) {
  wire::Header h;
  const Error e = read_header(data, size, Versions::kAny, &h);
  if (e != Error::kOk) return e;
  const bool frozen = h.type == static_cast<uint16_t>(MessageType::kHello) ||
                      h.type == static_cast<uint16_t>(MessageType::kHelloReply);
  if (!frozen && h.version != kProtocolVersion) return Error::kUnsupportedVersion;
  out->version = h.version;
  out->type = static_cast<MessageType>(h.type);
  out->length = h.length;
  return Error::kOk;
}

}  // namespace proto
}  // namespace fb
