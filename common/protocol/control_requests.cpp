#include "common/protocol/control_requests.h"

namespace fb {
namespace proto {
namespace {

// The raw type of whatever arrived (0 when not even the header's type field is there).
uint16_t raw_type(const void* request, uint32_t bytes) {
  if (request == nullptr || bytes < 8) return 0;
  const uint8_t* b = static_cast<const uint8_t*>(request);
  return static_cast<uint16_t>(b[6] | b[7] << 8);
}

RequestOutcome written(const EncodeResult& encoded, MessageType type, NtStatus reply_status) {
  RequestOutcome out;
  out.answered = type;
  out.reply_status = reply_status;
  if (encoded.error == Error::kOutputTooSmall || encoded.error == Error::kNullBuffer) {
    out.status = nt::kBufferTooSmall;
    return out;
  }
  if (encoded.error != Error::kOk) {
    out.status = nt::kUnsuccessful;
    return out;
  }
  out.bytes = encoded.size;
  return out;
}

RequestOutcome refuse(const void* request, uint32_t request_bytes, NtStatus status, Error why, void* reply,
                      uint32_t capacity) {
  ErrorReply error;
  error.status = status;
  error.request_type = raw_type(request, request_bytes);
  error.decode_error = why;
  return written(encode_error_reply(error, reply, capacity), MessageType::kErrorReply, status);
}

NtStatus status_for(Error error) {
  switch (error) {
    case Error::kUnknownType: return nt::kInvalidDeviceRequest;
    case Error::kUnsupportedVersion: return kVersionMismatchStatus;
    default: return nt::kInvalidParameter;
  }
}

}  // namespace

RequestOutcome answer_request(HelloRole role, const void* request, uint32_t request_bytes, void* reply,
                              uint32_t reply_capacity, RequestHost& host) {
  Header header;
  const Error error = decode_header(request, request_bytes, &header);
  if (error != Error::kOk)
    return refuse(request, request_bytes, status_for(error), error, reply, reply_capacity);
  if (role == HelloRole::kVersionProbe && header.type != MessageType::kHello)
    return refuse(request, request_bytes, nt::kAccessDenied, Error::kUnexpectedType, reply, reply_capacity);

  switch (header.type) {
    case MessageType::kHello: {
      Hello hello;
      const Error e = decode_hello(request, request_bytes, &hello);
      if (e != Error::kOk) return refuse(request, request_bytes, status_for(e), e, reply, reply_capacity);
      HelloReply answer;
      answer.status = hello.version == kProtocolVersion ? nt::kSuccess : kVersionMismatchStatus;
      answer.driver_version = kProtocolVersion;
      return written(encode_hello_reply(answer, reply, reply_capacity), MessageType::kHelloReply, answer.status);
    }
    case MessageType::kGetStats: {
      const Error e = decode_get_stats(request, request_bytes);
      if (e != Error::kOk) return refuse(request, request_bytes, status_for(e), e, reply, reply_capacity);
      if (reply_capacity < kStatsReplyBytes)  // do not collect statistics nobody can receive
        return written({Error::kOutputTooSmall, kStatsReplyBytes}, MessageType::kStatsReply, nt::kSuccess);
      StatsReply answer;
      host.fill_statistics(&answer.stats);
      return written(encode_stats_reply(answer, reply, reply_capacity), MessageType::kStatsReply, answer.status);
    }
    case MessageType::kReloadConfig: {
      const Error e = decode_reload_config(request, request_bytes);
      if (e != Error::kOk) return refuse(request, request_bytes, status_for(e), e, reply, reply_capacity);
      if (reply_capacity < kReloadConfigReplyBytes)  // refuse before reloading, not after
        return written({Error::kOutputTooSmall, kReloadConfigReplyBytes}, MessageType::kReloadConfigReply,
                       nt::kSuccess);
      ReloadConfigReply answer;
      answer.status = host.reload(&answer.rules_loaded);
      return written(encode_reload_config_reply(answer, reply, reply_capacity), MessageType::kReloadConfigReply,
                     answer.status);
    }
    case MessageType::kGetStatus: {
      const Error e = decode_get_status(request, request_bytes);
      if (e != Error::kOk) return refuse(request, request_bytes, status_for(e), e, reply, reply_capacity);
      if (reply_capacity < kStatusReplyBytes)
        return written({Error::kOutputTooSmall, kStatusReplyBytes}, MessageType::kStatusReply, nt::kSuccess);
      StatusReply answer;
      host.fill_status(&answer.driver);
      return written(encode_status_reply(answer, reply, reply_capacity), MessageType::kStatusReply, answer.status);
    }
    default:  // events, gaps and replies travel from the driver, never to it
      return refuse(request, request_bytes, nt::kInvalidDeviceRequest, Error::kUnexpectedType, reply,
                    reply_capacity);
  }
}

}  // namespace proto
}  // namespace fb
