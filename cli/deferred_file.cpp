// A file renamed into place by a keeper process (see deferred_file.hpp). The
// confined thread may write to a pipe and wait on a futex, so it hands the
// keeper one byte and waits on a word they share for the answer.
#include "deferred_file.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hl::cli {
namespace {

constexpr uint32_t kPending = UINT32_MAX;
constexpr int kNoAnswer = -1;   // ask_keeper's answer when the keeper never answered
constexpr char kCommit = 'c', kDiscard = 'd';

// The keeper: waits for its command (end of file: hlrun is gone), carries it
// out, answers. Only async-signal-safe calls: it runs in a forked copy.
[[noreturn]] void keep(int command_fd, std::atomic<uint32_t>* answer, const char* temporary, const char* path)
{
    // Out of hlrun's process group and session, so that Ctrl-C, a closed
    // terminal or a signal to the whole group (timeout(1), systemd) does not
    // reach it, and deaf to the rest it can be: it outlives hlrun long
    // enough to clean up after it. Only SIGKILL, aimed at it, leaves the file.
    setsid();
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, nullptr);
    // Hold nothing of hlrun's open (a pipe reader waiting for its end, /dev/kvm).
    if (dup2(command_fd, 0) < 0)
        _exit(1);
    syscall(SYS_close_range, 1u, ~0u, 0u);
    char command = 0;
    ssize_t n;
    do
        n = read(0, &command, 1);
    while (n < 0 && errno == EINTR);
    uint32_t result = 0;
    if (n == 1 && command == kCommit)
        result = rename(temporary, path) == 0 ? 0 : static_cast<uint32_t>(errno);
    if (result != 0 || n != 1 || command != kCommit)
        unlink(temporary);
    answer->store(result);
    syscall(SYS_futex, answer, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
    _exit(0);
}

} // namespace

std::string DeferredFile::open(const std::string& path)
{
    path_ = path;
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return "cannot write " + path + ": it is a directory";
    temporary_ = path + ".tmp." + std::to_string(getpid());
    // Made anew, never through a link someone planted there; private, as a
    // process's core is.
    unlink(temporary_.c_str());
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0)
        return "cannot write " + path + ": " + std::strerror(errno);
    void* shared = mmap(nullptr, sizeof(std::atomic<uint32_t>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int pipe_fds[2];
    if (shared == MAP_FAILED || pipe2(pipe_fds, O_CLOEXEC) != 0) {
        const int error = errno;
        if (shared != MAP_FAILED)
            munmap(shared, sizeof(std::atomic<uint32_t>));
        ::close(fd_);
        fd_ = -1;
        unlink(temporary_.c_str());
        return "cannot write " + path + ": " + std::strerror(error);
    }
    answer_ = new (shared) std::atomic<uint32_t>(kPending);
    const pid_t keeper = fork();
    if (keeper == 0) {
        ::close(pipe_fds[1]);
        keep(pipe_fds[0], answer_, temporary_.c_str(), path_.c_str());
    }
    const int error = errno;
    ::close(pipe_fds[0]);
    if (keeper < 0) {
        ::close(pipe_fds[1]);
        ::close(fd_);
        fd_ = -1;
        unlink(temporary_.c_str());
        return "cannot write " + path + ": cannot start the process that puts it in place: " + std::strerror(error);
    }
    command_fd_ = pipe_fds[1];
    return {};
}

int DeferredFile::ask_keeper(char command)
{
    if (command_fd_ < 0)
        return EBADF;
    ssize_t n;
    do
        n = write(command_fd_, &command, 1);
    while (n < 0 && errno == EINTR);
    ::close(command_fd_);   // a keeper that missed the byte sees the end and discards
    command_fd_ = -1;
    // A keeper that died answers nothing: wait 10 seconds, not forever,
    // however often a signal (a run's deadline) cuts the wait short.
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t deadline = now.tv_sec + 10;
    while (answer_->load() == kPending) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec >= deadline)
            return kNoAnswer;
        const timespec step{0, 100'000'000};
        syscall(SYS_futex, answer_, FUTEX_WAIT, kPending, &step, nullptr, 0);
    }
    return static_cast<int>(answer_->load());
}

std::string DeferredFile::commit()
{
    if (fd_ < 0)
        return "cannot write " + path_ + ": it was not opened";
    const bool closed = ::close(fd_) == 0;
    const int close_error = errno;
    fd_ = -1;
    if (!closed) {
        ask_keeper(kDiscard);
        return "cannot write " + path_ + ": " + std::strerror(close_error);
    }
    if (const int error = ask_keeper(kCommit); error == kNoAnswer)
        return "cannot write " + path_ + ": the process that puts it in place did not answer; " + temporary_ +
               " may be left";
    else if (error != 0)
        return "cannot write " + path_ + ": " + std::strerror(error);
    return {};
}

void DeferredFile::discard()
{
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (command_fd_ >= 0)
        ask_keeper(kDiscard);
}

DeferredFile::~DeferredFile()
{
    discard();
    if (answer_)
        munmap(answer_, sizeof(std::atomic<uint32_t>));
}

} // namespace hl::cli
