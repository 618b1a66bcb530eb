#include "job_runner.hpp"

#include <cerrno>
#include <fcntl.h>
#include <cstdlib>
#include <cstring>
#include <map>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hl::cli {
namespace {

struct Running {
    size_t index;
    int output_fd;   // an unlinked temporary file: no pipe to drain while waiting
};

std::string read_all(int fd)
{
    std::string text;
    char buffer[4096];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<size_t>(n));
    return text;
}

// Starts argv with its stdout and stderr in a temporary file; the pid, or
// nullopt with why in `why`.
std::optional<pid_t> start(const std::vector<std::string>& argv, int output_fd, std::string& why)
{
    std::vector<char*> args;
    for (const std::string& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
    pid_t pid = 0;
    const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        why = "cannot run " + argv[0] + ": " + std::strerror(error) + "\n";
        return std::nullopt;
    }
    return pid;
}

} // namespace

void run_jobs(const std::vector<std::vector<std::string>>& commands, unsigned parallel,
              const std::function<void(size_t)>& started, const std::function<void(size_t, const JobEnd&)>& ended)
{
    parallel = parallel == 0 ? 1 : parallel;
    std::map<pid_t, Running> running;
    size_t next = 0;
    while (next < commands.size() || !running.empty()) {
        while (next < commands.size() && running.size() < parallel) {
            const size_t index = next++;
            const char* tmp = std::getenv("TMPDIR");
            std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/hlbuild-job-XXXXXX";
            const int fd = mkostemp(path.data(), O_CLOEXEC);
            if (fd < 0) {
                ended(index, {std::nullopt, std::string("cannot make a temporary file: ") + std::strerror(errno) + "\n"});
                continue;
            }
            unlink(path.c_str());
            started(index);
            std::string why;
            const auto pid = start(commands[index], fd, why);
            if (!pid) {
                close(fd);
                ended(index, {std::nullopt, why});
                continue;
            }
            running[*pid] = {index, fd};
        }
        if (running.empty())
            continue;
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            // No child left to wait for, though some were running: report them as lost.
            for (const auto& [lost, job] : running) {
                close(job.output_fd);
                ended(job.index, {std::nullopt, "lost track of the command\n"});
            }
            running.clear();
            continue;
        }
        const auto it = running.find(pid);
        if (it == running.end())
            continue;   // not ours
        const Running job = it->second;
        running.erase(it);
        JobEnd end{std::nullopt, read_all(job.output_fd)};
        close(job.output_fd);
        if (WIFEXITED(status))
            end.status = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
            end.output += commands[job.index][0] + " was killed by signal " + std::to_string(WTERMSIG(status)) + "\n";
        ended(job.index, end);
    }
}

} // namespace hl::cli
