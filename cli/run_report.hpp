// How an hlrun command ended, for people and for programs: the outcome (the
// ending, who decided it, why, and hlrun's exit status) and the --report
// object built around it (schema hl-report/1, documented in hlrun(1)). Pure.
#pragma once

#include <hl/run_result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

struct Outcome {
    std::string ending;       // RunResult's ending_name, or hlrun's own: "usage error", "image invalid", ...
    std::string decided_by;   // "guest", "hl" or "kernel"
    std::string reason;       // one line
    int status = 0;           // hlrun's exit status
};

// The outcome of a stretch the guest ran, ending with hlrun status `status`.
// A guest fault is the guest's doing when the CPU raised it, hl's when hl
// refused a hypercall; KVM failing and a reader gone are the kernel's word.
Outcome outcome_of(const RunResult& result, int status);

// The outcome of a command that ended with `status` before or apart from a
// guest's run (a bad image, a bad flag, no /dev/kvm), `reason` being the
// error line hlrun printed.
Outcome outcome_of_status(int status, std::string reason);

// {"error":{"ending":...,"decided_by":...,"message":...,"status":...}}: what
// `hlrun call --json` prints for a failed call; hlrun serve's error bodies
// are the same object without the last two fields.
std::string error_object(const Outcome& outcome);

// Everything --report says of one command.
struct RunReport {
    std::string command = {};             // "run" or "call"
    std::string image = {};
    std::vector<std::string> argv = {};   // run: the guest's argv
    std::string function = {};            // call
    std::vector<std::string> arguments = {};   // call: as given
    Outcome outcome = {};
    std::optional<int> guest_status = {}; // the guest exited: its status
    std::optional<GuestFault> fault = {};
    uint64_t exits = 0;                   // all of the command's VM exits
    std::chrono::nanoseconds hlrun_time{0};   // from reading the command line to the report
    std::chrono::nanoseconds run_time{0};     // run: the guest's run; call: its initialisation
    struct Calls {
        uint64_t count = 0;
        uint64_t exits = 0;
        uint64_t min_ns = 0, p50_ns = 0, p99_ns = 0, max_ns = 0, total_ns = 0;
    };
    std::optional<Calls> calls = {};      // call: the calls that ran
    std::string core_file = {};           // --core: the file written
    std::string stats_json = {};          // --stats: the hl-stats/1 object
};

// The report as one JSON object and a newline.
std::string report_json(const RunReport& report);

// What report_json writes when seccomp stops hlrun, split around the
// violation's line (hl::ViolationRecord): the fields known before the run,
// the ending "seccomp" decided by the kernel, then the line as the reason.
std::pair<std::string, std::string> violation_report_json(const RunReport& report, int status);
std::pair<std::string, std::string> violation_error_object(int status);

} // namespace hl::cli
