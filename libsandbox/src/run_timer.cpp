// The run deadline's timer (see run_timer.hpp).
#include "run_timer.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <string>

namespace hl {

RunTimer::RunTimer(std::chrono::nanoseconds timeout, int signal)
{
    if (timeout.count() <= 0)
        return;
    deadline_ = std::chrono::steady_clock::now() + timeout;
    ThreadTimer& timer = timer_.emplace(TimerPurpose::Deadline, signal, "run timer");
    // Re-fire every 10 ms after the deadline: a signal that lands while the
    // thread is between runs is caught by immediate_exit, but repeating costs
    // nothing and covers any signal lost to a blocked mask.
    itimerspec spec{};
    spec.it_value.tv_sec = timeout.count() / 1'000'000'000;
    spec.it_value.tv_nsec = timeout.count() % 1'000'000'000;
    spec.it_interval.tv_nsec = 10'000'000;
    if (timer_settime(timer.id(), 0, &spec, nullptr) < 0) {
        const int error = errno;
        timer_.reset();
        throw Error(std::string("cannot arm the run timer: ") + std::strerror(error));
    }
}

RunTimer::~RunTimer()
{
    if (!timer_)
        return;
    const itimerspec disarm{};
    timer_settime(timer_->id(), 0, &disarm, nullptr);
}

bool RunTimer::expired() const
{
    return timer_ && std::chrono::steady_clock::now() >= deadline_;
}

} // namespace hl
