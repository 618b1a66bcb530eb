// Child processes via posix_spawnp (see process.hpp).
#include "process.hpp"

#include "logging.hpp"

#include <cerrno>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hl::cli {
namespace {

// why: where to say why argv could not run or died ("No such file or
// directory", "killed by signal 9"); nullptr: log it, naming argv[0].
std::optional<int> spawn_and_wait(const std::vector<std::string>& argv, posix_spawn_file_actions_t* actions,
                                  std::string* why = nullptr)
{
    auto fail = [&](const std::string& reason, const std::string& line) -> std::optional<int> {
        if (why)
            *why = reason;
        else
            log_error("{}", line);
        return std::nullopt;
    };
    std::vector<char*> args;
    for (const std::string& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    const int error = posix_spawnp(&pid, args[0], actions, nullptr, args.data(), environ);
    if (error != 0)
        return fail(std::strerror(error), "cannot run " + argv[0] + ": " + std::strerror(error));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return std::nullopt;
    if (WIFSIGNALED(status))
        return fail("killed by signal " + std::to_string(WTERMSIG(status)),
                    argv[0] + " was killed by signal " + std::to_string(WTERMSIG(status)));
    return WEXITSTATUS(status);
}

} // namespace

std::string quote_command(const std::vector<std::string>& argv)
{
    std::string line;
    for (const std::string& arg : argv) {
        if (!line.empty())
            line += ' ';
        const bool plain = !arg.empty() && arg.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,+:@%") == std::string::npos;
        if (plain) {
            line += arg;
            continue;
        }
        line += '\'';
        for (char c : arg)
            line += c == '\'' ? std::string("'\\''") : std::string(1, c);
        line += '\'';
    }
    return line;
}

std::optional<int> run_command(const std::vector<std::string>& argv, bool echo)
{
    if (echo)
        log_info("{}", quote_command(argv));
    return spawn_and_wait(argv, nullptr);
}

std::optional<std::string> capture_command(const std::vector<std::string>& argv, std::string* why)
{
    char path[] = "/tmp/hlbuild-capture-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0)
        return std::nullopt;
    unlink(path);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
    std::string reason;
    const auto status = spawn_and_wait(argv, &actions, &reason);
    posix_spawn_file_actions_destroy(&actions);
    std::string output;
    char buffer[4096];
    ssize_t n;
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, buffer, sizeof buffer)) > 0)
        output.append(buffer, static_cast<size_t>(n));
    close(fd);
    if (!status || *status != 0) {
        if (why)
            *why = status ? "exited with status " + std::to_string(*status) : reason;
        return std::nullopt;
    }
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r'))
        output.pop_back();
    return output;
}

} // namespace hl::cli
