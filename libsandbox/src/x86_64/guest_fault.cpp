// Guest exceptions: frame decoding and the one-line description.
#include "x86_64/guest_fault.hpp"

#include "fault_place.hpp"
#include "x86_64/cpu_tables.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include <hl/units.hpp>

namespace hl {

Registers registers_at_fault(unsigned vector, const Registers& r, const GuestMemory& memory,
                             uint64_t* error_code)
{
    Registers at = r;
    if (error_code)
        *error_code = 0;
    // The flags come from what the guest can write (its r11, the stub's
    // frame on a stack it can reach): only those it could set itself count.
    auto guest_flags = [](uint64_t flags) { return (flags & cpu::kUserChangeableFlags) | cpu::kMachineFlags; };
    if (vector == cpu::kSyscallVector) {
        // No frame: `syscall` left the return address in rcx, just past its 2 bytes.
        at.rip = r.rcx - 2;
        at.rflags = guest_flags(r.r11);
        return at;
    }
    // Frame: rdx, rax, [error code], rip, cs, rflags, rsp, ss.
    const bool has_error = cpu::vector_has_error_code(vector);
    const uint64_t words = has_error ? 8 : 7;
    const auto frame = memory.read_view(guest_addr(r.rsp), words * 8);
    if (!frame.ok())
        return at;
    uint64_t w[8];
    std::memcpy(w, frame.bytes.data(), words * 8);
    const uint64_t* cpu_pushed = w + (has_error ? 3 : 2);
    at.rdx = w[0];
    at.rax = w[1];
    if (error_code && has_error)
        *error_code = w[2];
    at.rip = cpu_pushed[0];
    at.rflags = guest_flags(cpu_pushed[2]);
    at.rsp = cpu_pushed[3];
    return at;
}

GuestFault read_guest_fault(unsigned vector, const Registers& r, uint64_t cr2, const GuestMemory& memory,
                            const Image& image)
{
    GuestFault fault;
    fault.vector = vector;
    fault.address = cr2;
    const Registers at = registers_at_fault(vector, r, memory, &fault.error_code);
    fault.rip = at.rip;
    fault.where = image.symbolize(at.rip).value_or(format_hex(at.rip));
    fault.registers = named_registers(at);
    return fault;
}

std::vector<std::pair<const char*, uint64_t>> named_registers(const Registers& r)
{
    return {{"rax", r.rax}, {"rbx", r.rbx}, {"rcx", r.rcx}, {"rdx", r.rdx}, {"rsi", r.rsi}, {"rdi", r.rdi},
            {"rsp", r.rsp}, {"rbp", r.rbp}, {"r8", r.r8},   {"r9", r.r9},   {"r10", r.r10}, {"r11", r.r11},
            {"r12", r.r12}, {"r13", r.r13}, {"r14", r.r14}, {"r15", r.r15}, {"rip", r.rip}, {"rflags", r.rflags}};
}

std::string describe_guest_fault(const GuestFault& f, const Layout& layout)
{
    std::string text = std::string(cpu::vector_name(f.vector)) + " (" + cpu::vector_mnemonic(f.vector) +
                       ") at " + f.where;
    if (f.where.rfind("0x", 0) != 0)
        text += " (" + format_hex(f.rip) + ")";
    if (f.vector == 14) {
        const bool instruction = f.error_code & (1u << 4), write = f.error_code & (1u << 1);
        text += std::string(": ") + (instruction ? "execute at " : write ? "write to " : "read from ") +
                format_hex(f.address) + " (" + fault_place(f.address, layout) + ")";
    } else if (f.vector == cpu::kSyscallVector) {
        text += ": hl guests make hypercalls, not system calls";
    } else if (cpu::vector_has_error_code(f.vector)) {
        text += ", error code " + format_hex(f.error_code);
    }
    return text;
}

} // namespace hl
