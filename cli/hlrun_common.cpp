// Shared pieces of hlrun's subcommands (see hlrun_common.hpp).
#include "hlrun_common.hpp"

#include "hlrun_exit_codes.hpp"
#include "logging.hpp"

#include <hl/abi.h>
#include <hl/confine.hpp>
#include <hl/units.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(HL_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

#include <sys/stat.h>

namespace hl::cli {

namespace {

// What the guest learns of hlrun's fd: a terminal of its size, or no terminal.
std::optional<TerminalSize> terminal_of(int fd)
{
    if (!isatty(fd))
        return std::nullopt;
    // A terminal that does not know its size (a serial line, a pseudo-terminal
    // nobody sized) says 0x0: the guest gets 80x24, as most programs assume then.
    winsize size{};
    if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0)
        return TerminalSize{};
    return TerminalSize{size.ws_row, size.ws_col};
}

} // namespace

// Turns flag text into SandboxOptions; nullopt after logging the bad value.
std::optional<SandboxOptions> sandbox_options(const HlrunOptions& options)
{
    SandboxOptions out;
    const auto memory = parse_size(options.memory);
    if (!memory) {
        log_error("{}: '{}' is not a size, expected a number with an optional unit like 64Mi or 512Ki",
                      options.memory_from, options.memory);
        return std::nullopt;
    }
    out.memory_size = *memory;
    out.max_exits = options.max_exits;
    out.input = read_from_host_stdin;
    out.environment = options.environment;
    out.strict_syscalls = options.strict_syscalls;
    out.stdout_terminal = terminal_of(STDOUT_FILENO);
    out.stderr_terminal = terminal_of(STDERR_FILENO);
    for (const std::string& spec : options.directories) {
        std::string error;
        out.directories.push_back(*parse_directory_spec(spec, error));   // the validator accepted it
    }
    if (!options.timeout.empty()) {
        const auto timeout = parse_duration(options.timeout);
        if (!timeout || timeout->count() == 0) {
            log_error("{}: '{}' is not a duration, expected a positive number with a unit like 500ms, 5s or 2m",
                          options.timeout_from, options.timeout);
            return std::nullopt;
        }
        out.timeout = *timeout;
    }
    return out;
}

void confine_unless_disabled(const HlrunOptions& options, const Sandbox& sandbox, std::vector<int> socket_fds,
                             std::vector<ViolationRecord> violation_records)
{
    if (options.no_seccomp)
        return;
#if defined(HL_ASAN)
    // LeakSanitizer's check at exit needs clone and ptrace, which the filter
    // forbids: run it now, which also turns the exit check off.
    __lsan_do_leak_check();
#endif
    confine_this_thread({.on_violation = ConfinePolicy::OnViolation::Report,
                         .exit_status = kExitHostError,
                         .program = "hlrun",
                         .extra_syscalls = {},
                         .file_roots = sandbox.mapped_directory_fds(),
                         .socket_fds = std::move(socket_fds),
                         .violation_records = std::move(violation_records)});
}

void report(const RunResult& result)
{
    if (result.ending == RunResult::Ending::Exited || result.ending == RunResult::Ending::Ready ||
        result.ending == RunResult::Ending::Returned)
        return;
    log_error("{}", result.message);
    if (result.fault) {
        std::string dump;
        for (const auto& [name, value] : result.fault->registers)
            dump += std::string(name) + "=" + hl::format_hex(value) + " ";
        log_debug("registers: {}", dump);
    }
}

std::unique_ptr<ThreadDeadline> final_output_deadline(const RunResult& result)
{
    if (result.ending != RunResult::Ending::TimedOut && result.ending != RunResult::Ending::Cancelled)
        return nullptr;
    return std::make_unique<ThreadDeadline>(std::chrono::seconds(1));
}

int print_to_stdout(std::string_view text, std::string_view what)
{
    std::fflush(stdout); // nothing of hlrun's goes through it, but keep the order if it ever does
    const int64_t written = write_to_host_fd(STDOUT_FILENO, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    if (written == static_cast<int64_t>(text.size()))
        return 0;
    if (written == HL_EPIPE) {
        log_error("cannot print {}: the reader of stdout closed it", what);
        return kExitOutputClosed;
    }
    log_error("cannot print {}: writing to stdout failed", what);
    return kExitHostError;
}

int report_not_ready(const RunResult& init)
{
    const auto deadline = final_output_deadline(init);
    report(init);
    if (init.ending != RunResult::Ending::Exited)
        return exit_code_for(init);
    log_error("the guest exited with status {} before it was ready for calls (its main must call hl_serve)",
              init.exit_status);
    return kExitGuestFault;
}

bool same_file(const std::string& a, const std::string& b)
{
    struct stat first {}, second {};
    return stat(a.c_str(), &first) == 0 && stat(b.c_str(), &second) == 0 && first.st_dev == second.st_dev &&
           first.st_ino == second.st_ino;
}

std::string output_is_input(const std::string& option, const std::string& path, const std::vector<std::string>& inputs)
{
    for (const std::string& input : inputs)
        if (same_file(path, input))
            return option + ": " + path + " is " + input + " itself; choose another file";
    return {};
}

std::FILE* open_output_file(const std::string& option, const std::string& path, const std::vector<std::string>& inputs,
                            std::string& error)
{
    error = output_is_input(option, path, inputs);
    if (!error.empty())
        return nullptr;
    std::FILE* file = std::fopen(path.c_str(), "we");
    if (!file)
        error = option + ": cannot open " + path + " for writing: " + std::strerror(errno);
    return file;
}

int guarded(const std::function<int()>& body)
{
    try {
        return body();
    } catch (const ImageError& error) {
        log_error("{}", error.what());
        return error.kind() == ImageError::Kind::Unreadable ? kExitImageUnreadable : kExitImageInvalid;
    } catch (const SnapshotError& error) {
        log_error("{}", error.what());
        switch (error.kind()) {
        case SnapshotError::Kind::Unreadable: return kExitImageUnreadable;
        case SnapshotError::Kind::Invalid: return kExitSnapshotInvalid;
        case SnapshotError::Kind::Version: return kExitSnapshotVersion;
        case SnapshotError::Kind::Host: return kExitSnapshotHost;
        }
        return kExitSnapshotInvalid;
    } catch (const OptionError& error) {
        log_error("{}", error.what());
        return kExitUsage;
    } catch (const LayoutError& error) {
        log_error("{}", error.what());
        return kExitUsage;
    } catch (const CallError& error) {
        log_error("{}", error.what());
        return kExitUsage;
    } catch (const Error& error) {
        log_error("{}", error.what());
        return kExitHostError;
    } catch (const std::exception& error) {
        // Last resort (out of memory and the like): still one line.
        log_error("internal error: {}", error.what());
        return kExitHostError;
    }
}

} // namespace hl::cli
