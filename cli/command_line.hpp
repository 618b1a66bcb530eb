// Command-line parsing shared by the CLIs: CLI11, with its errors turned into
// one diagnostic line.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

// Parses argv into app. nullopt: go on. Otherwise the status to exit with:
// 0 after --help or --version, usage_status after a parse error (logged as
// "PROGRAM: error: MESSAGE; see PROGRAM --help").
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int usage_status);

// What a prefix command (app.prefix_command()) left after its options: the
// positional arguments, a leading "--" dropped. nullopt, after logging
// "unknown option 'ARG'; see COMMAND --help", when the first one looks like
// an option (a guest's own options follow its IMAGE, or a "--").
std::optional<std::vector<std::string>> arguments_after_options(const CLI::App& app, const std::string& command);

} // namespace hl::cli
