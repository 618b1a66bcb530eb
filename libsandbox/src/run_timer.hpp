// A one-shot deadline for a run: when it passes, the calling thread receives
// a signal that interrupts KVM_RUN. A POSIX timer aimed at one thread
// (SIGEV_THREAD_ID): no helper thread exists, so none can be left behind.
// The thread keeps its timer from one run to the next (disarmed between);
// it is deleted when the thread ends.
#pragma once

#include <chrono>
#include <ctime>

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
    timer_t timer_{};
    bool kept_ = false;    // the thread's kept timer, not one of its own
    bool armed_ = false;
    std::chrono::steady_clock::time_point deadline_;
};

} // namespace hl
