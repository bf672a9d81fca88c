// The communication port \FileBackupPort between FileBackup.sys and fbmon.exe.
//
// This file owns the Filter Manager side of the port: creating it (administrators and SYSTEM
// only, one client at a time), remembering the connected client, closing it. What the bytes
// mean is the protocol layer's job (port_protocol.h): every connect, disconnect and message is
// forwarded there.
#pragma once

#include "flt_kernel.h"

namespace fbk::port {

// The port's name in the object manager namespace (FilterConnectCommunicationPort's lpPortName).
#define FB_PORT_NAME L"\\FileBackupPort"

// One monitor at a time: events are a single ordered stream, and a second console would
// silently steal half of them.
constexpr LONG kMaxConnections = 1;

// The largest request or reply a FilterSendMessage may carry; larger ones are refused with
// STATUS_INVALID_BUFFER_SIZE before any allocation.
constexpr ULONG kMaxMessageBytes = 64 * 1024;

// Creates the server port. On failure nothing is left open.
NTSTATUS open(PFLT_FILTER filter);

// Closes the server port (no new connections). Idempotent. The connected client, if any, is
// disconnected by Filter Manager when the filter unregisters, which calls on_disconnect.
void close();

// Sends one message to the connected client and, if reply is non-null, waits for its reply.
// Returns STATUS_PORT_DISCONNECTED when no client is connected. timeout as FltSendMessage
// takes it (nullptr waits forever: never pass nullptr from an I/O path). IRQL <= APC_LEVEL.
NTSTATUS send(PVOID message, ULONG message_size, PVOID reply, PULONG reply_size,
              PLARGE_INTEGER timeout);

// True while a client is connected (a snapshot: it may disconnect right after).
bool has_client();

}  // namespace fbk::port
