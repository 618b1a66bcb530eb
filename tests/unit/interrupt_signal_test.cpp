// The interrupt signal's bookkeeping around a run (interrupt_signal.hpp),
// with raise() standing in for a signal from another thread.
#include "interrupt_signal.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdint>

using namespace hl;

namespace {

struct Stretch {
    Stretch()
    {
        interrupt::install_handler();
        interrupt::forget_missed();
    }
    ~Stretch() { interrupt::forget_missed(); }
    volatile uint8_t stop_byte = 0;
};

} // namespace

TEST_CASE("a signal during a run sets its stop byte, and a run it ended forgets it")
{
    Stretch s;
    interrupt::enter_run(&s.stop_byte);
    std::raise(interrupt::signal_number());
    CHECK(s.stop_byte == 1);
    interrupt::leave_run(true);   // KVM_RUN returned EINTR: the signal was seen
    CHECK(s.stop_byte == 0);
    CHECK_FALSE(interrupt::take_missed());
}

TEST_CASE("a signal after the guest left on an exit of its own is kept for the next run")
{
    // KVM_RUN returned an MMIO exit and the signal came before leave_run: the
    // byte stopped nothing. Completing that exit clears the byte, so it must
    // not be where the signal is remembered.
    Stretch s;
    interrupt::enter_run(&s.stop_byte);
    std::raise(interrupt::signal_number());
    interrupt::leave_run(false);
    CHECK(s.stop_byte == 0);
    CHECK(interrupt::take_missed());
    CHECK_FALSE(interrupt::take_missed());
}

TEST_CASE("a signal between runs is missed, and a run without one leaves nothing")
{
    Stretch s;
    std::raise(interrupt::signal_number());
    CHECK(s.stop_byte == 0);
    CHECK(interrupt::take_missed());
    interrupt::enter_run(&s.stop_byte);
    interrupt::leave_run(false);
    CHECK_FALSE(interrupt::take_missed());
    CHECK(s.stop_byte == 0);
}
