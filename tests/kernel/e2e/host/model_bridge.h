// The model bridge: a FUSE file system (libfuse3; test-only, never shipped) served by
// fb_e2e_host, whose every request is performed on the NTFS model volume through the simulated
// Filter Manager, so the shipped image's pre/post callbacks run for fbmon's own file I/O under
// Wine exactly as they run for the stories' applications: a Linux open is an IRP_MJ_CREATE, a
// write an IRP_MJ_WRITE, a truncate, rename or unlink an IRP_MJ_SET_INFORMATION, a release
// IRP_MJ_CLEANUP + IRP_MJ_CLOSE, a stat an open for FILE_READ_ATTRIBUTES and its close. Reads go
// to the model through the file's handle (the image registers no IRP_MJ_READ callback); folder
// listings and free space (statfs) are read from the model.
//
// Mounted at a folder inside the Wine prefix's drive_c, it shows one folder of the model
// volume (`root`, an NT path such as \Device\HarddiskVolume2\Users\me\Documents). Wine keeps a
// stream `a.txt:backup` as a plain file of that name (monitor/win/win32_file_system.h), so the
// bridge maps a FUSE name `x:stream` to the model's stream `stream` of file `x`, and lists
// each named stream that way.
//
// Attribution: Wine performs opens inside wineserver, not in the client process (and reads and
// writes in whichever process holds the descriptor), so the Linux pid of a FUSE request cannot
// say which Windows process asked. Every request is attributed to the process id `requestor()`
// returns: fb_e2e_host answers the id of the newest live port connection, which is the one
// fbmon's control connection registered with the driver (runtime::is_monitor_process), or an
// unconnected application's id when no fbmon is connected.
//
// Served single-threaded (one request at a time, on one thread), as the simulation's
// thread/IRQL bookkeeping assumes of one requestor. What the bridge does not do: Windows file
// semantics (Wine's own share modes, attributes and times are Wine's business; the bridge opens
// with full sharing and accepts and ignores times, modes and owners), real alternate data
// streams, directories (the model's are implicit: a folder exists while a file is below it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>

#include "tests/kernel/e2e/image_host.h"

namespace ksim::e2e {

struct BridgeOptions {
  std::string mount_point;            // an existing empty folder
  fbmodel::Name root;                 // the NT folder it shows, without a trailing backslash
  ImageHost* host = nullptr;          // its NTFS volume is the model
  std::shared_mutex* sim_lock = nullptr;  // held shared around each call into the simulation
  std::function<uint64_t()> requestor;    // the process id of every request (see above)
};

class ModelBridge {
 public:
  ModelBridge();
  ~ModelBridge();
  ModelBridge(const ModelBridge&) = delete;
  ModelBridge& operator=(const ModelBridge&) = delete;

  // Mounts and starts serving on its own thread. False with *error (one line).
  bool start(const BridgeOptions& options, std::string* error);
  // Unmounts, joins the thread, and closes (cleanup + close through Filter Manager) the files a
  // client left open. The number of such files. A client still using the mount after 5 s
  // leaves the loop running, detached (*problem says so).
  size_t stop(std::string* problem = nullptr);
  bool running() const;
  // Whom the requests that change the model (create, write, set end of file, rename, delete)
  // were attributed to: "PID:COUNT" per process id, ascending; empty when none came.
  std::string mutations() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace ksim::e2e
