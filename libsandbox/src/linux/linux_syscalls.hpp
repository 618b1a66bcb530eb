// The Linux system-call personality: serves the system calls of a
// single-threaded static program (musl's) from the host, checking every guest
// pointer through GuestMemory as hypercalls do. What it does not serve gets
// ENOSYS, or ends the run under strict_syscalls. Pure of KVM: the exit handler
// decodes the call (arch::SystemCall) and resumes the guest with the result.
#pragma once

#include "arch.hpp"
#include "linux/linux_process.hpp"

#include <hl/guest_memory.hpp>
#include <hl/sandbox.hpp>
#include <hl/trace.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace hl::linux_abi {

// What one system call may use of the machine and the process.
struct SyscallEnv {
    GuestMemory& memory;
    const Layout& layout;
    const OutputFn& output;
    const InputFn& input;
    LinuxProcess& process;
    bool strict = false;
};

struct SyscallOutcome {
    enum class Action {
        Resume,        // resume the guest with result
        Exit,          // exit or exit_group: status
        Fault,         // the run ends as a guest fault; message says why (strict: names the call)
        Abort,         // the guest sent itself a signal that ends it (abort()): message names it
        OutputClosed,  // the reader of stdout or stderr is gone; message names it
    };
    Action action = Action::Resume;
    int64_t result = 0;                        // Resume: the return value, -errno on failure
    int status = 0;                            // Exit
    int signal = 0;                            // Abort: the signal the guest sent itself
    std::string message;
    std::optional<uint64_t> thread_pointer;    // Resume: arch_prctl(ARCH_SET_FS) asked for this FS base
    HypercallRecord record;                    // for traces
};

SyscallOutcome serve_system_call(const arch::SystemCall& call, SyscallEnv& env);

} // namespace hl::linux_abi
