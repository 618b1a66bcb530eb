// How a run ended: hl::RunResult, and the guest fault it may carry.
#pragma once

#include <hl/version.hpp>

#include <hl/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hl {

// A CPU exception in the guest, as its fault stub reported it.
struct GuestFault {
    unsigned vector = 0;
    uint64_t error_code = 0;
    uint64_t rip = 0;
    uint64_t address = 0;          // CR2, for page faults
    std::string where;             // "main+0x12" or "0x100034"
    // rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags at the fault.
    std::vector<std::pair<const char*, uint64_t>> registers;
};

// How a stretch of guest execution ended: a whole run (Sandbox::run), an
// initialisation (Sandbox::initialize) or one call (Sandbox::call).
struct RunResult {
    enum class Ending {
        Exited,     // the guest called exit (or returned from main): status
        Ready,      // initialize(): the guest called hl_serve and waits for calls
        Returned,   // call(): the export returned: value
        Cancelled,  // an InterruptHandle cancelled it
        Aborted,    // the guest called abort: message
        Faulted,    // CPU exception (fault set) or ABI violation: message
        TimedOut,   // the timeout passed
        ExitLimit,  // the guest made more exits than SandboxOptions::max_exits
        OutputClosed, // the reader of the guest's stdout or stderr is gone (its OutputFn said HL_EPIPE): message
        HostError,  // the host failed (KVM error, unexpected exit): message
    };
    Ending ending = Ending::HostError;
    int exit_status = 0;
    std::string message;               // one line, for everything but Exited
    std::optional<GuestFault> fault;
    Value value;                       // Returned: the export's result
    uint64_t exits = 0;
    std::chrono::nanoseconds duration{0};
    // Aborted by a Linux guest's own signal (abort() raises SIGABRT): its
    // number; 0 otherwise.
    int signal = 0;
    // SandboxOptions::core_file: the core file written for this ending, or
    // why none could be (one line that names the file and the reason).
    std::string core_file;
    std::string core_error;
};

// "exited", "ready", "returned", "cancelled", "aborted", "faulted", "timed out", "exit limit",
// "output closed", "host error".
const char* ending_name(RunResult::Ending ending);

} // namespace hl
