// Running the guest compiler and linker as child processes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

// Runs argv (searched in PATH), inheriting stdout and stderr. With echo, logs
// the command line first. Returns the exit status, or nullopt after logging
// why the command could not be started or died from a signal.
std::optional<int> run_command(const std::vector<std::string>& argv, bool echo);

// Runs argv and returns its stdout with the trailing newline removed, or
// nullopt if it could not run or failed.
std::optional<std::string> capture_command(const std::vector<std::string>& argv);

// The command line as a shell would read it back.
std::string quote_command(const std::vector<std::string>& argv);

} // namespace hl::cli
