#include "profile/profile_timer.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <unistd.h>

namespace hl {

ProfileTimer::ProfileTimer(unsigned hz, int signal)
{
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signal;
    event._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &event, &timer_) < 0)
        throw Error(std::string("cannot create the profiler's timer: ") + std::strerror(errno));
    const long period_ns = 1'000'000'000L / static_cast<long>(hz == 0 ? 1 : hz);
    itimerspec spec{};
    spec.it_value.tv_sec = period_ns / 1'000'000'000L;
    spec.it_value.tv_nsec = period_ns % 1'000'000'000L;
    spec.it_interval = spec.it_value;
    if (timer_settime(timer_, 0, &spec, nullptr) < 0) {
        const int error = errno;
        timer_delete(timer_);
        throw Error(std::string("cannot arm the profiler's timer: ") + std::strerror(error));
    }
}

ProfileTimer::~ProfileTimer() { timer_delete(timer_); }

} // namespace hl
