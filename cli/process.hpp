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
// nullopt, quietly, if it could not run or failed; why then says how ("No
// such file or directory", "exited with status 1", "killed by signal 9").
std::optional<std::string> capture_command(const std::vector<std::string>& argv, std::string* why = nullptr);

// The command line as a shell would read it back.
std::string quote_command(const std::vector<std::string>& argv);

} // namespace hl::cli
