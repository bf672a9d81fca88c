// Words for the protocol's enums: decode errors (logged by the driver, shown by fbmon) and the
// reasons counted in the statistics, plus the NTSTATUS -> FailureReason grouping.
#include "common/protocol/protocol.h"
#include "common/protocol/stats.h"

namespace fb {

namespace proto {

const char* error_text(Error error) {
  switch (error) {
    case Error::kOk: return "ok";
    case Error::kBufferTooShort: return "buffer too short for a message header";
    case Error::kBadMagic: return "not a FileBackup message (bad magic)";
    case Error::kUnsupportedVersion: return "unsupported protocol version";
    case Error::kReservedNotZero: return "reserved field is not zero";
    case Error::kLengthTooSmall: return "length field smaller than the message layout";
    case Error::kLengthExceedsBuffer: return "length field larger than the buffer";
    case Error::kTrailingBytes: return "length field larger than the message layout (trailing bytes)";
    case Error::kUnknownType: return "unknown message type";
    case Error::kUnexpectedType: return "unexpected message type";
    case Error::kPathLengthOdd: return "path length is an odd number of bytes";
    case Error::kPathTooLong: return "path longer than 32767 UTF-16 units";
    case Error::kPathExceedsMessage: return "path runs past the end of the message";
    case Error::kMisaligned: return "message not aligned to 2 bytes";
    case Error::kBadEnumValue: return "enum field out of range";
    case Error::kBadGapRange: return "gap report range inconsistent";
    case Error::kOutputTooSmall: return "output buffer too small";
    case Error::kNullBuffer: return "null buffer";
  }
  return "unknown protocol error";
}

}  // namespace proto

FailureReason failure_reason_of(NtStatus status) {
  switch (status) {
    case nt::kSharingViolation:
      return FailureReason::kSharingViolation;
    case nt::kDiskFull:
      return FailureReason::kDiskFull;
    case nt::kDeviceDataError:
    case nt::kDataError:
    case nt::kFileCorruptError:
      return FailureReason::kReadError;
    case nt::kNameTooLong:
      return FailureReason::kNameTooLong;
    case nt::kAccessDenied:
      return FailureReason::kAccessDenied;
    case nt::kInsufficientResources:
      return FailureReason::kInsufficientResources;
    default:
      return FailureReason::kOther;
  }
}

const char* failure_reason_text(FailureReason reason) {
  switch (reason) {
    case FailureReason::kOther: return "other";
    case FailureReason::kSharingViolation: return "sharing violation";
    case FailureReason::kDiskFull: return "disk full";
    case FailureReason::kReadError: return "read error";
    case FailureReason::kNameTooLong: return "name too long";
    case FailureReason::kAccessDenied: return "access denied";
    case FailureReason::kInsufficientResources: return "insufficient resources";
  }
  return "unknown";
}

const char* skip_reason_text(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNone: return "none";
    case SkipReason::kEmptyFile: return "empty file";
    case SkipReason::kTooLarge: return "too large";
    case SkipReason::kLowDiskSpace: return "low disk space";
    case SkipReason::kDisabled: return "disabled";
    case SkipReason::kNotObservable: return "not observable";
  }
  return "unknown";
}

}  // namespace fb
