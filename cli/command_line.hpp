// Command-line parsing shared by the CLIs: CLI11, with its errors turned into
// one diagnostic line.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>

namespace hl::cli {

// Parses argv into app. nullopt: go on. Otherwise the status to exit with:
// 0 after --help or --version, usage_status after a parse error (logged as
// "PROGRAM: error: MESSAGE; see PROGRAM --help").
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int usage_status);

} // namespace hl::cli
