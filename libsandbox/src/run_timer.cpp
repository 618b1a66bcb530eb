// Per-thread POSIX timer for run deadlines (see run_timer.hpp).
#include "run_timer.hpp"

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

// Each thread keeps the timer of its first timed run for the next ones:
// making and deleting one around every run took two system calls more, ~6 us
// of a call on the nested hosts hl runs on.
struct ThreadTimer {
    timer_t id{};
    int signal = 0;
    bool made = false;
    bool busy = false;   // armed by a RunTimer alive on this thread
    ~ThreadTimer()
    {
        if (made)
            timer_delete(id);
    }
};
thread_local ThreadTimer kept;

// A child of fork has none of its parent's timers; its one thread is the one
// that forked.
void forget_kept_timer() { kept = ThreadTimer{}; }

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
        throw Error(std::string("cannot create the run timer: ") + std::strerror(errno));
    return timer;
}

} // namespace

RunTimer::RunTimer(std::chrono::nanoseconds timeout, int signal)
{
    if (timeout.count() <= 0)
        return;
    deadline_ = std::chrono::steady_clock::now() + timeout;
    // The thread's kept timer, unless a RunTimer around this one holds it.
    kept_ = !kept.busy && (!kept.made || kept.signal == signal);
    if (kept_ && !kept.made) {
        kept.id = make_timer(signal);
        kept.signal = signal;
        kept.made = true;
    }
    timer_ = kept_ ? kept.id : make_timer(signal);
    // Re-fire every 10 ms after the deadline: a signal that lands while the
    // thread is between runs is caught by immediate_exit, but repeating costs
    // nothing and covers any signal lost to a blocked mask.
    itimerspec spec{};
    spec.it_value.tv_sec = timeout.count() / 1'000'000'000;
    spec.it_value.tv_nsec = timeout.count() % 1'000'000'000;
    spec.it_interval.tv_nsec = 10'000'000;
    if (timer_settime(timer_, 0, &spec, nullptr) < 0) {
        const int error = errno;
        if (!kept_)
            timer_delete(timer_);
        throw Error(std::string("cannot arm the run timer: ") + std::strerror(error));
    }
    armed_ = true;
    if (kept_)
        kept.busy = true;
}

RunTimer::~RunTimer()
{
    if (!armed_)
        return;
    if (!kept_) {
        timer_delete(timer_);
        return;
    }
    const itimerspec disarm{};
    timer_settime(timer_, 0, &disarm, nullptr);
    kept.busy = false;
}

bool RunTimer::expired() const
{
    return armed_ && std::chrono::steady_clock::now() >= deadline_;
}

} // namespace hl
