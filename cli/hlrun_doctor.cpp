// hlrun doctor: whether hl can run guests here, a line a check
// (hl/host_check.hpp); status 0 when none fails, 1 when one does.
#include "command_line.hpp"
#include "hlrun_exit_codes.hpp"
#include "hlrun_subcommands.hpp"

#include <hl/host_check.hpp>

#include "logging.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace hl::cli {

int hlrun_doctor(int argc, char** argv)
{
    CLI::App app{"Check whether hl can run guests on this machine, and what they get (see hlrun(1))", "hlrun doctor"};
    set_up_command(app, "hlrun", "hlrun doctor");
    if (const auto status = parse_command_line(app, argc, argv, kExitUsage))
        return *status;
    bool failed = false;
    for (const HostCheck& check : check_host()) {
        std::printf("%-4s  %-16s  %s\n", level_name(check.level), check.name.c_str(), check.detail.c_str());
        failed = failed || check.level == HostCheck::Level::Fail;
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        log_error("cannot write the checks to standard output: {}", std::strerror(errno));
        return kExitHostError;
    }
    return failed ? 1 : 0;
}

} // namespace hl::cli
