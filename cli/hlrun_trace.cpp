// hlrun's trace and stats sinks (see hlrun_trace.hpp).
#include "hlrun_trace.hpp"

#include "hlrun_common.hpp"
#include "logging.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace hl::cli {
namespace {

std::vector<std::string> split_commas(const std::string& text)
{
    std::vector<std::string> parts;
    std::stringstream stream(text);
    for (std::string part; std::getline(stream, part, ',');)
        if (!part.empty())
            parts.push_back(part);
    return parts;
}

} // namespace

HlrunTrace::~HlrunTrace()
{
    if (file_ && file_ != stderr)
        std::fclose(file_);
    if (stats_file_)
        std::fclose(stats_file_);
}

std::string HlrunTrace::configure(const HlrunOptions& options, const std::string& image)
{
    if (options.stats) {
        const StatsSpec spec = parse_stats_spec(*options.stats);
        if (!spec.path.empty()) {
            std::string error;
            stats_file_ = open_output_file("--stats", spec.path, {image}, error);
            if (!stats_file_)
                return error;
            stats_path_ = spec.path;
        }
        stats_ = std::make_unique<RunStats>();
        stats_format_ = spec.format;
        tee_.add(*stats_);
    }
    if (!options.trace)
        return options.trace_filter.empty() ? "" : "--trace-filter: needs --trace";

    // --trace, --trace=FILE, --trace=all, --trace=all:FILE
    std::string path = *options.trace;
    const bool kernel = path == "all" || path.rfind("all:", 0) == 0;
    if (kernel)
        path = path.size() > 4 ? path.substr(4) : "-";
    if (path == "-" || path.empty()) {
        file_ = stderr;
    } else {
        std::string error;
        file_ = open_output_file("--trace", path, {image}, error);
        if (!file_)
            return error;
    }

    if (kernel) {
        try {
            kernel_trace_ = KernelTrace::open_for_this_thread();
        } catch (const hl::Error& error) {
            log_warn("--trace=all: {}; tracing user space only", error.what());
        }
    }
    format_name_ = options.trace_format;
    if (options.trace_format == "jsonl") {
        format_ = std::make_unique<JsonlTraceSink>(file_);
    } else if (options.trace_format == "chrome") {
        format_ = std::make_unique<ChromeTraceSink>(file_, "hlrun " + image);
    } else {
        const bool colour = isatty(fileno(file_)) && std::getenv("NO_COLOR") == nullptr;
        format_ = std::make_unique<TextTraceSink>(file_, colour);
    }
    if (options.trace_filter.empty()) {
        tee_.add(*format_);
        return {};
    }
    try {
        filter_ = std::make_unique<TraceFilter>(*format_, split_commas(options.trace_filter));
    } catch (const hl::Error& error) {
        return std::string("--trace-filter: ") + error.what();
    }
    tee_.add(*filter_);
    return {};
}

void HlrunTrace::finish(const RunResult& result)
{
    if (kernel_trace_) {
        // The kernel counts every return from KVM_RUN; so does hlrun. They must agree.
        const int64_t kernel = kernel_trace_->userspace_exits();
        std::string fired, silent;
        for (const auto& [name, count] : kernel_trace_->counts())
            if (count)
                fired += (fired.empty() ? "" : ", ") + name + " " + std::to_string(count);
            else
                silent += (silent.empty() ? "" : ", ") + name;
        const std::string check =
            kernel < 0 ? "kernel cross-check: this host has no kvm_userspace_exit tracepoint to compare with"
                       : "kernel cross-check: kernel counted " + std::to_string(kernel) +
                             " returns to user space, hlrun counted " + std::to_string(result.exits) + " exits: " +
                             (static_cast<uint64_t>(kernel) == result.exits ? "agree" : "DISAGREE");
        std::FILE* out = format_name_ == "text" ? file_ : stderr;
        if (format_name_ == "jsonl") {
            std::fprintf(file_,
                         "{\"schema\":\"hl-trace/1\",\"type\":\"kernel-check\",\"kernel_exits\":%lld,"
                         "\"hlrun_exits\":%llu,\"agree\":%s,\"lost\":%llu}\n",
                         static_cast<long long>(kernel), static_cast<unsigned long long>(result.exits),
                         static_cast<uint64_t>(kernel) == result.exits ? "true" : "false",
                         static_cast<unsigned long long>(kernel_trace_->lost()));
            std::fflush(file_);
        }
        std::fprintf(out, "%s\nkernel tracepoints that fired: %s; silent on this host: %s%s\n", check.c_str(),
                     fired.empty() ? "none" : fired.c_str(), silent.empty() ? "none" : silent.c_str(),
                     kernel_trace_->lost() ? (", " + std::to_string(kernel_trace_->lost()) + " records lost").c_str() : "");
        std::fflush(out);
    }
    if (!stats_)
        return;
    std::FILE* out = stats_file_ ? stats_file_ : stderr;
    if (stats_format_ == "json")
        stats_->print_json(out);
    else
        stats_->print_table(out);
    if (stats_file_) {
        const bool written = !std::ferror(stats_file_) && std::fflush(stats_file_) == 0;
        const int error = errno;
        const bool closed = std::fclose(stats_file_) == 0;
        stats_file_ = nullptr;
        if (!written || !closed)
            stats_error_ = "--stats: cannot write " + stats_path_ + ": " + std::strerror(written ? errno : error);
    }
}

} // namespace hl::cli
