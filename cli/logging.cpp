// spdlog set-up shared by hlrun and hlbuild, and the one place that calls it.
#include "logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

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

void log_verbosely() { spdlog::set_level(spdlog::level::debug); }

namespace logging {

std::string fill(std::string_view pattern, std::initializer_list<std::string_view> texts)
{
    std::string message;
    message.reserve(pattern.size());
    const std::string_view* text = texts.begin();
    for (size_t at = 0; at < pattern.size();) {
        const size_t hole = pattern.find("{}", at);
        message.append(pattern.substr(at, hole - at));
        if (hole == std::string_view::npos)
            break;
        if (text != texts.end())
            message.append(*text++);
        at = hole + 2;
    }
    return message;
}

namespace {
std::string g_last_error;
} // namespace

const std::string& last_error() { return g_last_error; }

void write(Level level, std::string_view pattern, std::initializer_list<std::string_view> texts)
{
    if (level == Level::Error) {
        g_last_error = fill(pattern, texts);
        spdlog::default_logger_raw()->error(spdlog::string_view_t(g_last_error));
        return;
    }
    constexpr spdlog::level::level_enum kLevels[] = {spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
                                                     spdlog::level::err};
    spdlog::logger* logger = spdlog::default_logger_raw();
    if (!logger->should_log(kLevels[static_cast<int>(level)]))
        return;
    logger->log(kLevels[static_cast<int>(level)], spdlog::string_view_t(fill(pattern, texts)));
}

} // namespace logging
} // namespace hl::cli
