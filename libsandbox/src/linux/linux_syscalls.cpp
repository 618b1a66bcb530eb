// One Linux system call, served or refused (see linux_syscalls.hpp).
#include "linux/linux_syscalls.hpp"

#include "linux/syscall_names.hpp"
#include "linux/syscall_table.hpp"

#include <cerrno>

namespace hl::linux_abi {

SyscallOutcome serve_system_call(const arch::SystemCall& call, SyscallEnv& env)
{
    SyscallOutcome out;
    HypercallRecord& record = out.record;
    record.system_call = true;
    record.name = syscall_name(call.number);
    const ServedCall* served = served_call(call.number);
    if (!served) {
        const std::string number = std::to_string(call.number);
        if (env.strict) {
            out.action = SyscallOutcome::Action::Fault;
            out.message = record.name ? "unsupported system call " + std::string(record.name) + " (" + number + ")"
                                      : "unknown system call " + number;
        } else {
            out.result = -ENOSYS;
            record.has_result = true;
            record.result = out.result;
        }
        if (!record.name)
            record.name = "unknown";
        return out;
    }
    record.arg_count = served->arg_count;
    record.arg_names = served->arg_names;
    record.hex_args = served->hex_args;
    for (int i = 0; i < served->arg_count; ++i)
        record.args[i] = call.args[i];
    SyscallCall served_call{env, out, call.args};
    out.result = served->handler(served_call);
    if (out.action == SyscallOutcome::Action::Resume) {
        record.has_result = true;
        record.result = out.result;
    }
    return out;
}

} // namespace hl::linux_abi
