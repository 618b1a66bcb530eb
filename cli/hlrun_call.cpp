// hlrun call: initialise a function guest (or start one from a snapshot
// file, ready), call one export with ARGS parsed by its signature, print the result.
//   hlrun call [-m SIZE] [-t DURATION] [--json] [--repeat N] [--fresh] [--stats[=json]] [--core FILE] IMAGE FUNCTION [ARGS...]
#include "command_line.hpp"
#include "hlrun_common.hpp"
#include "hlrun_core.hpp"
#include "hlrun_gdb.hpp"
#include "hlrun_exit_codes.hpp"
#include "hlrun_profile.hpp"
#include "hlrun_report.hpp"
#include "hlrun_subcommands.hpp"
#include "logging.hpp"

#include <hl/text.hpp>
#include <hl/units.hpp>
#include <hl/trace_stats.hpp>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cinttypes>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace hl::cli {
namespace {

struct CallOptions {
    HlrunOptions common;     // memory, timeout, verbose, --stats, --report
    bool json = false;
    uint64_t repeat = 1;
    bool fresh = false;
    bool memory_given = false;   // --memory on the command line (a snapshot file's is fixed)
};

// ARGS as the export's parameter types say; nullopt after logging the first bad one.
std::optional<std::vector<Value>> parse_arguments(const Export& e, const std::vector<std::string>& text)
{
    if (text.size() != e.parameters.size()) {
        log_error("{}", argument_count_error(e, text.size()));
        return std::nullopt;
    }
    std::vector<Value> values;
    for (size_t i = 0; i < text.size(); ++i) {
        std::string error;
        auto value = parse_value(e.parameters[i], text[i], error);
        if (!value) {
            log_error("{}: argument {}: {} ({})", e.name, i + 1, error, describe_export(e));
            return std::nullopt;
        }
        values.push_back(std::move(*value));
    }
    return values;
}

// The result as hlrun(1) says. A string is all its bytes, NULs included: as they
// are for a pipe or a file, by the rule for text from the guest on a terminal.
// The library hands over only valid UTF-8 strings, so --json is valid UTF-8.
std::string result_text(const Export& e, const RunResult& result, const CallOptions& options, uint64_t calls)
{
    if (options.json) {
        std::string value = format_value(result.value); // a string: json_string
        const double* real = std::get_if<double>(&result.value);
        if (e.result == 'v' || (real && !std::isfinite(*real)))
            value = "null"; // JSON has no void, infinity or NaN
        else if (e.result == 'y')
            value = json_string(value);
        return "{\"function\":" + json_string(e.name) + ",\"type\":" + json_string(type_name(e.result)) +
               ",\"result\":" + value + ",\"calls\":" + std::to_string(calls) +
               ",\"exits\":" + std::to_string(result.exits) + "}\n";
    }
    if (const auto* text = std::get_if<std::string>(&result.value))
        return (isatty(STDOUT_FILENO) ? printable(*text) : *text) + "\n";
    return e.result == 'v' ? "" : format_value(result.value) + "\n";
}

// The result on stdout, then --stats on stderr or in its file; returns hlrun's exit status.
int print_result(const Export& e, const RunResult& result, const CallOptions& options, const LatencyHistogram& latency,
                 std::FILE* stats_file, HlrunReport& json_report)
{
    if (const int status = print_to_stdout(result_text(e, result, options, latency.count()), "the result of " + e.name))
        return status;
    json_report.result_printed();
    auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1e3; };
    const double average = latency.count() ? us(latency.total()) / static_cast<double>(latency.count()) : 0.0;
    const StatsSpec stats = options.common.stats ? parse_stats_spec(*options.common.stats) : StatsSpec{};
    std::FILE* out = stats_file ? stats_file : stderr;
    if (stats.format == "json") {
        std::fprintf(out,
                     "{\"schema\":\"hl-call-stats/1\",\"function\":%s,\"calls\":%" PRIu64 ",\"fresh\":%s,"
                     "\"min_us\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"avg_us\":%.1f}\n",
                     json_string(e.name).c_str(), latency.count(), options.fresh ? "true" : "false", us(latency.min()),
                     us(latency.quantile(0.5)), us(latency.quantile(0.99)), us(latency.max()), average);
    } else if (!stats.format.empty()) {
        std::fprintf(out, "%" PRIu64 " calls%s: min %.1fus  p50 %.1fus  p99 %.1fus  max %.1fus  avg %.1fus\n",
                     latency.count(), options.fresh ? " (fresh)" : "", us(latency.min()), us(latency.quantile(0.5)),
                     us(latency.quantile(0.99)), us(latency.max()), average);
    }
    if (std::fflush(out) != 0 && stats_file) {
        log_error("--stats: cannot write {}: {}", stats.path, std::strerror(errno));
        return kExitHostError;
    }
    return 0;
}

