// Linux system calls on x86-64 (see system_call.hpp).
#include "x86_64/system_call.hpp"

namespace hl::cpu {
namespace {

constexpr uint64_t kSyscallLength = 2;

bool canonical(uint64_t address)
{
    const uint64_t top = address >> 47;
    return top == 0 || top == 0x1ffff;
}

} // namespace

std::optional<arch::SystemCall> decode_system_call(const Registers& at)
{
    arch::SystemCall call;
    call.number = at.rax;
    call.args = {at.rdi, at.rsi, at.rdx, at.r10, at.r8, at.r9};
    call.resume = at;
    call.resume.rip = at.rip + kSyscallLength;
    if (!canonical(call.resume.rip) || call.resume.rip < at.rip)
        return std::nullopt;
    // What the instruction itself leaves behind, as on Linux: r11 is the
    // guest's own flags as `syscall` saved them (at.r11), whatever the
    // flags it resumes with may hold (at.rflags, the machine's kept).
    call.resume.rcx = call.resume.rip;
    return call;
}

bool is_syscall_instruction(const GuestMemory& memory, uint64_t at)
{
    const auto bytes = memory.read_view(guest_addr(at), kSyscallLength);
    return bytes.ok() && bytes.bytes[0] == 0x0f && bytes.bytes[1] == 0x05;
}

} // namespace hl::cpu

namespace hl::arch {

void return_from_system_call(Vcpu& vcpu, const SystemCall& call, int64_t result)
{
    Registers registers = call.resume;
    registers.rax = static_cast<uint64_t>(result);
    vcpu.set_registers(registers);
}

} // namespace hl::arch
