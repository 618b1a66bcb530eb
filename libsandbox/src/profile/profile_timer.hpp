// The profiler's clock: a POSIX timer that sends the calling thread the
// profiler's signal (profile_signal.hpp) `hz` times a second while a run goes
// on, so that KVM_RUN returns and the run loop takes a sample. Wall time (CLOCK_MONOTONIC, a
// high-resolution timer), not the thread's CPU time, whose timers fire only
// at the kernel's tick (250 Hz here) and would cap the rate.
//
// On the thread's kept timer (thread_timer.hpp), which keeps the time left
// to the next sample from one run to the next: a call shorter than the
// period is still sampled, one in so many calls, in proportion to its time
// (a full period from each call's start would never end in a short call).
#pragma once

#include "thread_timer.hpp"

namespace hl {

class ProfileTimer {
public:
    // Throws hl::Error if the kernel refuses the timer.
    ProfileTimer(unsigned hz, int signal);
    ~ProfileTimer();
    ProfileTimer(const ProfileTimer&) = delete;
    ProfileTimer& operator=(const ProfileTimer&) = delete;

    // The tag its ticks carry (ThreadTimer::tag).
    int tag() const { return timer_.tag(); }

private:
    ThreadTimer timer_;
    unsigned hz_;
};

} // namespace hl
