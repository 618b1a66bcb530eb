// What hlrun's subcommands (run, call, inspect) share: turning flags into
// SandboxOptions, reporting how a run ended, and mapping library errors to
// exit statuses with one line each.
#pragma once

#include "hlrun_options.hpp"

#include <hl/sandbox.hpp>

#include <functional>
#include <optional>

namespace hl::cli {

// Turns --memory / --timeout text into SandboxOptions; nullopt after logging the bad value.
std::optional<SandboxOptions> sandbox_options(const HlrunOptions& options);

// Confines this thread, hlrun's only one, with libsandbox's seccomp filter
// (hl/confine.hpp) unless --no-seccomp: call it once the sandbox is built.
// A forbidden call then ends hlrun with kExitHostError and one line
// "hlrun: error: seccomp stopped system call NAME (NR) in the vCPU thread".
// Throws ConfineError when the kernel refuses the filter.
void confine_unless_disabled(const HlrunOptions& options);

// Logs how a run ended, unless the guest simply exited or returned.
void report(const RunResult& result);

// Runs body, turning the library's errors into one line and hlrun's exit status.
int guarded(const std::function<int()>& body);

} // namespace hl::cli
