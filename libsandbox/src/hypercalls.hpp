// Hypercall decoding and dispatch: turns an `out` exit into the call it
// stands for, checks every guest pointer through GuestMemory, performs it,
// and says whether the guest goes on. Pure of KVM: tests drive it with
// made-up exits over real GuestMemory.
#pragma once

#include "backend.hpp"

#include <hl/guest_memory.hpp>
#include <hl/sandbox.hpp>
#include <hl/host_function.hpp>
#include <hl/trace.hpp>

#include <cstdint>
#include <string>

namespace hl {

struct HypercallOutcome {
    enum class Action {
        Continue,    // resume the guest
        Exit,        // the guest exited with status
        Abort,       // the guest aborted with message
        Ready,       // the guest finished initialising and waits for calls
        Return,      // the guest's export returned; the result is in the call frame
        Violation,   // the guest broke the ABI; message says how
        OutputClosed, // the reader of the stream the guest wrote to is gone; message names it
    };
    Action action = Action::Continue;
    int status = 0;          // Exit: the exit status; Ready: the HL_READY_* flags
    std::string message;
    int number = -1;
    HypercallRecord call;   // decoded, for traces: name, arguments, result, bytes
};

const char* hypercall_name(int number);

// Handles one I/O exit (IoOut or IoIn). Output goes through `output`; host
// calls go to `host` (none registered when null); reads of fd 0 come from
// `input` (the end of the input at once when null or empty).
HypercallOutcome dispatch_hypercall(const VcpuExit& exit, GuestMemory& memory, const OutputFn& output,
                                    const std::vector<HostFunction>* host = nullptr, const InputFn* input = nullptr);

} // namespace hl
