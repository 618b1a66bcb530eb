// hlbuild: scaffold, build and run hl guest projects.
//   hlbuild new [--template T | --libc tiny|musl] NAME
//   hlbuild init [--template T | --libc tiny|musl]
//   hlbuild compile [-v] [-j N] [--target T] [--build-dir DIR] [-o IMAGE] [PROJECT]
//   hlbuild run [-v] [-j N] [--target T] [--build-dir DIR] [-o IMAGE] [PROJECT] [-- [HLRUN-OPTIONS] [ARGS...]]
//   hlbuild clean [--build-dir DIR] [-o IMAGE] [PROJECT]
//   hlbuild completions bash|zsh|fish
// Without PROJECT, the nearest directory up from here with an hlbuild.toml.
#include "command_line.hpp"
#include "completion/completion_spec.hpp"
#include "guest_target.hpp"
#include "hlbuild_commands.hpp"
#include "logging.hpp"
#include "toolchain.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <string_view>
#include <thread>

using namespace hl::cli;

namespace {

// --template's names for completion; none where the toolchain is not found.
std::vector<std::string> installed_templates()
{
    try {
        return template_names(find_toolchain().templates_dir);
    } catch (const std::exception&) {
        return {};
    }
}

void add_new_options(CLI::App& command, NewOptions& options)
{
    CLI::Option* template_option =
        command.add_option("--template", options.template_name, "Template to use (default: c)");
    command.add_option("--libc", options.libc, "The guest's C library: tiny (default) or musl")->excludes(template_option);
}

void add_build_options(CLI::App& command, CompileOptions& options, bool compiles)
{
    command.add_option("PROJECT", options.project_dir,
                       "Project directory (default: the nearest one up from here with an hlbuild.toml)");
    command.add_option("--build-dir,-B", options.build_dir, "Where objects and the image go (default: PROJECT/build)");
    command.add_option("--output,-o", options.output, "Image path (default: BUILD_DIR/NAME.hl)");
    if (!compiles)
        return;
    command.add_flag("--verbose,-v", options.verbose, "Show each command as it runs");
    command.add_option("--jobs,-j", options.jobs, "Compile N sources at once (default: the CPUs)")
        ->check(whole_number_in(1, 1024));
    command.add_option("--target", options.target,
                       "Build for x86-64 or aarch64 (default: image.target, else this host's, " +
                           std::string(facts(host_target()).name) + ")")
        ->check(one_of(target_names()));
}

} // namespace

int main(int argc, char** argv)
{
    init_logging("hlbuild");
    CLI::App app{"Scaffold, build and run hl guest images (see hlbuild(1))", "hlbuild"};
    set_up_command(app, "hlbuild", "hlbuild new|init|compile|run|clean|completions ...  (hlbuild COMMAND --help)");
    app.require_subcommand(1);

    NewOptions new_options;
    CLI::App* new_command = app.add_subcommand("new", "Create a guest project from a template");
    set_up_command(*new_command, "hlbuild", "hlbuild new [--template T | --libc tiny|musl] NAME");
    add_new_options(*new_command, new_options);
    new_command->add_option("NAME", new_options.path, "Directory to create; its last part names the image")
        ->required();

    NewOptions init_options;
    init_options.path = ".";
    CLI::App* init_command = app.add_subcommand("init", "Create a guest project in this (empty) directory");
    set_up_command(*init_command, "hlbuild", "hlbuild init [--template T | --libc tiny|musl]");
    add_new_options(*init_command, init_options);

    CompileOptions compile_options;
    CLI::App* compile_command = app.add_subcommand("compile", "Compile and link a guest project into an image");
    set_up_command(*compile_command, "hlbuild",
                   "hlbuild compile [-v] [-j N] [--target T] [--build-dir DIR] [-o IMAGE] [PROJECT]");
    add_build_options(*compile_command, compile_options, true);

    CompileOptions run_options;
    CLI::App* run_command = app.add_subcommand("run", "Compile a guest project, then run its image with hlrun");
    set_up_command(*run_command, "hlbuild",
                   "hlbuild run [-v] [-j N] [--target T] [--build-dir DIR] [-o IMAGE] [PROJECT] "
                   "[-- [HLRUN-OPTIONS] [ARGS...]]");
    add_build_options(*run_command, run_options, true);
    run_command->footer("After --: hlrun's options (--trace, -m 64Mi...), then the guest's arguments");

    CompileOptions clean_options;
    CLI::App* clean_command = app.add_subcommand("clean", "Remove what compile made: BUILD_DIR/obj and the image");
    set_up_command(*clean_command, "hlbuild", "hlbuild clean [--build-dir DIR] [-o IMAGE] [PROJECT]");
    add_build_options(*clean_command, clean_options, false);

    CLI::App* completions_command_app =
        app.add_subcommand("completions", "Print the completion script for bash, zsh or fish");
    completions_command_app->prefix_command();   // handed whole to completions_command
    // What follows `hlbuild run ... --` is hlrun's and the guest's, never a PROJECT for CLI11 to take.
    std::vector<std::string> after_dashes;
    if (argc > 1 && std::string_view(argv[1]) == "run")
        for (int i = 2; i < argc; ++i)
            if (std::string_view(argv[i]) == "--") {
                after_dashes.assign(argv + i + 1, argv + argc);
                argc = i;
                break;
            }
    if (argc > 1 && std::string_view(argv[1]) == "completions")
        return completions_command(hlbuild_completion_spec(installed_templates()), argc - 1, argv + 1, kBuildUsage);
    if (const auto status = parse_command_line(app, argc, argv, kBuildUsage))
        return *status;
    for (CompileOptions* options : {&compile_options, &run_options})
        if (options->jobs == 0)
            options->jobs = std::max(1u, std::thread::hardware_concurrency());
    try {
        if (new_command->parsed())
            return hlbuild_new(new_options);
        if (init_command->parsed())
            return hlbuild_new(init_options);
        if (run_command->parsed())
            return hlbuild_run(run_options, after_dashes);
        if (clean_command->parsed())
            return hlbuild_clean(clean_options);
        return hlbuild_compile(compile_options);
    } catch (const std::exception& error) {
        // A missing toolchain, file system errors, out of memory: still one line.
        log_error("{}", error.what());
        return kBuildFailed;
    }
}
