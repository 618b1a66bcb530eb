// hlrun: validate, load and run one guest image in a fresh micro-VM.
//   hlrun [OPTIONS] IMAGE [ARGS...]
// Everything after IMAGE belongs to the guest. Exit statuses: hlrun_exit_codes.hpp.
#include "command_line.hpp"
#include "completion/completion_spec.hpp"
#include "hlrun_common.hpp"
#include "hlrun_core.hpp"
#include "hlrun_gdb.hpp"
#include "hlrun_exit_codes.hpp"
#include "hlrun_options.hpp"
#include "hlrun_profile.hpp"
#include "hlrun_report.hpp"
#include "hlrun_subcommands.hpp"
#include "hlrun_trace.hpp"
#include "logging.hpp"

#include <hl/image.hpp>
#include <hl/sandbox.hpp>
#include <hl/units.hpp>

#include <CLI/CLI.hpp>

#include <cinttypes>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace hl::cli;

int run(const HlrunOptions& options, HlrunReport& json_report)
{
    auto sandbox_opts = sandbox_options(options);
    if (!sandbox_opts)
        return kExitUsage;
    // Combinations first: a refused command line creates and empties no file.
    if (!options.profile.empty() && (options.trace || options.stats)) {
        log_error("--profile cannot be used with --trace or --stats yet: its interrupts would split the traced exits");
        return kExitUsage;
    }
    if (const std::string error = HlrunGdb::refuse_combinations(options); !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    HlrunTrace trace;
    if (const std::string error = trace.configure(options, options.guest_argv.front()); !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    sandbox_opts->trace = trace.sink();
    sandbox_opts->kernel_trace = trace.kernel_trace();
    // Before --profile, which creates its file: a bad --core leaves nothing behind.
    HlrunCore core;
    if (const std::string error = core.configure(options.core, {options.guest_argv.front()}); !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    HlrunProfile profile;
    if (const std::string error = profile.configure(options, {options.guest_argv.front()}); !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    sandbox_opts->profile = profile.profile();
    sandbox_opts->profile_hz = options.profile_hz;
    HlrunGdb gdb;
    return guarded([&] {
        hl::Image image = hl::Image::load(options.guest_argv.front());
        if (const int status = gdb.attach(options, options.guest_argv.front()))
            return status;
        sandbox_opts->gdb = gdb.server();
        hl::Sandbox sandbox(std::move(image), std::move(*sandbox_opts));
        confine_unless_disabled(options, sandbox, gdb.socket_fds(), json_report.violation_records(kExitHostError));
        const hl::RunResult result = sandbox.run(options.guest_argv);
        json_report.data().exits = result.exits;
        json_report.data().run_time = result.duration;
        json_report.decide(result, exit_code_for(result));
        core.finish(sandbox);   // before the output deadline, whose signals would cut it short
        json_report.data().core_file = core.written_path();
        const auto deadline = final_output_deadline(result);
        std::fflush(stdout);
        trace.finish(result);
        json_report.data().stats_json = trace.stats_json();
        report(result);
        core.report();
        gdb.end(exit_code_for(result));   // a function guest, ready: gdb hears that it is done
        if (result.ending == hl::RunResult::Ending::Ready)
            log_info("the guest called hl_serve and waits for calls; use 'hlrun call {} FUNCTION ARGS...'",
                         options.guest_argv.front());
        if (const std::string error = profile.finish(sandbox.image()); !error.empty()) {
            log_error("{}", error);
            json_report.overrule();
            return static_cast<int>(kExitHostError);
        }
        if (const std::string error = trace.stats_error(); !error.empty()) {
            log_error("{}", error);
            json_report.overrule();
            return static_cast<int>(kExitHostError);
        }
        return exit_code_for(result);
    });
}

} // namespace

int main(int argc, char** argv)
{
    init_logging("hlrun");
    // A reader that goes away is an ending with its own line and status
    // (kExitOutputClosed), not a silent death by SIGPIPE: writes get EPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    // `hlrun call ...`, `hlrun inspect ...`, `hlrun snapshot ...`, `hlrun serve ...` and `hlrun doctor`; anything else is
    // `hlrun [OPTIONS] IMAGE [ARGS...]` (an image really named "call" is run as ./call).
    if (argc > 1 && std::string_view(argv[1]) == "call")
        return hlrun_call(argc - 1, argv + 1);
    if (argc > 1 && std::string_view(argv[1]) == "inspect")
        return hlrun_inspect(argc - 1, argv + 1);
    if (argc > 1 && std::string_view(argv[1]) == "snapshot")
        return hlrun_snapshot(argc - 1, argv + 1);
    if (argc > 1 && std::string_view(argv[1]) == "serve")
        return hlrun_serve(argc - 1, argv + 1);
    if (argc > 1 && std::string_view(argv[1]) == "doctor")
        return hlrun_doctor(argc - 1, argv + 1);
    if (argc > 1 && std::string_view(argv[1]) == "completions")
        return completions_command(hlrun_completion_spec(), argc - 1, argv + 1, kExitUsage);
    HlrunOptions options;
    CLI::App app{"Run a guest image in a fresh micro-VM (see hlrun(1))", "hlrun"};
    set_up_command(app, "hlrun",
                   "hlrun [OPTIONS] IMAGE [ARGS...]\n"
                   "       hlrun call|inspect|snapshot|serve|doctor|completions ...  (hlrun COMMAND --help)");
    add_hlrun_options(app, options);
    app.footer("IMAGE [ARGS...]  the guest image, then its arguments (argv[0] is IMAGE)\n\n"
               "Commands:\n"
               "  call         Call a function a guest image or snapshot exports\n"
               "  inspect      Show what an image, a snapshot file or a core file holds\n"
               "  snapshot     Run a function guest to hl_serve and write a snapshot file\n"
               "  serve        Serve a function guest's exports over HTTP\n"
               "  doctor       Check whether hl can run guests on this machine\n"
               "  completions  Print the completion script for bash, zsh or fish");

    std::vector<std::string> args = spell_out_optional_values(argc, argv);
    std::vector<char*> arg_pointers;
    for (std::string& arg : args)
        arg_pointers.push_back(arg.data());
    if (const auto status = parse_command_line(app, static_cast<int>(arg_pointers.size()), arg_pointers.data(), kExitUsage))
        return *status;
    // The report is opened before anything else can fail: every ending from here on writes it.
    const std::string options_error = finish_hlrun_options(app, options);
    if (options.verbose)
        log_verbosely();
    HlrunReport json_report;
    const std::vector<std::string> guest_argv = options_error.empty() ? options.guest_argv : std::vector<std::string>{};
    const std::string image = guest_argv.empty() ? std::string() : guest_argv.front();
    if (const std::string error = json_report.open(options.report, {.command = "run", .image = image, .argv = guest_argv},
                                                   guest_argv.empty() ? std::vector<std::string>{} : std::vector{image},
                                                   other_outputs(options));
        !error.empty()) {
        log_error("{}", error);
        return kExitUsage;
    }
    if (!options_error.empty()) {
        log_error("{}", options_error);
        return json_report.finish(kExitUsage);
    }
    // A slip on the command line usually shows as an IMAGE that is not there.
    if (std::error_code error; !std::filesystem::exists(image, error) && !error)
        if (const std::string hint = missing_image_hint(argc, argv); !hint.empty()) {
            log_error("{}: cannot read: No such file or directory (did you mean {}?)", image, hint);
            return json_report.finish(kExitImageUnreadable);
        }
    return json_report.finish(run(options, json_report));
}
