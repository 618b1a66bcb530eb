#include "confined_child.hpp"

#include "process.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hl::test {

ChildResult in_child(const std::function<int()>& body)
{
    int pipe_fds[2];
    REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
    std::fflush(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(pipe_fds[1], STDERR_FILENO);
        int status = 99;
        try {
            status = body();
        } catch (const std::exception& error) {
            const std::string line = std::string("child: exception: ") + error.what() + "\n";
            (void)!write(STDERR_FILENO, line.data(), line.size());
        }
        _exit(status);
    }
    close(pipe_fds[1]);
    ChildResult result;
    char buffer[4096];
    for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;)
        if (n > 0)
            result.err.append(buffer, static_cast<size_t>(n));
        else if (errno != EINTR)
            break;
    close(pipe_fds[0]);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

ConfinePolicy test_policy(std::vector<std::string> extra)
{
    return {.on_violation = ConfinePolicy::OnViolation::Report,
            .exit_status = kViolation,
            .program = "seccomp-test",
            .extra_syscalls = std::move(extra)};
}

std::string stopped(const std::string& call)
{
    return "seccomp-test: error: seccomp stopped system call " + call + " in the vCPU thread\n";
}

void ChildChecks::expect(bool ok, const std::string& what)
{
    if (ok)
        return;
    ++failures;
    const std::string line = "child: failed: " + what + "\n";
    (void)!write(STDERR_FILENO, line.data(), line.size());
}

std::unique_ptr<Sandbox> ready_functions_guest(SandboxOptions options)
{
    if (!options.output)
        options.output = discard;
    auto sandbox = std::make_unique<Sandbox>(Image::load(guest_image("functions")), std::move(options));
    if (sandbox->initialize().ending != RunResult::Ending::Ready)
        throw Error("the functions guest did not get ready");
    return sandbox;
}

} // namespace hl::test
