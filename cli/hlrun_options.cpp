// hlrun's command line (see hlrun_options.hpp).
#include "hlrun_options.hpp"

#include "command_line.hpp"
#include "hlrun_value_options.hpp"

#include <hl/suggest.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <filesystem>

namespace hl::cli {
namespace {

constexpr std::string_view kStderrTrace = "--trace=-";

} // namespace

void apply_environment(HlrunOptions& options)
{
    // Environment (HL_MEMORY, HL_TIMEOUT) sits between flags and defaults.
    if (const char* value = std::getenv("HL_MEMORY")) {
        options.memory = value;
        options.memory_from = "HL_MEMORY";
    }
    if (const char* value = std::getenv("HL_TIMEOUT")) {
        options.timeout = value;
        options.timeout_from = "HL_TIMEOUT";
    }
}

const CLI::Validator& exit_count_validator()
{
    static const CLI::Validator validator(
        [](std::string& text) -> std::string {
            uint64_t value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || ec != std::errc() || end != text.data() + text.size())
                return "'" + text + "' is not a count of exits (a whole number from 0 up)";
            return {};
        },
        "COUNT");
    return validator;
}

StatsSpec parse_stats_spec(const std::string& text)
{
    const size_t colon = text.find(':');
    if (colon == std::string::npos)
        return {text, {}};
    std::string path = text.substr(colon + 1);
    if (path == "-")
        path.clear();   // stderr, as for --trace=-
    return {text.substr(0, colon), path};
}

std::vector<std::pair<std::string, std::string>> other_outputs(const HlrunOptions& options)
{
    std::vector<std::pair<std::string, std::string>> outputs;
    if (options.trace) {
        std::string path = *options.trace;
        if (path == "all" || path.rfind("all:", 0) == 0)
            path = path.size() > 4 ? path.substr(4) : "";
        if (!path.empty() && path != "-")
            outputs.emplace_back("--trace", path);
    }
    if (options.stats)
        if (const StatsSpec spec = parse_stats_spec(*options.stats); !spec.path.empty())
            outputs.emplace_back("--stats", spec.path);
    if (!options.core.empty())
        outputs.emplace_back("--core", options.core);
    if (!options.profile.empty())
        outputs.emplace_back("--profile", options.profile);
    return outputs;
}

const CLI::Validator& stats_validator()
{
    static const CLI::Validator validator(
        [](std::string& text) -> std::string {
            const StatsSpec spec = parse_stats_spec(text);
            const bool to_file = text.find(':') != std::string::npos;
            if (spec.format != "text" && spec.format != "json") {
                std::string lower = spec.format;
                std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
                const auto format = lower == "text" || lower == "json" ? lower : closest(lower, {"text", "json"});
                const std::string hint = format ? " (did you mean " + *format + (to_file ? ":" + spec.path : "") + "?)" : "";
                return "'" + text + "' is not " + (to_file ? "text:FILE or json:FILE" : "text, json, text:FILE or json:FILE") +
                       hint;
            }
            if (to_file && spec.path.empty())
                return "'" + text + "' names no file; expected " + spec.format + ":FILE";
            return {};
        },
        "FORMAT[:FILE]");
    return validator;
}

void add_report_options(CLI::App& app, HlrunOptions& options, const char* stats_help)
{
    app.add_option("--stats", options.stats, stats_help)->check(stats_validator());
    app.add_option("--report", options.report,
                   "Write how the command ended to FILE as one JSON object (schema hl-report/1; see hlrun(1))");
}

const CLI::Validator& environment_validator()
{
    static const CLI::Validator validator(
        [](std::string& text) -> std::string {
            const size_t equals = text.find('=');
            if (equals == std::string::npos || equals == 0)
                return "'" + text + "' is not NAME=VALUE";
            return {};
        },
        "NAME=VALUE");
    return validator;
}

