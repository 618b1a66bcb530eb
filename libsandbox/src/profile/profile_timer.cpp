#include "profile/profile_timer.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <string>
#include <unistd.h>

namespace hl {
namespace {

struct KeptTimer {
    timer_t id{};
    int signal = 0;
    unsigned hz = 0;
    timespec left{};      // to the next sample, when the last run ended
    bool made = false;
    bool busy = false;
    ~KeptTimer()
    {
        if (made)
            timer_delete(id);
    }
};
thread_local KeptTimer kept;

// A child of fork has none of its parent's timers.
void forget_kept_timer() { kept = KeptTimer{}; }

timer_t make_timer(int signal)
{
    static std::once_flag at_fork;
    std::call_once(at_fork, [] { pthread_atfork(nullptr, nullptr, forget_kept_timer); });
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signal;
    event._sigev_un._tid = gettid();
    timer_t timer{};
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) < 0)
        throw Error(std::string("cannot create the profiler's timer: ") + std::strerror(errno));
    return timer;
}

} // namespace

ProfileTimer::ProfileTimer(unsigned hz, int signal)
{
    kept_ = !kept.busy && (!kept.made || kept.signal == signal);
    if (kept_ && !kept.made) {
        kept.id = make_timer(signal);
        kept.signal = signal;
        kept.made = true;
    }
    timer_ = kept_ ? kept.id : make_timer(signal);
    const long period_ns = 1'000'000'000L / static_cast<long>(hz == 0 ? 1 : hz);
    itimerspec spec{};
    spec.it_interval.tv_sec = period_ns / 1'000'000'000L;
    spec.it_interval.tv_nsec = period_ns % 1'000'000'000L;
    spec.it_value = spec.it_interval;
    if (kept_ && kept.hz == hz && (kept.left.tv_sec || kept.left.tv_nsec))
        spec.it_value = kept.left;   // go on where the last run stopped
    if (timer_settime(timer_, 0, &spec, nullptr) < 0) {
        const int error = errno;
        if (!kept_)
            timer_delete(timer_);
        throw Error(std::string("cannot arm the profiler's timer: ") + std::strerror(error));
    }
    if (kept_) {
        kept.hz = hz;
        kept.busy = true;
    }
}

ProfileTimer::~ProfileTimer()
{
    if (!kept_) {
        timer_delete(timer_);
        return;
    }
    const itimerspec disarm{};
    itimerspec old{};
    kept.left = timer_settime(timer_, 0, &disarm, &old) == 0 ? old.it_value : timespec{};
    kept.busy = false;
}

} // namespace hl
