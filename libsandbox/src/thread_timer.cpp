#include "thread_timer.hpp"

#include <hl/error.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <string>
#include <unistd.h>

namespace hl {
namespace {

struct Kept {
    timer_t id{};
    int tag = 0;
    int signal = 0;
    bool made = false;
    bool lent = false;
};

struct ThreadTimers {
    std::array<Kept, 2> kept{};   // by TimerPurpose
    ~ThreadTimers()
    {
        for (const Kept& k : kept)
            if (k.made)
                timer_delete(k.id);
    }
};
thread_local ThreadTimers t_timers;

// A child of fork has none of its parent's timers; its one thread is the one that forked.
void forget_kept_timers() { t_timers.kept = {}; }

std::atomic<int> g_last_tag{0};

timer_t make_timer(int signal, int tag, const char* what)
{
    static std::once_flag at_fork;
    std::call_once(at_fork, [] { pthread_atfork(nullptr, nullptr, forget_kept_timers); });
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signal;
    event.sigev_value.sival_int = tag;
    event._sigev_un._tid = gettid();
    timer_t timer{};
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) < 0)
        throw Error(std::string("cannot create the ") + what + ": " + std::strerror(errno));
    return timer;
}

} // namespace

ThreadTimer::ThreadTimer(TimerPurpose purpose, int signal, const char* what) : purpose_(purpose)
{
    Kept& k = t_timers.kept[static_cast<size_t>(purpose)];
    kept_ = !k.lent && (!k.made || k.signal == signal);
    if (!kept_) {
        tag_ = ++g_last_tag;
        id_ = make_timer(signal, tag_, what);
        return;
    }
    if (!k.made) {
        k.tag = ++g_last_tag;
        k.id = make_timer(signal, k.tag, what);
        k.signal = signal;
        k.made = true;
    }
    id_ = k.id;
    tag_ = k.tag;
    k.lent = true;
}

ThreadTimer::~ThreadTimer()
{
    if (kept_)
        t_timers.kept[static_cast<size_t>(purpose_)].lent = false;
    else
        timer_delete(id_);
}

} // namespace hl
