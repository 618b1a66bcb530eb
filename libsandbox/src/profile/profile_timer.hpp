// The profiler's clock: a POSIX timer that sends the calling thread hl's
// interrupt signal `hz` times a second while a run goes on, so that KVM_RUN
// returns and the run loop takes a sample. Wall time (CLOCK_MONOTONIC, a
// high-resolution timer), not the thread's CPU time, whose timers fire only
// at the kernel's tick (250 Hz here) and would cap the rate.
//
// The thread keeps its timer from one run to the next, with the time left
// to the next sample: a call shorter than the period is still sampled, one
// in so many calls, in proportion to its time (a new timer per call would
// start a full period each time and never fire in a short call).
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
    bool kept_ = false;   // the thread's kept timer, not one of its own (a run inside a run)
};

} // namespace hl
