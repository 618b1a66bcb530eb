// A POSIX timer aimed at the calling thread (SIGEV_THREAD_ID, CLOCK_MONOTONIC)
// that sends it a signal: no helper thread exists, so none can be left
// behind. The thread keeps one per purpose from one run to the next, and
// lends it to each run: making and deleting a timer around every run took
// two system calls more, ~6 us of a call on the nested hosts hl runs on. A
// run inside a run (a host function running another sandbox) finds the
// thread's timer lent already and makes one of its own. Kept timers are
// deleted when their thread ends; a child of fork forgets its parent's.
#pragma once

#include <ctime>

namespace hl {

enum class TimerPurpose { Deadline, Profile };

class ThreadTimer {
public:
    // `what` names the timer in the error thrown (hl::Error) when the kernel refuses one.
    ThreadTimer(TimerPurpose purpose, int signal, const char* what);
    ~ThreadTimer();   // a kept timer goes back to its thread (disarmed by its user), another is deleted
    ThreadTimer(const ThreadTimer&) = delete;
    ThreadTimer& operator=(const ThreadTimer&) = delete;

    timer_t id() const { return id_; }
    // The timer's own number in its signals' si_value (sigev_value): one
    // thread may run several timers of a purpose (a run inside a run).
    int tag() const { return tag_; }
    // Whether this is the thread's kept timer, so that what its user keeps
    // beside it (the profiler's time left) belongs with it.
    bool kept() const { return kept_; }

private:
    timer_t id_{};
    int tag_ = 0;
    bool kept_ = false;
    TimerPurpose purpose_;
};

} // namespace hl
