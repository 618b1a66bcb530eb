// A one-shot deadline for a run: when it passes, the calling thread receives
// a signal that interrupts KVM_RUN. On the thread's kept timer
// (thread_timer.hpp), disarmed between runs.
#pragma once

#include "thread_timer.hpp"

#include <chrono>
#include <optional>

namespace hl {

class RunTimer {
public:
    // Arms the timer for the calling thread; a zero timeout arms nothing.
    // Throws hl::Error if the kernel refuses a timer.
    RunTimer(std::chrono::nanoseconds timeout, int signal);
    ~RunTimer();
    RunTimer(const RunTimer&) = delete;
    RunTimer& operator=(const RunTimer&) = delete;

    bool expired() const;

private:
    std::optional<ThreadTimer> timer_;   // set while armed
    std::chrono::steady_clock::time_point deadline_;
};

} // namespace hl
