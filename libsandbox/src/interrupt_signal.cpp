// The interrupt signal and its handler (see interrupt_signal.hpp).
#include "interrupt_signal.hpp"

#include <atomic>
#include <csignal>
#include <mutex>

namespace hl::interrupt {
namespace {

// The byte that stops the run this thread is in, for the handler.
thread_local volatile uint8_t* t_stop_byte __attribute__((tls_model("initial-exec"))) = nullptr;
// The signal landed while this thread ran no guest: the next run does not enter.
thread_local volatile sig_atomic_t t_missed __attribute__((tls_model("initial-exec"))) = 0;

void on_signal(int)
{
    // Async-signal-safe: plain stores. In the guest, the signal itself ends
    // the run; about to enter, the stop byte does; elsewhere, t_missed does.
    if (t_stop_byte)
        *t_stop_byte = 1;
    else
        t_missed = 1;
}

} // namespace

int signal_number()
{
    return SIGRTMIN + 2;
}

void install_handler()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0; // no SA_RESTART: KVM_RUN and blocked writes must return EINTR
        sigaction(signal_number(), &action, nullptr);
    });
}

void enter_run(volatile uint8_t* stop_byte)
{
    t_stop_byte = stop_byte;
    // Published before the caller looks at t_missed or its stop flag: a
    // signal from now on either is seen there or finds the stop byte.
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

void leave_run(bool stopped_by_signal)
{
    volatile uint8_t* byte = t_stop_byte;
    t_stop_byte = nullptr;
    // From here a signal goes to t_missed, so the byte is this stretch's alone to look at.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (byte && *byte) {
        *byte = 0;
        if (!stopped_by_signal)
            t_missed = 1;
    }
}

bool take_missed()
{
    if (!t_missed)
        return false;
    t_missed = 0;
    return true;
}

void forget_missed()
{
    t_missed = 0;
}

} // namespace hl::interrupt
