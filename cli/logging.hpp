// Diagnostics for the CLIs: one line per message on stderr, in the form
// "PROGRAM: error: MESSAGE" (colour only on a terminal, never with NO_COLOR).
// spdlog writes them, from logging.cpp alone: in static builds spdlog is
// header-only, and it would cost every file that logs ~10 s of compiling.
// Messages use "{}" placeholders, counted against the arguments when compiled.
#pragma once

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace hl::cli {

void init_logging(const char* program, bool verbose = false);
void log_verbosely(); // debug messages too, for -v

namespace logging {

enum class Level { Debug, Info, Warn, Error };

void write(Level level, std::string_view pattern, std::initializer_list<std::string_view> texts);
// The last error line written, without "PROGRAM: error: " (for --report and
// call --json, which say why a command failed); empty when none was.
const std::string& last_error();
// pattern with its "{}" replaced by texts, in order. Pure.
std::string fill(std::string_view pattern, std::initializer_list<std::string_view> texts);

consteval size_t placeholders(std::string_view pattern)
{
    size_t count = 0;
    for (size_t at = pattern.find("{}"); at != std::string_view::npos; at = pattern.find("{}", at + 2))
        ++count;
    return count;
}

// A message pattern with one "{}" per argument: a mismatch does not compile.
template <typename... Args>
struct Pattern {
    template <size_t N>
    consteval Pattern(const char (&text)[N]) : text(text, N - 1)
    {
        if (placeholders(this->text) != sizeof...(Args))
            throw "the message has not one {} per argument";
    }
    std::string_view text;
};

inline std::string_view text_of(std::string_view s) { return s; }
inline std::string_view text_of(const std::string& s) { return s; }
inline std::string_view text_of(const char* s) { return s ? s : "(null)"; }
template <std::integral T>
    requires(!std::same_as<T, char> && !std::same_as<T, bool>)
std::string text_of(T value) { return std::to_string(value); }

template <typename... Args>
void log(Level level, std::string_view pattern, const Args&... args)
{
    // Each text_of temporary lives until the end of this full expression.
    write(level, pattern, {std::string_view(text_of(args))...});
}

} // namespace logging

template <typename... Args>
void log_error(logging::Pattern<std::type_identity_t<Args>...> pattern, const Args&... args)
{
    logging::log(logging::Level::Error, pattern.text, args...);
}

template <typename... Args>
void log_warn(logging::Pattern<std::type_identity_t<Args>...> pattern, const Args&... args)
{
    logging::log(logging::Level::Warn, pattern.text, args...);
}

template <typename... Args>
void log_info(logging::Pattern<std::type_identity_t<Args>...> pattern, const Args&... args)
{
    logging::log(logging::Level::Info, pattern.text, args...);
}

template <typename... Args>
void log_debug(logging::Pattern<std::type_identity_t<Args>...> pattern, const Args&... args)
{
    logging::log(logging::Level::Debug, pattern.text, args...);
}

} // namespace hl::cli
