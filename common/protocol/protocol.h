// The one protocol between FileBackup.sys and fbmon.exe: message types, encoders and
// validating decoders. The driver and the monitor compile this same file; docs/protocol.md
// describes the bytes (wire structs in common/protocol/wire.h) and the versioning rules.
//
// Transport (Filter Manager communication port):
//   kernel -> watcher:  FltSendMessage(event | gap); FilterGetMessage hands fbmon a
//                       FILTER_MESSAGE_HEADER (16 bytes) followed by our message.
//   client -> kernel:   FilterSendMessage(request) with an output buffer for the reply; no
//                       Filter Manager header on either side.
//   connect:            the connection context of FilterConnectCommunicationPort is a hello
//                       message; the driver decides with connect_status().
//
// Encoders never write past `capacity`: they return kOutputTooSmall and the size they need
// (call with capacity 0 to size a buffer). Decoders validate every field, never read outside
// [data, data + size), never allocate, and return the first problem found as a specific Error.
// A decoded event's path is a view into the caller's buffer: keep the buffer alive.
#pragma once

#include "common/events/event.h"
#include "common/base/fb_base.h"
#include "common/protocol/stats.h"

namespace fb {
namespace proto {

// The communication port's name in the object manager namespace: FltCreateCommunicationPort
// (driver) and FilterConnectCommunicationPort (fbmon) both take it from here.
constexpr char16_t kPortName[] = u"\\FileBackupPort";
constexpr uint32_t kPortNameUnits = sizeof(kPortName) / sizeof(kPortName[0]) - 1;  // without the NUL

// Raised whenever any non-frozen message changes. Peers refuse other versions.
// 2: get status / status reply added (fbmon status).
constexpr uint16_t kProtocolVersion = 2;
constexpr uint32_t kMagic = 0x504B4246;  // bytes 'F' 'B' 'K' 'P'
constexpr uint32_t kHeaderBytes = 16;
constexpr uint32_t kFilterMessageHeaderBytes = 16;  // FILTER_MESSAGE_HEADER before a watcher's message
constexpr uint32_t kFilterReplyHeaderBytes = 16;    // FILTER_REPLY_HEADER (not used by this protocol)

enum class MessageType : uint16_t {
  // kernel -> watcher
  kEvent = 0x0001,
  kGap = 0x0002,
  // client -> kernel requests
  kHello = 0x0010,  // frozen
  kGetStats = 0x0011,
  kReloadConfig = 0x0012,
  kGetStatus = 0x0013,  // protocol 2
  // kernel -> client replies: request type | kReplyBit
  kHelloReply = 0x0090,  // frozen
  kStatsReply = 0x0091,
  kReloadConfigReply = 0x0092,
  kStatusReply = 0x0093,  // protocol 2
  kErrorReply = 0x00FF,  // a request refused: unknown type, malformed, wrong role
};
constexpr uint16_t kReplyBit = 0x0080;

// Who is connecting; carried in the hello.
enum class HelloRole : uint32_t {
  kWatcher = 1,       // receives events; at most one at a time
  kControl = 2,       // stats, reload; any number
  kVersionProbe = 3,  // accepted whatever its version; may only send a hello (to learn ours)
};

enum class Error : uint8_t {
  kOk = 0,
  kBufferTooShort = 1,       // fewer bytes than a message header
  kBadMagic = 2,             // not a FileBackup message
  kUnsupportedVersion = 3,   // version is not kProtocolVersion (or 0 in a frozen message)
  kReservedNotZero = 4,      // a reserved field is set
  kLengthTooSmall = 5,       // header.length below the header or the type's fixed layout
  kLengthExceedsBuffer = 6,  // header.length larger than the bytes received
  kTrailingBytes = 7,        // header.length larger than the type's layout says
  kUnknownType = 8,          // type is none of MessageType
  kUnexpectedType = 9,       // a known type, but not the one this decoder reads
  kPathLengthOdd = 10,       // path byte count is not a whole number of UTF-16 units
  kPathTooLong = 11,         // path longer than kMaxPathUnits
  kPathExceedsMessage = 12,  // path runs past header.length (including 32-bit overflow)
  kMisaligned = 13,          // event not 2-byte aligned: its path could not be viewed as char16_t
  kBadEnumValue = 14,        // trigger, outcome, skip reason or role out of range
  kBadGapRange = 15,         // gap: dropped == 0, first > last or dropped != last - first + 1
  kOutputTooSmall = 16,      // encoder: capacity below EncodeResult::size
  kNullBuffer = 17,          // encoder: no output buffer although capacity > 0, or path data null
};

// "buffer too short", "unsupported protocol version", ...; never null.
const char* error_text(Error error);

struct Header {
  uint16_t version = 0;
  MessageType type = MessageType::kEvent;
  uint32_t length = 0;  // bytes, header included
};

struct Hello {
  uint16_t version = kProtocolVersion;
  HelloRole role = HelloRole::kControl;
};

struct HelloReply {
  NtStatus status = nt::kSuccess;  // kSuccess, or kVersionMismatchStatus
  uint16_t driver_version = kProtocolVersion;
};

struct StatsReply {
  NtStatus status = nt::kSuccess;
  Statistics stats;
};

struct ReloadConfigReply {
  NtStatus status = nt::kSuccess;
  uint32_t rules_loaded = 0;
};

// The driver at a glance (fbmon status); the rest of what status shows comes from the stats
// reply, the service control manager and Filter Manager's instance list.
struct DriverStatus {
  uint16_t driver_major = 0, driver_minor = 0, driver_patch = 0;  // FileBackup.sys's build version
  bool watcher_connected = false;
  uint64_t watcher_process_id = 0;
};

struct StatusReply {
  NtStatus status = nt::kSuccess;
  DriverStatus driver;
};

struct ErrorReply {
  NtStatus status = nt::kInvalidDeviceRequest;
  uint16_t request_type = 0;          // raw type of the refused request
  Error decode_error = Error::kOk;    // why it was refused, if it did not decode
};

// The driver refuses a connection whose hello speaks another version with this status
// (STATUS_REVISION_MISMATCH, which the Win32 side maps to ERROR_REVISION_MISMATCH, 1306). A
// refusal carries no payload, so to learn the driver's version fbmon then connects as
// kVersionProbe (always accepted) and sends a hello; the hello reply names the driver's version.
constexpr NtStatus kVersionMismatchStatus = nt::kRevisionMismatch;

// Sizes. Every message fits in kMaxMessageBytes (an event with the longest path).
constexpr uint32_t kEventFixedBytes = kHeaderBytes + 64;
constexpr uint32_t kGapBytes = kHeaderBytes + 24;
constexpr uint32_t kHelloBytes = kHeaderBytes + 8;
constexpr uint32_t kGetStatsBytes = kHeaderBytes;
constexpr uint32_t kReloadConfigBytes = kHeaderBytes;
constexpr uint32_t kGetStatusBytes = kHeaderBytes;
constexpr uint32_t kHelloReplyBytes = kHeaderBytes + 8 + 8;
constexpr uint32_t kStatsReplyBytes = kHeaderBytes + 8 + 192;
constexpr uint32_t kReloadConfigReplyBytes = kHeaderBytes + 8 + 8;
constexpr uint32_t kErrorReplyBytes = kHeaderBytes + 8 + 8;
constexpr uint32_t kStatusReplyBytes = kHeaderBytes + 8 + 24;
constexpr uint32_t kMaxMessageBytes = kEventFixedBytes + 2 * kMaxPathUnits;
constexpr uint32_t kMaxReplyBytes = kStatsReplyBytes;

constexpr uint32_t event_message_bytes(uint32_t path_units) { return kEventFixedBytes + 2 * path_units; }

// ---- encoders -------------------------------------------------------------------------------
struct EncodeResult {
  Error error = Error::kOk;
  uint32_t size = 0;  // bytes written; with kOutputTooSmall, bytes needed
};

// kOk if `event` can be encoded: path within kMaxPathUnits (and non-null if not empty),
// enums in range. encode_event checks the same before writing.
Error validate_event(const BackupEvent& event);

EncodeResult encode_event(const BackupEvent& event, void* out, size_t capacity);
EncodeResult encode_gap(const GapReport& gap, void* out, size_t capacity);
EncodeResult encode_hello(const Hello& hello, void* out, size_t capacity);
EncodeResult encode_get_stats(void* out, size_t capacity);
EncodeResult encode_reload_config(void* out, size_t capacity);
EncodeResult encode_get_status(void* out, size_t capacity);
EncodeResult encode_status_reply(const StatusReply& reply, void* out, size_t capacity);
EncodeResult encode_hello_reply(const HelloReply& reply, void* out, size_t capacity);
EncodeResult encode_stats_reply(const StatsReply& reply, void* out, size_t capacity);
EncodeResult encode_reload_config_reply(const ReloadConfigReply& reply, void* out, size_t capacity);
EncodeResult encode_error_reply(const ErrorReply& reply, void* out, size_t capacity);

// ---- decoders -------------------------------------------------------------------------------
// Checks the header of whatever message starts at `data`: size, magic, reserved, length
// within [header, size], known type, and version (exactly kProtocolVersion, except for the
// frozen hello and hello reply, which may carry any). Use it to dispatch, then call the
// decoder of header.type, which checks everything again.
Error decode_header(const void* data, size_t size, Header* out);

// `data` must be 2-byte aligned (kMisaligned otherwise): out->path points into it.
Error decode_event(const void* data, size_t size, BackupEvent* out);
Error decode_gap(const void* data, size_t size, GapReport* out);
// Frozen messages: accepted whatever their version (> 0), which they report.
Error decode_hello(const void* data, size_t size, Hello* out);
Error decode_hello_reply(const void* data, size_t size, HelloReply* out);
Error decode_get_stats(const void* data, size_t size);
Error decode_reload_config(const void* data, size_t size);
Error decode_get_status(const void* data, size_t size);
Error decode_status_reply(const void* data, size_t size, StatusReply* out);
Error decode_stats_reply(const void* data, size_t size, StatsReply* out);
Error decode_reload_config_reply(const void* data, size_t size, ReloadConfigReply* out);
Error decode_error_reply(const void* data, size_t size, ErrorReply* out);

// The driver's answer to a connection context: kSuccess; kVersionMismatchStatus for a
// watcher or control client of another version; kInvalidParameter if it is not a valid hello.
// `out` (may be null) receives the decoded hello.
NtStatus connect_status(const void* context, size_t size, Hello* out);

// At most one watcher at a time: events are a single ordered stream, and a second watcher
// would receive only part of it. A watcher hello while one is connected is refused with
// kWatcherBusyStatus (STATUS_CONNECTION_COUNT_LIMIT); every other role is always admitted.
constexpr NtStatus kWatcherBusyStatus = static_cast<NtStatus>(0xC0000246);

// The admission of a hello connect_status() accepted, given whether a watcher is connected
// (in the driver: whether its atomic claim of the watcher slot failed): kSuccess or
// kWatcherBusyStatus.
NtStatus admission_status(HelloRole role, bool watcher_connected);

}  // namespace proto
}  // namespace fb
