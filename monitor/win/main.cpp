// fbmon.exe entry point: wide arguments -> UTF-8 -> lib/args -> one command.
#include <windows.h>

#include <string>
#include <vector>

#include "monitor/win/commands.h"
#include "monitor/win/console.h"
#include "monitor/lib/errors.h"
#include "common/protocol/protocol.h"
#include "monitor/win/win_util.h"

namespace fbmon {

int report(const ErrorInfo& error) {
  print_error(error_line(error));
  return exit_code(error.failure);
}

namespace {

int dispatch(const Command& c) {
  switch (c.kind) {
    case CommandKind::kHelp:
      print_out(help_text(c.help_topic));
      return c.no_command ? 2 : 0;
    case CommandKind::kVersion:
      print_line(std::string("fbmon ") + FB_VERSION + ", protocol " + std::to_string(fb::proto::kProtocolVersion) +
                 ", port " + port_name());
      return 0;
    case CommandKind::kWatch: return run_watch(c);
    case CommandKind::kStats: return run_stats(c);
    case CommandKind::kConfigShow:
    case CommandKind::kConfigAddFolder:
    case CommandKind::kConfigRemoveFolder:
    case CommandKind::kConfigSet: return run_config(c);
    case CommandKind::kList: return run_list(c);
    case CommandKind::kRestore: return run_restore(c);
    case CommandKind::kStatus: return run_status(c);
    case CommandKind::kUsage: return run_usage(c);
    case CommandKind::kPrune: return run_prune(c);
    case CommandKind::kDeleted: return run_deleted(c);
  }
  return 1;
}

}  // namespace
}  // namespace fbmon

int wmain(int argc, wchar_t** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.push_back(fbmon::narrow(argv[i]));
  const fbmon::ParsedArgs parsed = fbmon::parse_args(args);
  if (!parsed.ok) {
    fbmon::ErrorInfo usage;
    usage.failure = fbmon::Failure::kUsage;
    usage.detail = parsed.error;
    usage.help_topic = parsed.help_topic;
    return fbmon::report(usage);
  }
  return fbmon::dispatch(parsed.command);
}
