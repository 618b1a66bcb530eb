// hlrun snapshot: run a function guest to hl_serve and write a snapshot file
// (hl-snapshot(5)) that hlrun call starts from, ready.
//   hlrun snapshot -o FILE [OPTIONS] IMAGE [ARGS...]
// The guest runs in a child process that confines itself (it cannot create
// or rename files any more), writing into a file this process created
// beside FILE; this process renames it over FILE once the child succeeded,
// and removes it otherwise. FILE appears whole or not at all.
#include "command_line.hpp"
#include "hlrun_common.hpp"
#include "hlrun_exit_codes.hpp"
#include "hlrun_subcommands.hpp"
#include "logging.hpp"

#include <hl/units.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hl::cli {
namespace {

struct SnapshotOptions {
    HlrunOptions common;
    std::string output;
};

// In the child: the guest to hl_serve, its snapshot into fd.
int run_and_write(const SnapshotOptions& options, SandboxOptions sandbox_opts, int fd)
{
    return guarded([&] {
        const std::string& image = options.common.guest_argv.front();
        Sandbox sandbox(Image::load(image), std::move(sandbox_opts));
        confine_unless_disabled(options.common, sandbox);
        const RunResult init = sandbox.initialize(options.common.guest_argv);
        if (init.ending != RunResult::Ending::Ready) {
            const auto deadline = final_output_deadline(init);
            std::fflush(stdout);
            report(init);
            if (init.ending == RunResult::Ending::Exited)
                log_error("the guest exited with status {} before it was ready for calls (its main must call "
                              "hl_serve): there is nothing to snapshot",
                              init.exit_status);
            return init.ending == RunResult::Ending::Exited ? static_cast<int>(kExitGuestFault) : exit_code_for(init);
        }
        const Snapshot snapshot = sandbox.snapshot();
        snapshot.write_to(fd);
        log_info("wrote {}: {} of memory, {} stored", options.output, format_size(snapshot.memory_size()),
                     format_size(snapshot.stored_bytes()));
        return 0;
    });
}

int snapshot(const SnapshotOptions& options)
{
    auto sandbox_opts = sandbox_options(options.common);
    if (!sandbox_opts)
        return kExitUsage;
    const std::string temporary = options.output + ".tmp." + std::to_string(getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        log_error("--output: cannot create {}: {}", temporary, std::strerror(errno));
        return kExitUsage;
    }
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) {
        log_error("cannot start the process that runs the guest: {}", std::strerror(errno));
        ::close(fd);
        ::unlink(temporary.c_str());
        return kExitHostError;
    }
    if (child == 0) {
        const int status = run_and_write(options, std::move(*sandbox_opts), fd);
        std::fflush(nullptr);
        ::_exit(status);
    }
    ::close(fd);
    int wait_status = 0;
    while (::waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
    }
    const int status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : static_cast<int>(kExitHostError);
    if (!WIFEXITED(wait_status))
        log_error("the process that ran the guest was killed by signal {}", WTERMSIG(wait_status));
    if (status == 0 && ::rename(temporary.c_str(), options.output.c_str()) != 0) {
        log_error("--output: cannot write {}: {}", options.output, std::strerror(errno));
        ::unlink(temporary.c_str());
        return kExitHostError;
    }
    if (status != 0)
        ::unlink(temporary.c_str());
    return status;
}

} // namespace

int hlrun_snapshot(int argc, char** argv)
{
    SnapshotOptions options;
    apply_environment(options.common);
    CLI::App app{"Run a function guest to hl_serve and write a snapshot file (see hlrun(1))", "hlrun snapshot"};
    set_up_command(app, "hlrun", "hlrun snapshot -o FILE [OPTIONS] IMAGE [ARGS...]");
    app.prefix_command(); // IMAGE ARGS...: everything after IMAGE is the guest's
    app.add_option("--output,-o", options.output, "The snapshot file to write")->required();
    app.add_option("--memory,-m", options.common.memory, "Guest memory size, e.g. 16Mi (env HL_MEMORY)");
    app.add_option("--timeout,-t", options.common.timeout,
                   "Stop the guest if it is not ready after this long, e.g. 5s (env HL_TIMEOUT)");
    app.add_option("--max-exits", options.common.max_exits, "Stop the guest after this many VM exits (0: no limit)")
        ->check(exit_count_validator());
    app.add_option("--env", options.common.environment,
                   "NAME=VALUE in the environment of a guest that serves system calls (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--dir", options.common.directories,
                   "Let the guest read host directory HOST, at GUEST or the same path, while it initialises "
                   "(repeatable; read-only; its files must be closed by hl_serve)")
        ->check(directory_validator())
        ->allow_extra_args(false);
    app.add_flag("--verbose,-v", options.common.verbose, "Also print the registers of a faulting guest");
    app.add_flag("--no-seccomp", options.common.no_seccomp,
                 "Do not confine the process that runs the guest with a seccomp filter (on by default)");
    app.footer("IMAGE [ARGS...]  the guest and its arguments, as for hlrun IMAGE [ARGS...]");
    if (const auto status = parse_command_line(app, argc, argv, kExitUsage))
        return *status;
    note_flag_sources(app, options.common);
    const auto arguments = arguments_after_options(app, "hlrun snapshot");
    if (!arguments)
        return kExitUsage;
    const std::vector<std::string>& rest = *arguments;
    if (rest.empty()) {
        log_error("missing IMAGE; usage: hlrun snapshot -o FILE [OPTIONS] IMAGE [ARGS...]");
        return kExitUsage;
    }
    options.common.guest_argv = rest;
    if (options.common.verbose)
        log_verbosely();
    return snapshot(options);
}

} // namespace hl::cli
