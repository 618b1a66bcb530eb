// spdlog set-up shared by hlrun and hlbuild.
#include "logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdlib>
#include <unistd.h>

namespace hl::cli {

void init_logging(const char* program, bool verbose)
{
    const bool colour = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
    auto logger = spdlog::stderr_color_mt(program, colour ? spdlog::color_mode::automatic
                                                          : spdlog::color_mode::never);
    logger->set_pattern("%n: %^%l%$: %v");
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
    spdlog::set_default_logger(logger);
}

} // namespace hl::cli
