// A deadline for a thread's blocking system calls (see thread_deadline.hpp):
// the run timer and its signal, outside a run.
#include <hl/thread_deadline.hpp>

#include "interrupt_signal.hpp"
#include "run_timer.hpp"

#include <algorithm>

namespace hl {

ThreadDeadline::ThreadDeadline(std::chrono::nanoseconds after)
{
    interrupt::install_handler();
    // A run timer of 0 arms nothing; a deadline already past fires at once.
    timer_ = std::make_unique<RunTimer>(std::max(after, std::chrono::nanoseconds{1}), interrupt::signal_number());
}

ThreadDeadline::~ThreadDeadline() = default;

} // namespace hl
