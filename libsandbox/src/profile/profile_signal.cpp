#include "profile/profile_signal.hpp"

#include "backend.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <string>
#include <utility>
#include <vector>

namespace hl {
namespace {

sigset_t just_the_signal()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, profile_signal_number());
    return set;
}

void ignore_tick(int) {}

// The profiled runs under way on this thread, innermost last (a host
// function may run another sandbox), and the ticks an inner run took for each.
struct Run {
    int tag;
    uint64_t handed;
};
thread_local std::vector<Run> t_runs;

} // namespace

int profile_signal_number()
{
    return SIGRTMIN + 3;
}

void install_profile_handler()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = ignore_tick;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(profile_signal_number(), &action, nullptr);
    });
}

ProfileSignal::ProfileSignal(Vcpu& vcpu)
{
    const sigset_t block = just_the_signal();
    if (const int rc = pthread_sigmask(SIG_BLOCK, &block, &previous_); rc != 0)
        throw Error(std::string("cannot block the profiler's signal: ") + std::strerror(rc));
    sigset_t in_guest = previous_;
    sigdelset(&in_guest, profile_signal_number());
    try {
        vcpu.set_run_signal_mask(in_guest);
    } catch (...) {
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
        throw;
    }
}

ProfileSignal::~ProfileSignal()
{
    if (!t_runs.empty() && t_runs.back().tag == tag_)
        t_runs.pop_back();
    // A tick that came after the last run (rare: the timer is disarmed by
    // now) is delivered to ignore_tick here; waiting for it would cost every
    // call a system call.
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void ProfileSignal::own(int tag)
{
    tag_ = tag;
    t_runs.push_back({tag, 0});
}

uint64_t ProfileSignal::take_handed()
{
    for (Run& run : t_runs)
        if (run.tag == tag_)
            return std::exchange(run.handed, 0);
    return 0;
}

uint64_t ProfileSignal::take_ticks()
{
    const sigset_t set = just_the_signal();
    const timespec now{};
    uint64_t mine = 0;
    // One pending tick a timer at most: this run's, and an outer run's.
    for (siginfo_t info{}; sigtimedwait(&set, &info, &now) == profile_signal_number(); info = {}) {
        const uint64_t ticks = 1 + static_cast<uint64_t>(info.si_overrun > 0 ? info.si_overrun : 0);
        if (info.si_value.sival_int == tag_) {
            mine += ticks;
            continue;
        }
        // An outer run's, taken while this one ran inside it: handed to it.
        // A run that is over (a timer deleted with a tick pending) gets none.
        for (Run& run : t_runs)
            if (run.tag == info.si_value.sival_int)
                run.handed += ticks;
    }
    return mine + take_handed();
}

} // namespace hl
