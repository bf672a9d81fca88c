// A TEST-ONLY fltlib.dll for Wine: the user-mode side of filter communication ports
// (FilterConnectCommunicationPort, FilterSendMessage, FilterGetMessage, FilterReplyMessage,
// FilterClose), carried over a loopback TCP connection to the host-kernel driver process
// (tests/kernel/e2e/host/), which runs the shipped FileBackup.sys and hands each call to the
// simulated Filter Manager's port. Never shipped: it is built into the test tree and loaded
// only in the Wine test prefix with WINEDLLOVERRIDES="fltlib=n", placed next to a copy of
// fbmon.exe (fbmon imports FLTLIB.DLL by name, so a native DLL in the application directory
// replaces Wine's builtin stub, whose FilterConnectCommunicationPort returns E_NOTIMPL).
//
// The port handle IS the connected socket (an overlapped Winsock socket is a kernel handle), so
// what fbmon does with it besides these calls works unchanged: CloseHandle disconnects,
// an overlapped FilterGetMessage is a ReadFile that CancelIoEx cancels and
// GetOverlappedResult completes.
//
// Wire (little endian, 127.0.0.1 only, port from the FB_FLTLIB_PORT environment variable):
//   request frame: u32 length of what follows, u8 kind, payload
//     kind 1 connect: u32 name bytes, name (UTF-16), u32 context bytes, context
//     kind 2 send:    u32 reply capacity, request bytes
//     kind 3 get:     u32 buffer capacity
//     kind 4 reply:   reply bytes (FILTER_REPLY_HEADER + body)
//   answers: connect/send/reply -> u32 length, i32 NTSTATUS, u32 bytes returned, bytes;
//            get -> the raw message (FILTER_MESSAGE_HEADER + body, at most the capacity), one
//            per get, and only one get outstanding, so a read returns exactly one message.
//   A port the filter closed (FltCloseClientPort, the driver unloaded) resets the connection:
//   the pending read fails, as FilterGetMessage's I/O fails when the port is disconnected.
// NTSTATUS becomes HRESULT as fltlib does it: HRESULT_FROM_WIN32(RtlNtStatusToDosError(status)).
#include <winsock2.h>
#include <windows.h>
#include <winternl.h>

#include <fltuser.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

namespace {

constexpr uint8_t kConnect = 1, kSend = 2, kGet = 3, kReply = 4;
constexpr DWORD kMaxFrame = 1u << 20;

HRESULT from_status(LONG status) {
  if (status >= 0) return S_OK;
  return HRESULT_FROM_WIN32(RtlNtStatusToDosError(status));
}

HRESULT last_socket_error() { return HRESULT_FROM_WIN32(static_cast<DWORD>(WSAGetLastError())); }

bool send_all(SOCKET s, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const int n = send(s, p, static_cast<int>(size), 0);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool recv_all(SOCKET s, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    const int n = recv(s, p, static_cast<int>(size), 0);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool send_frame(SOCKET s, uint8_t kind, const void* a, DWORD a_size, const void* b, DWORD b_size) {
  const uint32_t length = 1 + a_size + b_size;
  return send_all(s, &length, 4) && send_all(s, &kind, 1) && (a_size == 0 || send_all(s, a, a_size)) &&
         (b_size == 0 || send_all(s, b, b_size));
}

// An answer frame: status, then up to `capacity` bytes into `out`.
HRESULT receive_answer(SOCKET s, void* out, DWORD capacity, DWORD* returned) {
  uint32_t length = 0, count = 0;
  int32_t status = 0;
  if (!recv_all(s, &length, 4) || length < 8 || length > kMaxFrame || !recv_all(s, &status, 4) ||
      !recv_all(s, &count, 4) || count != length - 8 || count > capacity)
    return E_HANDLE;  // the connection broke: the port is gone
  if (count > 0 && !recv_all(s, out, count)) return E_HANDLE;
  if (returned != nullptr) *returned = count;
  return from_status(status);
}

SOCKET as_socket(HANDLE port) { return reinterpret_cast<SOCKET>(port); }

}  // namespace

extern "C" {

__declspec(dllexport) HRESULT WINAPI FilterConnectCommunicationPort(LPCWSTR port_name, DWORD options,
                                                                    LPCVOID context, WORD context_size,
                                                                    LPSECURITY_ATTRIBUTES, HANDLE* port) {
  if (port == nullptr || port_name == nullptr) return E_INVALIDARG;
  *port = INVALID_HANDLE_VALUE;
  (void)options;
  const char* port_text = getenv("FB_FLTLIB_PORT");
  if (port_text == nullptr) return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);  // no driver: no port
  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return E_FAIL;
  SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  if (s == INVALID_SOCKET) return last_socket_error();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<u_short>(atoi(port_text)));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    closesocket(s);
    return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);  // the host is not running: the port does not exist
  }
  const uint32_t name_bytes = static_cast<uint32_t>(wcslen(port_name) * sizeof(WCHAR));
  const uint32_t context_bytes = context == nullptr ? 0 : context_size;
  const uint32_t length = 1 + 4 + name_bytes + 4 + context_bytes;
  const uint8_t kind = kConnect;
  HRESULT hr = E_HANDLE;
  if (send_all(s, &length, 4) && send_all(s, &kind, 1) && send_all(s, &name_bytes, 4) &&
      send_all(s, port_name, name_bytes) && send_all(s, &context_bytes, 4) &&
      (context_bytes == 0 || send_all(s, context, context_bytes)))
    hr = receive_answer(s, nullptr, 0, nullptr);
  if (FAILED(hr)) {
    closesocket(s);
    return hr;
  }
  *port = reinterpret_cast<HANDLE>(s);
  return S_OK;
}

