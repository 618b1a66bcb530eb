#include "profile/profile_signal.hpp"

#include "backend.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <string>

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
    // A tick that came after the last run (rare: the timer is disarmed by
    // now) is delivered to ignore_tick here; waiting for it would cost every
    // call a system call.
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

uint64_t ProfileSignal::take_ticks()
{
    const sigset_t set = just_the_signal();
    const timespec now{};
    siginfo_t info{};
    if (sigtimedwait(&set, &info, &now) != profile_signal_number())
        return 0;
    return 1 + static_cast<uint64_t>(info.si_overrun > 0 ? info.si_overrun : 0);
}

} // namespace hl
