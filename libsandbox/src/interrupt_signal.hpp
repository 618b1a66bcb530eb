// The signal that stops a thread's run: a run timer's deadline, a cancel
// from another thread (InterruptHandle), a ThreadDeadline. One real-time
// signal for the process, whose handler is installed once, without
// SA_RESTART: a blocking system call it lands in fails with EINTR.
//
// Whatever the backend, a run has a byte the hypervisor reads before and
// during guest execution (KVM: kvm_run::immediate_exit): the handler sets it,
// so a signal that lands just before the guest is entered still stops it.
// One that lands while the thread runs no guest (writing output, tracing, in a
// host function) is remembered, and the next run does not enter the guest.
#pragma once

#include <cstdint>

namespace hl::interrupt {

int signal_number();
// Installs the handler, once per process; every Vm and ThreadDeadline calls it.
void install_handler();

// Brackets a stretch of guest execution on this thread: while it lasts, the
// handler sets *stop_byte. Not reentrant: one vCPU per thread at a time.
void enter_run(volatile uint8_t* stop_byte);
// Ends the stretch and leaves *stop_byte clear. A signal can land after the
// guest left on an exit of its own, before this call: it set the byte but
// stopped nothing. Unless the stretch ended because of a signal
// (stopped_by_signal: KVM_RUN's EINTR, a stop before entering), that one is
// kept as missed for the next run. A byte left set instead would be lost to
// whatever clears it first (completing an MMIO or I/O exit does).
void leave_run(bool stopped_by_signal);
// Whether a signal landed on this thread outside a run since the last call,
// and forgets it.
bool take_missed();
// Forgets a signal that landed before now (meant for an earlier stretch).
void forget_missed();

} // namespace hl::interrupt
