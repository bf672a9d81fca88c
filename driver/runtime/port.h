// The communication port \FileBackupPort between FileBackup.sys and fbmon.exe.
//
// This file owns the Filter Manager side of the port: creating it (administrators and SYSTEM
// only), remembering which client is the watcher (the one that receives events), closing
// clients. What a connection and the bytes mean is the protocol layer's job
// (driver/runtime/port_protocol.h): every connect, disconnect and message is forwarded there, with the
// per-connection cookie the protocol layer allocated at connect.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk::port {

// The port's name is fb::proto::kPortName (common/protocol/protocol.h), shared with fbmon.

// One watcher (`fbmon watch`: events are a single ordered stream, a second watcher would steal
// half of them) plus control clients (`fbmon stats`, `fbmon config`, restore) at the same time.
// The cap only bounds what a runaway administrator script can pin in pool.
constexpr LONG kMaxConnections = 16;

// The largest request or reply a FilterSendMessage may carry; larger ones are refused with
// STATUS_INVALID_BUFFER_SIZE before any allocation.
constexpr ULONG kMaxMessageBytes = 64 * 1024;

// Creates the server port. On failure nothing is left open.
NTSTATUS open(PFLT_FILTER filter);

// Closes the server port (no new connections). Idempotent. The connected client, if any, is
// disconnected by Filter Manager when the filter unregisters, which calls on_disconnect.
void close();

// Makes `client` the watcher. False when another watcher is connected. IRQL PASSIVE_LEVEL.
bool claim_watcher(PFLT_PORT client);

// Closes a client port (FltCloseClientPort). The watcher's port is closed through the variable
// send() hands FltSendMessage, so Filter Manager synchronises the close with a send in flight
// (the send fails with STATUS_PORT_DISCONNECTED) without a lock of ours held across the send.
// Sets *client to nullptr. From the disconnect callback only. PASSIVE_LEVEL.
void close_client(PFLT_PORT* client);

// Sends one message to the watcher and, if reply is non-null, waits for its reply. Takes no
// lock: connects and disconnects never wait behind a send.
// Returns STATUS_PORT_DISCONNECTED when no watcher is connected (or it disconnects meanwhile). timeout as FltSendMessage
// takes it (nullptr waits forever: never pass nullptr). STATUS_TIMEOUT (a success code!) when
// the watcher did not take the message in time. IRQL <= APC_LEVEL.
NTSTATUS send(PVOID message, ULONG message_size, PVOID reply, PULONG reply_size,
              PLARGE_INTEGER timeout);

// True while a watcher is connected (a snapshot: it may disconnect right after).
bool has_watcher();

}  // namespace fbk::port
