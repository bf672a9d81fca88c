// One function per fbmon command; each returns the process exit status.
#pragma once

#include "common/engine/config.h"
#include "monitor/lib/args.h"
#include "monitor/lib/errors.h"

namespace fbmon {

int run_watch(const Command& command);
int run_stats(const Command& command);
int run_config(const Command& command);
int run_list(const Command& command);
int run_restore(const Command& command);
int run_status(const Command& command);
int run_usage(const Command& command);
int run_prune(const Command& command);
int run_deleted(const Command& command);

// The driver's tunables as it reads them at load (the same parser, fb::parse_engine_config).
fb::EngineConfig configured_engine();

// Prints error_line(error) to stderr and returns exit_code(error.failure).
int report(const ErrorInfo& error);

}  // namespace fbmon
