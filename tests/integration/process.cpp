// Process runner and small file helpers for the integration tests.
#include "process.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace hl::test {

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::seconds timeout)
{
    return run_process(argv, ProcessOptions{.timeout = timeout});
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options)
{
    // A pipe read here for each stream the caller did not give a descriptor for.
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (options.stdout_fd < 0)
        REQUIRE(pipe2(out_pipe, O_CLOEXEC) == 0);
    if (options.stderr_fd < 0)
        REQUIRE(pipe2(err_pipe, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (options.stdin_fd >= 0)
        posix_spawn_file_actions_adddup2(&actions, options.stdin_fd, STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, options.stdout_fd < 0 ? out_pipe[1] : options.stdout_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, options.stderr_fd < 0 ? err_pipe[1] : options.stderr_fd, STDERR_FILENO);
    if (!options.cwd.empty())
        posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;
    if (options.environment) {
        for (const std::string& e : *options.environment)
            env.push_back(const_cast<char*>(e.c_str()));
        env.push_back(nullptr);
    }
    pid_t pid = -1;
    const int spawn_error =
        posix_spawn(&pid, args[0], &actions, nullptr, args.data(), options.environment ? env.data() : environ);
    posix_spawn_file_actions_destroy(&actions);
    for (const int fd : {out_pipe[1], err_pipe[1]})
        if (fd >= 0)
            close(fd);
    INFO("spawning " << argv[0]);
    REQUIRE(spawn_error == 0);

    ProcessResult result;
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}}; // poll skips a negative fd
    std::string* sinks[2] = {&result.out, &result.err};
    int open_fds = (out_pipe[0] >= 0) + (err_pipe[0] >= 0);
    // Nothing to read: wait for the child alone, still within the timeout.
    for (siginfo_t info{}; open_fds == 0; usleep(10'000)) {
        if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            result.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
    }
    while (open_fds > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buffer[65536];
            const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, static_cast<size_t>(n));
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    for (const pollfd& p : fds)
        if (p.fd >= 0)
            close(p.fd);
    int status = 0;
    struct rusage usage {};
    wait4(pid, &status, 0, &usage);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.max_rss_kib = usage.ru_maxrss;
    return result;
}

ProcessResult hlrun(std::vector<std::string> args, const ProcessOptions& options)
{
    args.insert(args.begin(), HL_HLRUN);
    return run_process(args, options);
}

ProcessResult hlbuild(std::vector<std::string> args, const std::string& program)
{
    args.insert(args.begin(), program);
    return run_process(args, std::chrono::seconds(120));
}

Terminal::Terminal(uint16_t rows, uint16_t columns)
{
    terminal_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(terminal_ >= 0);
    REQUIRE(grantpt(terminal_) == 0);
    REQUIRE(unlockpt(terminal_) == 0);
    side_ = open(ptsname(terminal_), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(side_ >= 0);
    termios mode {};
    REQUIRE(tcgetattr(side_, &mode) == 0);
    cfmakeraw(&mode); // no \n -> \r\n: the bytes as written
    REQUIRE(tcsetattr(side_, TCSANOW, &mode) == 0);
    const winsize size{rows, columns, 0, 0};
    REQUIRE(ioctl(terminal_, TIOCSWINSZ, &size) == 0);
}

Terminal::~Terminal()
{
    if (side_ >= 0)
        close(side_);
    close(terminal_);
}

std::string Terminal::written()
{
    // The child has exited: what it wrote waits in the terminal's buffer.
    if (side_ >= 0)
        close(side_);
    side_ = -1;
    REQUIRE(fcntl(terminal_, F_SETFL, O_NONBLOCK) == 0);
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = read(terminal_, buffer, sizeof buffer)) > 0;)
        out.append(buffer, static_cast<size_t>(n));
    return out;
}

ProcessResult hlrun_on_terminal(std::vector<std::string> args)
{
    Terminal terminal;
    ProcessResult result = hlrun(std::move(args), {.stdout_fd = terminal.side()});
    result.out = terminal.written();
    return result;
}

std::string guest_image(const std::string& name)
{
    return std::string(HL_TEST_GUEST_DIR) + "/" + name + "/" + name + ".hl";
}

std::string make_temp_dir()
{
    char path[] = "/tmp/hl-test-XXXXXX";
    REQUIRE(mkdtemp(path) != nullptr);
    return path;
}

void write_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream stream(text);
    for (std::string line; std::getline(stream, line);)
        out.push_back(line);
    return out;
}

const std::string& kvm_unusable_reason()
{
    static const std::string reason = [] {
        const int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return std::string("/dev/kvm: ") + std::strerror(errno);
        // KVM_GET_API_VERSION, spelled out to keep <linux/kvm.h> in the kvm_* files.
        const int version = ioctl(fd, _IO(0xAE, 0x00), 0);
        close(fd);
        if (version != 12)
            return std::string("/dev/kvm does not answer as KVM API version 12");
        return std::string();
    }();
    return reason;
}

std::string proc_status_field(const std::string& path, const std::string& field)
{
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0)
            return line.substr(field.size() + 2);
    return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string gdb_batch(const std::vector<std::string>& commands, const std::vector<std::string>& files)
{
    std::vector<std::string> argv = {HL_GDB, "-nx", "-batch"};
    for (const std::string& command : commands) {
        argv.push_back("-ex");
        argv.push_back(command);
    }
    argv.insert(argv.end(), files.begin(), files.end());
    const ProcessResult r = run_process(argv, std::chrono::seconds(120));
    INFO("gdb said on stderr: " << r.err);
    CHECK(r.status == 0);
    return r.out;
}

BackgroundProcess::BackgroundProcess(std::vector<std::string> argv)
{
    int err[2];
    REQUIRE(pipe2(err, O_CLOEXEC) == 0);
    std::vector<char*> raw;
    for (std::string& a : argv)
        raw.push_back(a.data());
    raw.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    const int spawned = posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(err[1]);
    err_fd_ = err[0];
    INFO("spawning " << argv[0]);
    REQUIRE(spawned == 0);
}

BackgroundProcess::~BackgroundProcess()
{
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    close(err_fd_);
}

bool BackgroundProcess::read_some(std::chrono::seconds timeout)
{
    pollfd p{err_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count() * 1000)) <= 0)
        return false;
    char buffer[4096];
    const ssize_t n = read(err_fd_, buffer, sizeof buffer);
    if (n <= 0)
        return false;
    err_.append(buffer, static_cast<size_t>(n));
    return true;
}

std::string BackgroundProcess::wait_for(const std::string& marker, std::chrono::seconds timeout)
{
    while (err_.find(marker) == std::string::npos || err_.find('\n', err_.find(marker)) == std::string::npos) {
        INFO("waiting for '" << marker << "' on stderr, which holds: " << err_);
        REQUIRE(read_some(timeout));
    }
    const size_t start = err_.find(marker) + marker.size();
    return err_.substr(start, err_.find('\n', start) - start);
}

void BackgroundProcess::signal(int number)
{
    if (pid_ > 0)
        kill(pid_, number);
}

int BackgroundProcess::wait(std::chrono::seconds grace)
{
    while (read_some(grace)) {
    }
    int status = 0;
    // One that hangs must fail the test, not hang it.
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            FAIL_CHECK("it did not end within " << grace.count() << " s: killed");
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace hl::test
