// Per-thread POSIX timer for run deadlines (see run_timer.hpp).
#include "run_timer.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <unistd.h>

namespace hl {

RunTimer::RunTimer(std::chrono::nanoseconds timeout, int signal)
{
    if (timeout.count() <= 0)
        return;
    deadline_ = std::chrono::steady_clock::now() + timeout;
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signal;
    event._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &event, &timer_) < 0)
        throw Error(std::string("cannot create the run timer: ") + std::strerror(errno));
    // Re-fire every 10 ms after the deadline: a signal that lands while the
    // thread is between runs is caught by immediate_exit, but repeating costs
    // nothing and covers any signal lost to a blocked mask.
    itimerspec spec{};
    spec.it_value.tv_sec = timeout.count() / 1'000'000'000;
    spec.it_value.tv_nsec = timeout.count() % 1'000'000'000;
    spec.it_interval.tv_nsec = 10'000'000;
    if (timer_settime(timer_, 0, &spec, nullptr) < 0) {
        timer_delete(timer_);
        throw Error(std::string("cannot arm the run timer: ") + std::strerror(errno));
    }
    armed_ = true;
}

RunTimer::~RunTimer()
{
    if (armed_)
        timer_delete(timer_);
}

bool RunTimer::expired() const
{
    return armed_ && std::chrono::steady_clock::now() >= deadline_;
}

} // namespace hl
