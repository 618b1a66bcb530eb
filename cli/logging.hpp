// Diagnostics for the CLIs: spdlog on stderr, one line per message, in the
// form "PROGRAM: error: MESSAGE" (colour only on a terminal, never with NO_COLOR).
#pragma once

#include <spdlog/spdlog.h>

namespace hl::cli {

void init_logging(const char* program, bool verbose = false);

} // namespace hl::cli
