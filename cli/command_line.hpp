// Command-line parsing shared by the CLIs: CLI11, with its errors turned into
// one diagnostic line.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

// Parses argv into app. nullopt: go on. Otherwise the status to exit with:
// 0 after --help or --version, usage_status after a parse error (logged as
// "PROGRAM: error: MESSAGE; see PROGRAM --help").
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int usage_status);

// What every command of the CLIs has: --version ("hlrun 0.1.0", whichever
// subcommand), and the usage line its --help starts with (CLI11's own says
// only "[OPTIONS]"); `usage` may hold more lines.
void set_up_command(CLI::App& app, const std::string& tool, std::string usage);

// hl's voice for CLI11's errors: an option without its value ("--memory:
// needs a value"), an unknown option or argument with the nearest known one
// ("unknown option '--memroy' (did you mean --memory?)"), a missing or
// unknown command. Other errors keep their text (our validators' own).
std::string usage_error_text(const CLI::App& app, const CLI::ParseError& error);

// Every spelling of app's options ("--memory", "-m"), for suggestions.
std::vector<std::string> option_names(const CLI::App& app);

// A whole number from lo to hi; the refusal says so, naming the value.
CLI::Validator whole_number_in(uint64_t lo, uint64_t hi);
// One of these words; the refusal names the value and lists them.
CLI::Validator one_of(std::vector<std::string> words);

// What a prefix command (app.prefix_command()) left after its options: the
// positional arguments, a leading "--" dropped. nullopt, after logging
// "unknown option 'ARG'; see COMMAND --help", when the first one looks like
// an option (a guest's own options follow its IMAGE, or a "--").
std::optional<std::vector<std::string>> arguments_after_options(const CLI::App& app, const std::string& command);

} // namespace hl::cli