// The sandbox for IMAGE, initialised, or for a snapshot file, ready as it was saved.
std::optional<Sandbox> ready_sandbox(const CallOptions& options, const std::string& path,
                                     std::optional<Snapshot>& snapshot, SandboxOptions sandbox_opts, HlrunCore& core,
                                     HlrunGdb& gdb, HlrunReport& json_report, int& status)
{
    if (snapshot) {
        Sandbox sandbox = Sandbox::from_snapshot(*snapshot, std::move(sandbox_opts));
        confine_unless_disabled(options.common, sandbox, gdb.socket_fds(), json_report.violation_records(kExitHostError));
        return sandbox;
    }
    Sandbox sandbox(Image::load(path), std::move(sandbox_opts));
    confine_unless_disabled(options.common, sandbox, gdb.socket_fds(), json_report.violation_records(kExitHostError));
    const RunResult init = sandbox.initialize({path});
    json_report.data().exits += init.exits;
    json_report.data().run_time = init.duration;
    if (init.ending == RunResult::Ending::Ready)
        return sandbox;
    core.finish(sandbox);
    json_report.data().core_file = core.written_path();
    status = report_not_ready(init);
    json_report.decide(init, status, logging::last_error());
    core.report();
    return std::nullopt;
}

int call(const CallOptions& options, const std::vector<std::string>& rest, HlrunReport& json_report)
{
    auto sandbox_opts = sandbox_options(options.common);
    if (!sandbox_opts)
        return kExitUsage;
    // Combinations first: a refused command line creates and empties no file.
    if (const std::string error = HlrunGdb::refuse_combinations(options.common); !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> stats_file(nullptr, std::fclose);
    if (options.common.stats)
        if (const StatsSpec spec = parse_stats_spec(*options.common.stats); !spec.path.empty()) {
            std::string error;
            stats_file.reset(open_output_file("--stats", spec.path, {rest[0]}, error));
            if (!stats_file) {
                log_error("{}", error);
                return kExitUsage;
            }
        }
    // Before --profile, which creates its file: a bad --core leaves nothing behind.
    HlrunCore core;
    if (const std::string error = core.configure(options.common.core, {rest[0]}); !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    HlrunProfile profile;
    if (const std::string error = profile.configure(options.common, {rest[0]}); !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    sandbox_opts->profile = profile.profile();
    sandbox_opts->profile_hz = options.common.profile_hz;
    HlrunGdb gdb;
    std::optional<Image> symbols;   // the image, for the profile's names (the thread may be confined by then)
    const int status = guarded([&] {
        std::optional<Snapshot> snapshot;
        if (Snapshot::is_snapshot_file(rest[0])) {
            snapshot = Snapshot::load(rest[0]);
            if (options.memory_given) {
                log_error("--memory: {} is a snapshot file, whose memory size is fixed ({})", rest[0],
                              format_size(snapshot->memory_size()));
                return static_cast<int>(kExitUsage);
            }
        }
        const Image image = snapshot ? snapshot->image() : Image::load(rest[0]);
        const Export* found = image.find_export(rest[1]);
        if (!found) {
            log_error("{}: {}", rest[0], unknown_export_error(image, rest[1]));
            return static_cast<int>(kExitUsage);
        }
        const Export e = *found;
        const auto args = parse_arguments(e, {rest.begin() + 2, rest.end()});
        if (!args)
            return static_cast<int>(kExitUsage);
        if (const int status = gdb.attach(options.common, image.name()))   // the image, also for a snapshot file
            return status;
        sandbox_opts->gdb = gdb.server();
        int status = 0;
        std::optional<Sandbox> ready =
            ready_sandbox(options, rest[0], snapshot, std::move(*sandbox_opts), core, gdb, json_report, status);
        if (!ready)
            return status;
        Sandbox& sandbox = *ready;
        sandbox.set_fresh_per_call(options.fresh);
        if (Profile* calls = profile.profile())
            calls->clear();   // the calls' profile, not the initialisation's
        symbols = image;      // written once calls ran; not when the guest never got ready
        LatencyHistogram latency;
        uint64_t call_exits = 0;
        RunResult result;
        for (uint64_t i = 0; i < options.repeat; ++i) {
            const auto start = std::chrono::steady_clock::now();
            result = sandbox.call(e.name, *args);
            latency.record(static_cast<uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count()));
            json_report.data().exits += result.exits;
            call_exits += result.exits;
            json_report.data().calls = RunReport::Calls{latency.count(), call_exits, latency.min(),
                                                        latency.quantile(0.5), latency.quantile(0.99), latency.max(),
                                                        latency.total()};
            if (result.ending != RunResult::Ending::Returned) {
                core.finish(sandbox);   // before the output deadline, whose signals would cut it short
                json_report.data().core_file = core.written_path();
                const auto deadline = final_output_deadline(result);
                std::fflush(stdout);
                if (result.ending == RunResult::Ending::Exited)
                    log_error("the guest exited with status {} during a call to {}", result.exit_status, e.name);
                else
                    report(result);
                const int status =
                    result.ending == RunResult::Ending::Exited ? static_cast<int>(kExitGuestFault) : exit_code_for(result);
                json_report.decide(result, status, logging::last_error());   // before --core's own line
                core.report();
                return status;
            }
        }
        gdb.end(0);   // the guest is done with: gdb hears that it exited
        json_report.decide(result, 0, e.name + " returned");
        return print_result(e, result, options, latency, stats_file.get(), json_report);
    });
    if (symbols) {
        if (const std::string error = profile.finish(*symbols); !error.empty()) {
            log_error("{}", error);
            json_report.overrule();
            return static_cast<int>(kExitHostError);
        }
    }
    return status;
}

} // namespace

int hlrun_call(int argc, char** argv)
{
    CallOptions options;
    apply_environment(options.common);
    CLI::App app{"Call a function a guest image exports (see hlrun(1))", "hlrun call"};
    set_up_command(app, "hlrun", "hlrun call [OPTIONS] IMAGE|SNAPSHOT FUNCTION [ARGS...]");
    app.prefix_command(); // IMAGE FUNCTION ARGS...: negative numbers are arguments, not options
    app.add_option("--memory,-m", options.common.memory, "Guest memory size, e.g. 16Mi (env HL_MEMORY)");
    app.add_option("--timeout,-t", options.common.timeout, "Stop a call after this long, e.g. 5s (env HL_TIMEOUT)");
    app.add_option("--max-exits", options.common.max_exits, "Stop a call after this many VM exits (0: no limit)")
        ->check(exit_count_validator());
    app.add_flag("--json", options.json, "Print the result as one JSON object");
    app.add_option("--repeat,-n", options.repeat, "Call N times (the last result is printed)")->check(whole_number_in(1, UINT64_MAX));
    app.add_flag("--fresh", options.fresh, "Start every call from the state right after initialisation");
    add_report_options(app, options.common,
                       "Print the calls' latency min/p50/p99/max: --stats, --stats=json, --stats=FORMAT:FILE (default "
                       "stderr)");
    add_profile_options(app, options.common);
    add_core_option(app, options.common);
    add_gdb_option(app, options.common);
    app.add_flag("--verbose,-v", options.common.verbose, "Also print the registers of a faulting guest");
    app.add_flag("--no-seccomp", options.common.no_seccomp,
                 "Do not confine the thread that runs the guest with a seccomp filter (on by default)");
    app.add_option("--dir", options.common.directories,
                   "Let the guest read host directory HOST, at GUEST or the same path (repeatable; read-only)")
        ->check(directory_validator())
        ->allow_extra_args(false);
    app.footer("IMAGE FUNCTION [ARGS...]  ARGS are parsed by FUNCTION's signature (hlrun inspect IMAGE lists them);\n"
               "IMAGE may be a snapshot file (hlrun snapshot), which starts ready, as it was saved");
    std::vector<std::string> args = spell_out_optional_values(argc, argv, true);   // a bare --gdb
    std::vector<char*> arg_pointers;
    for (std::string& arg : args)
        arg_pointers.push_back(arg.data());
    if (const auto status = parse_command_line(app, static_cast<int>(arg_pointers.size()), arg_pointers.data(), kExitUsage))
        return *status;
    options.memory_given = note_flag_sources(app, options.common);
    if (options.common.verbose)
        log_verbosely();
    // The report is opened before anything else can fail: every ending from here on writes it.
    HlrunReport json_report;
    if (options.json)
        json_report.print_errors_on_stdout();
    const auto arguments = arguments_after_options(app, "hlrun call");
    const std::vector<std::string> rest = arguments ? *arguments : std::vector<std::string>{};
    RunReport subject{.command = "call"};
    if (!rest.empty())
        subject.image = rest[0];
    if (rest.size() > 1) {
        subject.function = rest[1];
        subject.arguments.assign(rest.begin() + 2, rest.end());
    }
    if (const std::string error = json_report.open(options.common.report, subject,
                                                   rest.empty() ? std::vector<std::string>{} : std::vector{rest[0]},
                                                   other_outputs(options.common));
        !error.empty()) {
        log_error("{}", error);
        return json_report.finish(kExitUsage);
    }
    if (!arguments)
        return json_report.finish(kExitUsage);
    if (const std::string error = profile_without_file(app, options.common); !error.empty()) {
        log_error("{}", error);
        return json_report.finish(kExitUsage);
    }
    if (rest.size() < 2) {
        log_error("missing {}; usage: hlrun call [OPTIONS] IMAGE FUNCTION [ARGS...]", rest.empty() ? "IMAGE" : "FUNCTION");
        return json_report.finish(kExitUsage);
    }
    // `--stats json IMAGE`: the word was meant for --stats.
    if (std::error_code error; !std::filesystem::exists(rest[0], error) && !error)
        if (const std::string hint = missing_image_hint(argc, argv, true); !hint.empty()) {
            log_error("{}: cannot read: No such file or directory (did you mean {}?)", rest[0], hint);
            return json_report.finish(kExitImageUnreadable);
        }
    return json_report.finish(call(options, rest, json_report));
}

} // namespace hl::cli
