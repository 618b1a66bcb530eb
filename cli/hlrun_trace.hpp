// What hlrun attaches to the sandbox for --trace, --trace-format,
// --trace-filter and --stats: the sinks, the trace file, and the summary
// printed at the end.
#pragma once

#include "hlrun_options.hpp"

#include <hl/kernel_trace.hpp>
#include <hl/trace.hpp>
#include <hl/trace_stats.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace hl::cli {

class HlrunTrace {
public:
    HlrunTrace() = default;
    ~HlrunTrace();
    HlrunTrace(const HlrunTrace&) = delete;
    HlrunTrace& operator=(const HlrunTrace&) = delete;

    // Builds the sinks the options ask for. Returns an error message (a bad
    // filter name, a trace file that cannot be opened), or empty.
    std::string configure(const HlrunOptions& options, const std::string& image);

    // The sink for SandboxOptions::trace, or nullptr when nothing was asked.
    TraceSink* sink() { return tee_.empty() ? nullptr : &tee_; }
    // The kernel's view for --trace=all, or nullptr (not asked, or not
    // allowed here: configure has then said why in one line).
    KernelTrace* kernel_trace() { return kernel_trace_.get(); }
    // --stats: the run's statistics as JSON (hl-stats/1), for --report; empty without --stats.
    std::string stats_json() const { return stats_ ? stats_->json() : std::string(); }
    // After the run: the kernel cross-check (--trace=all) in the trace, and
    // the --stats summary on stderr.
    void finish(const RunResult& result);
    // Why --stats=FORMAT:FILE could not be written, once finish() ran; empty when it was.
    const std::string& stats_error() const { return stats_error_; }

private:
    std::FILE* file_ = nullptr;      // owned when not stderr
    std::FILE* stats_file_ = nullptr;   // --stats=FORMAT:FILE; owned
    std::string format_name_;
    std::unique_ptr<KernelTrace> kernel_trace_;
    std::unique_ptr<TraceSink> format_;
    std::unique_ptr<TraceFilter> filter_;
    std::unique_ptr<RunStats> stats_;
    std::string stats_format_;
    std::string stats_path_;
    std::string stats_error_;
    TraceTee tee_;
};

} // namespace hl::cli
