// `fbmon stats`: one get-statistics request on a control connection.
#include "monitor/win/commands.h"
#include "monitor/win/console.h"
#include "monitor/lib/driver_messages.h"
#include "monitor/win/port.h"

namespace fbmon {

int run_stats(const Command& command) {
  std::vector<uint8_t> request(fb::proto::kGetStatsBytes), reply;
  fb::proto::encode_get_stats(request.data(), request.size());
  ErrorInfo error;
  if (!control_request(request, reply, error)) return report(error);
  const StatsResult stats = read_stats_reply(reply.data(), reply.size());
  if (!stats.ok) return report(stats.error);
  if (command.json) print_line(format_stats_json(stats.stats));
  else print_out(format_stats_text(stats.stats));
  return 0;
}

}  // namespace fbmon
