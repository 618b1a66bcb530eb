// --report=FILE and `hlrun call --json`'s error object: the file is opened
// before the guest runs (hlrun confines itself then, and may open nothing
// after), the object written once the command is done, whatever ended it —
// and by the SIGSYS handler when seccomp stops hlrun (hl::ViolationRecord).
#pragma once

#include "run_report.hpp"

#include <hl/confine.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

class HlrunReport {
public:
    HlrunReport() = default;
    ~HlrunReport();
    HlrunReport(const HlrunReport&) = delete;
    HlrunReport& operator=(const HlrunReport&) = delete;

    // Opens path for the report (empty: no report) after checking it is
    // none of inputs, not standard input, and none of the files other
    // options write (outputs: option and file). Returns an error line
    // ("--report: ..."), or empty.
    std::string open(const std::string& path, RunReport subject, const std::vector<std::string>& inputs,
                     const std::vector<std::pair<std::string, std::string>>& outputs = {});
    // A failed command also prints error_object() on stdout (call --json).
    void print_errors_on_stdout() { errors_on_stdout_ = true; }

    // What the command fills in as it goes: exits, times, calls, stats.
    RunReport& data() { return report_; }
    // How the guest's stretch ended, and hlrun's status for it; a later
    // failure of hlrun's own (a file it could not write) overrides it.
    // reason: instead of the result's own words (empty: those).
    void decide(const RunResult& result, int status, std::string reason = {});
    // hlrun failed after the guest's ending (a profile it could not write):
    // the ending is hlrun's own, whatever the status.
    void overrule() { decided_.reset(); }
    // The result is on stdout: a later failure prints no error object after it.
    void result_printed() { result_printed_ = true; }

    // For confine_this_thread: what completes the report and the error
    // object when seccomp stops hlrun with status.
    std::vector<ViolationRecord> violation_records(int status);

    // Writes the report and the error object; returns status, or
    // kExitHostError after one line when the report could not be written.
    int finish(int status);

private:
    int fd_ = -1;
    std::string path_;
    bool errors_on_stdout_ = false;
    bool result_printed_ = false;
    RunReport report_;
    std::optional<Outcome> decided_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

} // namespace hl::cli