std::optional<MappedDirectory> parse_directory_spec(const std::string& spec, std::string& error)
{
    const size_t colon = spec.rfind(':');
    std::string host = spec.substr(0, colon);
    std::string guest = colon == std::string::npos ? std::string() : spec.substr(colon + 1);
    if (host.empty()) {
        error = "'" + spec + "' names no host directory; expected HOST[:GUEST]";
        return std::nullopt;
    }
    if (colon != std::string::npos && !guest.starts_with('/')) {
        error = "'" + spec + "': the guest path '" + guest + "' is not absolute; expected HOST[:GUEST] with GUEST like /data";
        return std::nullopt;
    }
    if (guest.empty())
        guest = host.starts_with('/') ? host : "/" + host;
    guest = std::filesystem::path(guest).lexically_normal().string();
    if (guest.size() > 1 && guest.ends_with('/'))
        guest.pop_back();
    return MappedDirectory{.host = host, .guest = guest};
}

const CLI::Validator& directory_validator()
{
    static const CLI::Validator validator(
        [](std::string& text) -> std::string {
            std::string error;
            return parse_directory_spec(text, error) ? std::string() : error;
        },
        "HOST[:GUEST]");
    return validator;
}

void add_profile_options(CLI::App& app, HlrunOptions& options)
{
    app.add_option("--profile", options.profile,
                   "Sample the guest's stacks and write them to FILE: folded stacks, or a flame graph for FILE.svg");
    app.add_option("--profile-hz", options.profile_hz, "Samples a second while the guest runs (default 997)")
        ->check(whole_number_in(1, hl::kMaxProfileHz));
    app.add_option("--profile-format", options.profile_format,
                   "folded (flamegraph.pl, speedscope) or svg (a flame graph); default: svg for FILE.svg, else folded")
        ->check(one_of({"folded", "svg"}));
}

void add_core_option(CLI::App& app, HlrunOptions& options)
{
    app.add_option("--core", options.core,
                   "Write an ELF core file of the guest to FILE if it faults, aborts, times out or reaches its exit "
                   "limit (gdb IMAGE FILE)");
}

void add_gdb_option(CLI::App& app, HlrunOptions& options)
{
    app.add_option("--gdb", options.gdb,
                   "Wait for gdb on HOST:PORT (--gdb alone: 127.0.0.1:1234) before the guest's first instruction");
}

void add_hlrun_options(CLI::App& app, HlrunOptions& options)
{
    apply_environment(options);
    // IMAGE and everything after it go to the guest untouched, dashes included.
    app.prefix_command();
    app.add_option("--memory,-m", options.memory, "Guest memory size, e.g. 16Mi (env HL_MEMORY)");
    app.add_option("--timeout,-t", options.timeout, "Stop the guest after this long, e.g. 5s (env HL_TIMEOUT)");
    app.add_option("--max-exits", options.max_exits, "Stop the guest after this many VM exits (0: no limit)")
        ->check(exit_count_validator());
    app.add_option("--trace", options.trace,
                   "Trace every VM exit: --trace (stderr), --trace=FILE, --trace=all[:FILE] (with the kernel's view)");
    app.add_option("--trace-format", options.trace_format, "text (default), jsonl or chrome")
        ->check(one_of({"text", "jsonl", "chrome"}));
    app.add_option("--trace-filter", options.trace_filter,
                   "Trace only these exit reasons and hypercalls, comma-separated (e.g. write,exit)");
    add_report_options(app, options,
                       "Print exit statistics at the end: --stats, --stats=json, --stats=FORMAT:FILE (default stderr)");
    add_profile_options(app, options);
    add_core_option(app, options);
    add_gdb_option(app, options);
    app.add_flag("--verbose,-v", options.verbose, "Also print the registers of a faulting guest");
    app.add_flag("--no-seccomp", options.no_seccomp,
                 "Do not confine the thread that runs the guest with a seccomp filter (on by default)");
    app.add_option("--env", options.environment,
                   "Give a static Linux executable or a musl guest this environment variable (repeatable; none by default)")
        ->check(environment_validator())
        ->allow_extra_args(false);
    app.add_option("--dir", options.directories,
                   "Let the guest read host directory HOST, at GUEST or the same path (repeatable; read-only)")
        ->check(directory_validator())
        ->allow_extra_args(false);
    app.add_flag("--strict-syscalls", options.strict_syscalls,
                 "End the run at the first Linux system call hl does not serve, instead of returning ENOSYS");
}

