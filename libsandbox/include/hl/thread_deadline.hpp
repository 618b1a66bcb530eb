// A deadline for the blocking system calls of the calling thread, for what a
// program writes after a run that ended at its own deadline (hlrun's last
// lines after a timeout): a reader that does not read must not hold it.
#pragma once

#include <hl/version.hpp>

#include <chrono>
#include <memory>

namespace hl {

class RunTimer;

class ThreadDeadline {
public:
    // From `after` on, for as long as this object lives, a system call that
    // blocks on the calling thread fails with EINTR (or returns short): the
    // interrupt signal of Sandbox runs reaches the thread then and every 10 ms
    // after. stdio drops what such a write did not write. Throws hl::Error if
    // the kernel refuses a timer.
    explicit ThreadDeadline(std::chrono::nanoseconds after);
    ~ThreadDeadline();
    ThreadDeadline(const ThreadDeadline&) = delete;
    ThreadDeadline& operator=(const ThreadDeadline&) = delete;

private:
    std::unique_ptr<RunTimer> timer_;
};

} // namespace hl
