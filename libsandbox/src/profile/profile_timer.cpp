#include "profile/profile_timer.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <string>

namespace hl {
namespace {

// Beside the thread's kept profile timer: the rate it ran at, and the time
// left to its next sample when the last run ended.
struct Phase {
    unsigned hz = 0;
    timespec left{};
};
thread_local Phase t_phase;

} // namespace

ProfileTimer::ProfileTimer(unsigned hz, int signal)
    : timer_(TimerPurpose::Profile, signal, "profiler's timer"), hz_(hz)
{
    const long period_ns = 1'000'000'000L / static_cast<long>(hz == 0 ? 1 : hz);
    itimerspec spec{};
    spec.it_interval.tv_sec = period_ns / 1'000'000'000L;
    spec.it_interval.tv_nsec = period_ns % 1'000'000'000L;
    spec.it_value = spec.it_interval;
    if (timer_.kept() && t_phase.hz == hz && (t_phase.left.tv_sec || t_phase.left.tv_nsec))
        spec.it_value = t_phase.left;   // go on where the last run stopped
    if (timer_settime(timer_.id(), 0, &spec, nullptr) < 0)
        throw Error(std::string("cannot arm the profiler's timer: ") + std::strerror(errno));
}

ProfileTimer::~ProfileTimer()
{
    const itimerspec disarm{};
    itimerspec old{};
    const bool stopped = timer_settime(timer_.id(), 0, &disarm, &old) == 0;
    if (timer_.kept())
        t_phase = {hz_, stopped ? old.it_value : timespec{}};
}

} // namespace hl
