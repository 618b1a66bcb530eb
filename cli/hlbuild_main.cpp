// hlbuild: scaffold and compile hl guest projects.
//   hlbuild new [--template T | --libc tiny|musl] NAME
//   hlbuild compile [-v] [-j N] [--build-dir DIR] [-o IMAGE] [PROJECT]
#include "command_line.hpp"
#include "hlbuild_commands.hpp"
#include "logging.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <thread>

using namespace hl::cli;

int main(int argc, char** argv)
{
    init_logging("hlbuild");
    CLI::App app{"Scaffold and compile hl guest images (see hlbuild(1))", "hlbuild"};
    set_up_command(app, "hlbuild", "hlbuild new|compile ...  (hlbuild COMMAND --help)");
    app.require_subcommand(1);

    NewOptions new_options;
    CLI::App* new_command = app.add_subcommand("new", "Create a guest project from a template");
    set_up_command(*new_command, "hlbuild", "hlbuild new [--template T | --libc tiny|musl] NAME");
    CLI::Option* template_option =
        new_command->add_option("--template", new_options.template_name, "Template to use (default: c)");
    new_command->add_option("--libc", new_options.libc, "The guest's C library: tiny (default) or musl")
        ->excludes(template_option);
    new_command->add_option("NAME", new_options.path, "Directory to create; its last part names the image")
        ->required();

    CompileOptions compile_options;
    CLI::App* compile_command = app.add_subcommand("compile", "Compile and link a guest project into an image");
    set_up_command(*compile_command, "hlbuild", "hlbuild compile [-v] [-j N] [--build-dir DIR] [-o IMAGE] [PROJECT]");
    compile_command->add_option("PROJECT", compile_options.project_dir, "Project directory (default: .)");
    compile_command->add_option("--build-dir,-B", compile_options.build_dir, "Where objects and the image go (default: PROJECT/build)");
    compile_command->add_option("--output,-o", compile_options.output, "Image path (default: BUILD_DIR/NAME.hl)");
    compile_command->add_flag("--verbose,-v", compile_options.verbose, "Show each command as it runs");
    compile_command->add_option("--jobs,-j", compile_options.jobs, "Compile N sources at once (default: the CPUs)")
        ->check(whole_number_in(1, 1024));

    if (const auto status = parse_command_line(app, argc, argv, kBuildUsage))
        return *status;
    if (compile_options.jobs == 0)
        compile_options.jobs = std::max(1u, std::thread::hardware_concurrency());
    try {
        if (new_command->parsed())
            return hlbuild_new(new_options);
        return hlbuild_compile(compile_options);
    } catch (const std::exception& error) {
        // A missing toolchain, file system errors, out of memory: still one line.
        log_error("{}", error.what());
        return kBuildFailed;
    }
}