std::vector<std::string> spell_out_optional_values(int argc, char** argv, bool call)
{
    std::vector<std::string> args(argv, argv + argc);
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--" || arg.empty() || arg[0] != '-')
            break; // IMAGE, or the end of hlrun's options: nothing after is ours
        if (arg == "--trace" && !call)
            args[i] = std::string(kStderrTrace);
        else if (arg == "--stats")
            args[i] = "--stats=text";
        else if (arg == "--gdb")
            args[i] = std::string("--gdb=") + kDefaultGdbAddress;
        else if (hlrun_option_takes_value(arg))
            ++i; // skip the option's value
    }
    return args;
}

std::string missing_image_hint(int argc, char** argv, bool call)
{
    // Where IMAGE is: the first word that is no option and no option's value.
    int image = 1;
    while (image < argc) {
        const std::string_view arg = argv[image];
        if (arg == "--")
            return {};   // the user said the next word is IMAGE, whatever it looks like
        if (arg.empty() || arg[0] != '-')
            break;
        image += hlrun_option_takes_value(arg) ? 2 : 1;
    }
    if (image >= argc)
        return {};
    const std::string word = argv[image];
    const std::string_view before = image > 1 ? argv[image - 1] : "";
    // `--trace IMAGE` traces to stderr: the word is --trace's only when it
    // is `all`, or when what follows it is there to be the image.
    std::error_code error;
    const bool next_is_a_file = image + 1 < argc && std::filesystem::is_regular_file(argv[image + 1], error);
    const bool value_shape =
        (before == "--trace" && (word == "all" || word.starts_with("all:") || next_is_a_file)) ||
        (before == "--stats" && (word == "json" || word == "text" || word.starts_with("json:") ||
                                 word.starts_with("text:"))) ||
        (before == "--gdb" && word.find(':') != std::string::npos);
    if (value_shape)
        return std::string(before) + "=" + word;
    // A file name (snapshot.hl) is one, not a command mistyped.
    if (call || word.find_first_of("./") != std::string::npos)
        return {};
    if (const auto command = closest(word, {"call", "inspect", "snapshot", "serve", "doctor", "completions"}))
        return "hlrun " + *command;
    return {};
}

bool note_flag_sources(const CLI::App& app, HlrunOptions& options)
{
    if (app.count("--timeout"))
        options.timeout_from = "--timeout";
    if (app.count("--memory") == 0)
        return false;
    options.memory_from = "--memory";
    return true;
}

std::string finish_hlrun_options(CLI::App& app, HlrunOptions& options)
{
    note_flag_sources(app, options);
    options.guest_argv = app.remaining();
    // CLI11 hands an unknown option to the prefix command too: reject it
    // here, unless `--` said that what follows is IMAGE, whatever its name.
    if (!options.guest_argv.empty() && options.guest_argv.front() == "--")
        options.guest_argv.erase(options.guest_argv.begin());
    else if (!options.guest_argv.empty() && options.guest_argv.front().size() > 1 &&
             options.guest_argv.front()[0] == '-')
        return "unknown option '" + options.guest_argv.front() + "'" +
               did_you_mean(options.guest_argv.front().substr(0, options.guest_argv.front().find('=')),
                            option_names(app)) +
               "; see hlrun --help (use -- before an IMAGE whose name starts with '-')";
    if (options.guest_argv.empty())
        return "missing IMAGE; usage: hlrun [OPTIONS] IMAGE [ARGS...]";
    return profile_without_file(app, options);
}

std::string profile_without_file(const CLI::App& app, const HlrunOptions& options)
{
    if (options.profile.empty())
        for (const char* option : {"--profile-hz", "--profile-format"})
            if (app.count(option))
                return std::string(option) + ": needs --profile";
    return {};
}

} // namespace hl::cli