__declspec(dllexport) HRESULT WINAPI FilterSendMessage(HANDLE port, LPVOID in, DWORD in_size, LPVOID out,
                                                       DWORD out_size, LPDWORD returned) {
  if (port == nullptr || port == INVALID_HANDLE_VALUE) return E_HANDLE;
  if (returned == nullptr) return E_INVALIDARG;
  *returned = 0;
  const uint32_t capacity = out == nullptr ? 0 : out_size;
  if (!send_frame(as_socket(port), kSend, &capacity, 4, in, in == nullptr ? 0 : in_size)) return E_HANDLE;
  return receive_answer(as_socket(port), out, capacity, returned);
}

__declspec(dllexport) HRESULT WINAPI FilterReplyMessage(HANDLE port, PFILTER_REPLY_HEADER reply, DWORD size) {
  if (port == nullptr || port == INVALID_HANDLE_VALUE) return E_HANDLE;
  if (reply == nullptr || size < sizeof(FILTER_REPLY_HEADER)) return E_INVALIDARG;
  if (!send_frame(as_socket(port), kReply, reply, size, nullptr, 0)) return E_HANDLE;
  return receive_answer(as_socket(port), nullptr, 0, nullptr);
}

__declspec(dllexport) HRESULT WINAPI FilterGetMessage(HANDLE port, PFILTER_MESSAGE_HEADER buffer, DWORD size,
                                                      LPOVERLAPPED overlapped) {
  if (port == nullptr || port == INVALID_HANDLE_VALUE) return E_HANDLE;
  if (buffer == nullptr || size < sizeof(FILTER_MESSAGE_HEADER)) return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
  const uint32_t capacity = size;
  if (!send_frame(as_socket(port), kGet, &capacity, 4, nullptr, 0)) return E_HANDLE;
  if (overlapped == nullptr) {
    const int n = recv(as_socket(port), reinterpret_cast<char*>(buffer), static_cast<int>(size), 0);
    return n >= static_cast<int>(sizeof(FILTER_MESSAGE_HEADER)) ? S_OK : E_HANDLE;
  }
  DWORD done = 0;
  if (ReadFile(port, buffer, size, &done, overlapped)) return S_OK;
  const DWORD error = GetLastError();
  return error == ERROR_IO_PENDING ? HRESULT_FROM_WIN32(ERROR_IO_PENDING) : HRESULT_FROM_WIN32(error);
}

__declspec(dllexport) HRESULT WINAPI FilterClose(HANDLE port) {
  return closesocket(as_socket(port)) == 0 ? S_OK : E_HANDLE;
}

}  // extern "C"
