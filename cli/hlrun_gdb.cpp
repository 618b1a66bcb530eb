#include "hlrun_gdb.hpp"

#include "hlrun_exit_codes.hpp"
#include "logging.hpp"

namespace hl::cli {

std::string HlrunGdb::refuse_combinations(const HlrunOptions& options)
{
    if (options.gdb && !options.profile.empty())
        return "--gdb cannot be used with --profile: the profiler's interrupts would stop the debugged guest";
    return {};
}

int HlrunGdb::attach(const HlrunOptions& options, const std::string& image)
{
    if (!options.gdb)
        return 0;
    try {
        server_ = GdbServer::listen(*options.gdb);
    } catch (const OptionError& error) {
        log_error("--gdb: {}", error.what());
        return kExitUsage;
    } catch (const Error& error) {
        log_error("--gdb: {}", error.what());
        return kExitCannotListen;
    }
    log_info("waiting for gdb on {}: gdb {} -ex 'target remote {}'", server_->address(), image, server_->address());
    server_->accept();
    return 0;
}

std::vector<int> HlrunGdb::socket_fds() const
{
    if (!server_ || server_->connection_fd() < 0)
        return {};
    return {server_->connection_fd()};
}

void HlrunGdb::end(int status)
{
    if (server_)
        server_->end(status);
}

} // namespace hl::cli
