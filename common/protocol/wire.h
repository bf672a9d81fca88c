// The wire layouts of the driver <-> fbmon protocol, byte for byte. common/protocol/protocol.h is the API;
// this file is the format it reads and writes, and docs/protocol.md describes it in words.
//
// Why plain structs with static_asserts: the driver (mingw, kernel flags), fbmon (mingw, user
// mode) and the native tests must agree on every offset. Every field is naturally aligned and
// every struct's size is a multiple of 8, so there is no implicit padding on any x64 ABI, and
// the asserts below prove it on each compiler that builds common/. Messages are never read by
// casting a buffer to these types: the codec copies bytes into a local struct (alignment of the
// input does not matter for the fixed fields, and type-punning stays defined).
//
// Every message = Header, then for replies a ReplyPrefix, then the type's body, then (events
// only) the path's UTF-16 code units. Integers are little-endian (both targets are x64).
#pragma once

#include "common/base/fb_base.h"

namespace fb {
namespace proto {
namespace wire {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the wire format is little-endian");

// FROZEN in every protocol version: a peer must be able to read the version of any message.
struct Header {
  uint32_t magic;     // kMagic
  uint16_t version;   // protocol version of the sender
  uint16_t type;      // MessageType
  uint32_t length;    // total bytes of this message, header included
  uint32_t reserved;  // 0
};

struct EventBody {
  uint64_t sequence;
  int64_t time;          // FILETIME units
  uint64_t process_id;
  uint64_t file_size;
  uint64_t bytes_copied;
  uint64_t duration;     // 100 ns units
  int32_t status;        // NTSTATUS
  uint32_t slot;
  uint8_t trigger;       // Trigger
  uint8_t outcome;       // Outcome
  uint8_t skip_reason;   // SkipReason
  uint8_t reserved;      // 0
  uint32_t path_bytes;   // bytes of UTF-16 that follow the body: even, <= 2 * kMaxPathUnits
};

struct GapBody {
  uint64_t dropped;
  uint64_t first_sequence;
  uint64_t last_sequence;
};

// FROZEN: the connection context and the version handshake.
struct HelloBody {
  uint32_t role;      // HelloRole
  uint32_t reserved;  // 0
};

// Every reply starts with this after the header.
struct ReplyPrefix {
  int32_t status;     // NTSTATUS of the request
  uint32_t reserved;  // 0
};

// FROZEN, like HelloBody.
struct HelloReplyBody {
  uint16_t protocol_version;  // what the driver speaks; equals the header's version
  uint16_t reserved0;
  uint32_t reserved1;
};

constexpr uint32_t kSkipSlots = 8;     // indexed by SkipReason value
constexpr uint32_t kFailureSlots = 8;  // indexed by FailureReason value

struct StatsBody {
  uint64_t tracked_files;
  uint64_t backups;
  uint64_t bytes_copied;
  uint64_t events_dropped;
  uint64_t queue_high_water;        // events
  uint64_t queue_high_water_bytes;
  uint64_t queue_capacity_bytes;
  uint32_t rules_loaded;
  uint32_t reserved;
  uint64_t skips[kSkipSlots];
  uint64_t failures[kFailureSlots];
};

struct ReloadConfigReplyBody {
  uint32_t rules_loaded;
  uint32_t reserved;
};

// Status reply (protocol 2): the driver's build version and whether a watcher is connected.
struct StatusReplyBody {
  uint16_t driver_major;
  uint16_t driver_minor;
  uint16_t driver_patch;
  uint16_t reserved0;
  uint32_t watcher_connected;  // 0 or 1
  uint32_t reserved1;
  uint64_t watcher_process_id; // 0 when none
};

struct ErrorReplyBody {
  uint16_t request_type;  // the type of the refused request, as received
  uint8_t decode_error;   // proto::Error that made the driver refuse it (0 if none)
  uint8_t reserved0;
  uint32_t reserved1;
};

// Offsets below are relative to the start of each struct; docs/protocol.md lists them from
// the start of the message (add 16, and 8 more for a reply's body).
#define FB_WIRE_AT(type, field, offset) static_assert(offsetof(type, field) == (offset), #type "." #field)

static_assert(sizeof(Header) == 16 && alignof(Header) == 4, "Header");
FB_WIRE_AT(Header, magic, 0);
FB_WIRE_AT(Header, version, 4);
FB_WIRE_AT(Header, type, 6);
FB_WIRE_AT(Header, length, 8);
FB_WIRE_AT(Header, reserved, 12);

static_assert(sizeof(EventBody) == 64 && alignof(EventBody) == 8, "EventBody");
FB_WIRE_AT(EventBody, sequence, 0);
FB_WIRE_AT(EventBody, time, 8);
FB_WIRE_AT(EventBody, process_id, 16);
FB_WIRE_AT(EventBody, file_size, 24);
FB_WIRE_AT(EventBody, bytes_copied, 32);
FB_WIRE_AT(EventBody, duration, 40);
FB_WIRE_AT(EventBody, status, 48);
FB_WIRE_AT(EventBody, slot, 52);
FB_WIRE_AT(EventBody, trigger, 56);
FB_WIRE_AT(EventBody, outcome, 57);
FB_WIRE_AT(EventBody, skip_reason, 58);
FB_WIRE_AT(EventBody, reserved, 59);
FB_WIRE_AT(EventBody, path_bytes, 60);

static_assert(sizeof(GapBody) == 24, "GapBody");
FB_WIRE_AT(GapBody, dropped, 0);
FB_WIRE_AT(GapBody, first_sequence, 8);
FB_WIRE_AT(GapBody, last_sequence, 16);

static_assert(sizeof(HelloBody) == 8, "HelloBody");
FB_WIRE_AT(HelloBody, role, 0);
FB_WIRE_AT(HelloBody, reserved, 4);

static_assert(sizeof(ReplyPrefix) == 8, "ReplyPrefix");
FB_WIRE_AT(ReplyPrefix, status, 0);
FB_WIRE_AT(ReplyPrefix, reserved, 4);

static_assert(sizeof(HelloReplyBody) == 8, "HelloReplyBody");
FB_WIRE_AT(HelloReplyBody, protocol_version, 0);
FB_WIRE_AT(HelloReplyBody, reserved0, 2);
FB_WIRE_AT(HelloReplyBody, reserved1, 4);

static_assert(sizeof(StatsBody) == 192 && alignof(StatsBody) == 8, "StatsBody");
FB_WIRE_AT(StatsBody, tracked_files, 0);
FB_WIRE_AT(StatsBody, backups, 8);
FB_WIRE_AT(StatsBody, bytes_copied, 16);
FB_WIRE_AT(StatsBody, events_dropped, 24);
FB_WIRE_AT(StatsBody, queue_high_water, 32);
FB_WIRE_AT(StatsBody, queue_high_water_bytes, 40);
FB_WIRE_AT(StatsBody, queue_capacity_bytes, 48);
FB_WIRE_AT(StatsBody, rules_loaded, 56);
FB_WIRE_AT(StatsBody, reserved, 60);
FB_WIRE_AT(StatsBody, skips, 64);
FB_WIRE_AT(StatsBody, failures, 128);

static_assert(sizeof(ReloadConfigReplyBody) == 8, "ReloadConfigReplyBody");
FB_WIRE_AT(ReloadConfigReplyBody, rules_loaded, 0);
FB_WIRE_AT(ReloadConfigReplyBody, reserved, 4);

static_assert(sizeof(StatusReplyBody) == 24 && alignof(StatusReplyBody) == 8, "StatusReplyBody");
FB_WIRE_AT(StatusReplyBody, driver_major, 0);
FB_WIRE_AT(StatusReplyBody, driver_minor, 2);
FB_WIRE_AT(StatusReplyBody, driver_patch, 4);
FB_WIRE_AT(StatusReplyBody, reserved0, 6);
FB_WIRE_AT(StatusReplyBody, watcher_connected, 8);
FB_WIRE_AT(StatusReplyBody, reserved1, 12);
FB_WIRE_AT(StatusReplyBody, watcher_process_id, 16);

static_assert(sizeof(ErrorReplyBody) == 8, "ErrorReplyBody");
FB_WIRE_AT(ErrorReplyBody, request_type, 0);
FB_WIRE_AT(ErrorReplyBody, decode_error, 2);
FB_WIRE_AT(ErrorReplyBody, reserved0, 3);
FB_WIRE_AT(ErrorReplyBody, reserved1, 4);

#undef FB_WIRE_AT

}  // namespace wire
}  // namespace proto
}  // namespace fb
