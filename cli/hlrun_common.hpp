// What hlrun's subcommands (run, call, inspect) share: turning flags into
// SandboxOptions, reporting how a run ended, and mapping library errors to
// exit statuses with one line each.
#pragma once

#include "hlrun_options.hpp"

#include <hl/confine.hpp>
#include <hl/sandbox.hpp>
#include <hl/thread_deadline.hpp>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace hl::cli {

// Turns --memory / --timeout text into SandboxOptions; nullopt after logging the bad value.
std::optional<SandboxOptions> sandbox_options(const HlrunOptions& options);

// Confines this thread, hlrun's only one, with libsandbox's seccomp filter
// (hl/confine.hpp) unless --no-seccomp: call it once the sandbox is built.
// A forbidden call then ends hlrun with kExitHostError and one line
// "hlrun: error: seccomp stopped system call NAME (NR) in the vCPU thread".
// Throws ConfineError when the kernel refuses the filter.
// socket_fds: sockets it still talks on (a debugger's connection).
// violation_records: what completes --report and call --json's error object then.
void confine_unless_disabled(const HlrunOptions& options, const Sandbox& sandbox, std::vector<int> socket_fds = {},
                             std::vector<ViolationRecord> violation_records = {});

// Logs how a run ended, unless the guest simply exited or returned.
void report(const RunResult& result);

// A run that ended at its deadline (timed out, or cancelled) must not be held
// past it by a reader that does not read: hlrun's own last lines (the error
// line, --stats, the end of the trace) then get one second to go out, and are
// dropped after that. Keep the result alive until they are written; nullptr
// for the other endings.
std::unique_ptr<ThreadDeadline> final_output_deadline(const RunResult& result);

// A function guest's initialisation that did not reach hl_serve(): says how
// it ended (for a guest that exited, that its main must call hl_serve) and
// returns hlrun's exit status for it.
int report_not_ready(const RunResult& init);

// Writes hlrun's own output (a call's result, what inspect found) to stdout,
// whole. Returns 0, or after one line ("cannot print WHAT: the reader of
// stdout closed it") kExitOutputClosed, or kExitHostError if writing failed
// otherwise.
int print_to_stdout(std::string_view text, std::string_view what);

// Whether both paths name one existing file (same device and inode): an
// output file must not be the image it is about.
bool same_file(const std::string& a, const std::string& b);
// "OPTION: PATH is INPUT itself; choose another file" when the output file
// PATH of OPTION is one of inputs, else empty.
std::string output_is_input(const std::string& option, const std::string& path, const std::vector<std::string>& inputs);

// Opens path for writing, truncated, for OPTION's output; nullptr with an
// error line in `error` ("OPTION: cannot open PATH for writing: REASON", or
// that PATH is one of inputs).
std::FILE* open_output_file(const std::string& option, const std::string& path, const std::vector<std::string>& inputs,
                            std::string& error);

// Runs body, turning the library's errors into one line and hlrun's exit status.
int guarded(const std::function<int()>& body);

} // namespace hl::cli
