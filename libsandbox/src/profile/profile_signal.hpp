// The profiler's signal: a real-time signal of its own, kept blocked on the
// sampled thread for the whole stretch except inside KVM_RUN (the vCPU's run
// signal mask). So a tick never lands in the host's own work: a host
// function's blocking system call sees no EINTR from the profiler, and ticks
// that fall while the host works (a long hypercall) stay pending, counted by
// the timer's overrun, and are taken at the next entry into the guest, which
// they end at once. Each interruption is then worth all the ticks it stands
// for, and the samples add up to the time, wherever it was spent. A profiled
// run inside another (a host function running a sandbox) tells its ticks
// from the outer run's by their timer's tag, and hands the outer's back.
#pragma once

#include <csignal>
#include <cstdint>

namespace hl {

class Vcpu;

int profile_signal_number();
// Once a process, before any thread that samples is confined: a tick
// delivered against hl's intent (a host function that unblocked the signal)
// is then ignored instead of ending the process, a real-time signal's default.
void install_profile_handler();

class ProfileSignal {
public:
    // Blocks the signal on this thread and lets it through while `vcpu`
    // runs (install_profile_handler first); throws hl::Error if the kernel refuses.
    explicit ProfileSignal(Vcpu& vcpu);
    // Puts the thread's mask back (the timer is disarmed by then); a tick
    // still pending is ignored.
    ~ProfileSignal();
    ProfileSignal(const ProfileSignal&) = delete;
    ProfileSignal& operator=(const ProfileSignal&) = delete;

    // Names the run's timer (ProfileTimer::tag), whose ticks are this run's.
    void own(int tag);
    // After a run that returned Interrupted: the ticks that interruption
    // stands for (1 and the timer's overrun, and those an inner run took for
    // this one), or 0 when none was pending. An outer run's ticks taken here
    // are handed to it.
    uint64_t take_ticks();
    // The ticks an inner run (in a host function) took for this one, with no
    // system call: sampled where the guest made the call.
    uint64_t take_handed();

private:
    sigset_t previous_{};
    int tag_ = 0;
};

} // namespace hl
