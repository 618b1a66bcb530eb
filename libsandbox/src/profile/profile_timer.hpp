// The profiler's clock: a POSIX timer that sends the calling thread hl's
// interrupt signal `hz` times a second while a run goes on, so that KVM_RUN
// returns and the run loop takes a sample. Wall time (CLOCK_MONOTONIC, a
// high-resolution timer), not the thread's CPU time, whose timers fire only
// at the kernel's tick (250 Hz here) and would cap the rate: a guest waiting
// in a hypercall is sampled where it waits, and a host function's blocking
// system call may return EINTR at that rate (libsandbox's own retry).
#pragma once

#include <ctime>

namespace hl {

class ProfileTimer {
public:
    // Throws hl::Error if the kernel refuses the timer.
    ProfileTimer(unsigned hz, int signal);
    ~ProfileTimer();
    ProfileTimer(const ProfileTimer&) = delete;
    ProfileTimer& operator=(const ProfileTimer&) = delete;

private:
    timer_t timer_{};
};

} // namespace hl
