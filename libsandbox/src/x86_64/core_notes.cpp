// The x86-64 side of ELF core files (arch.hpp): the Linux layout of the
// process notes gdb reads a core's registers from, and the signals of the CPU
// exceptions. Offsets are those of the kernel's struct elf_prstatus and
// struct elf_prpsinfo on x86-64 (<sys/procfs.h>); pure.
#include "arch.hpp"

#include "core/linux_notes.hpp"
#include "x86_64/cpu_tables.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>

namespace hl::arch {
namespace {

constexpr uint16_t kMachineX86_64 = 62;   // EM_X86_64
constexpr size_t kPrstatusSize = 336;     // sizeof(struct elf_prstatus)
constexpr size_t kRegisterCount = 27;

// user_regs_struct, in its order.
enum Slot : size_t {
    R15, R14, R13, R12, Rbp, Rbx, R11, R10, R9, R8, Rax, Rcx, Rdx, Rsi, Rdi, OrigRax,
    Rip, Cs, Eflags, Rsp, Ss, FsBase, GsBase, Ds, Es, Fs, Gs,
};

} // namespace

uint16_t core_machine() { return kMachineX86_64; }

CoreVectorNotes core_vector_notes(const VectorRegisters& vectors)
{
    // Linux's user_fpregs_struct is FXSAVE's layout; NT_X86_XSTATE the whole XSAVE area.
    return {{vectors.fxsave.begin(), vectors.fxsave.end()}, vectors.xsave};
}

std::vector<uint8_t> core_thread_note(const CoreThread& t)
{
    std::vector<uint8_t> bytes = core::prstatus(kPrstatusSize, t.signal);
    const Registers& r = t.registers;
    uint64_t slots[kRegisterCount] = {};
    slots[R15] = r.r15, slots[R14] = r.r14, slots[R13] = r.r13, slots[R12] = r.r12;
    slots[Rbp] = r.rbp, slots[Rbx] = r.rbx, slots[R11] = r.r11, slots[R10] = r.r10;
    slots[R9] = r.r9, slots[R8] = r.r8, slots[Rax] = r.rax, slots[Rcx] = r.rcx;
    slots[Rdx] = r.rdx, slots[Rsi] = r.rsi, slots[Rdi] = r.rdi, slots[OrigRax] = ~uint64_t{0};
    slots[Rip] = r.rip, slots[Cs] = cpu::kUserCodeSelector, slots[Eflags] = r.rflags, slots[Rsp] = r.rsp;
    slots[Ss] = cpu::kUserDataSelector, slots[FsBase] = t.thread_pointer, slots[GsBase] = 0;
    slots[Ds] = slots[Es] = slots[Fs] = slots[Gs] = 0;   // flat: 64-bit mode ignores them
    std::memcpy(bytes.data() + core::kPrstatusRegistersOffset, slots, sizeof slots);
    return bytes;
}

std::optional<CoreThread> read_core_thread_note(std::span<const uint8_t> desc)
{
    if (desc.size() != kPrstatusSize)
        return std::nullopt;
    CoreThread t;
    t.signal = core::get<int16_t>(desc, core::kPrstatusCursigOffset);
    uint64_t s[kRegisterCount];
    std::memcpy(s, desc.data() + core::kPrstatusRegistersOffset, sizeof s);
    t.registers = {.rax = s[Rax], .rbx = s[Rbx], .rcx = s[Rcx], .rdx = s[Rdx], .rsi = s[Rsi], .rdi = s[Rdi],
                   .rsp = s[Rsp], .rbp = s[Rbp], .r8 = s[R8], .r9 = s[R9], .r10 = s[R10], .r11 = s[R11],
                   .r12 = s[R12], .r13 = s[R13], .r14 = s[R14], .r15 = s[R15], .rip = s[Rip], .rflags = s[Eflags]};
    t.thread_pointer = s[FsBase];
    return t;
}

int signal_for_exception(unsigned vector)
{
    switch (vector) {
    case 0: return SIGFPE;      // #DE
    case 1: case 3: return SIGTRAP;   // #DB, #BP
    case 6: return SIGILL;      // #UD
    case 7: case 16: case 19: return SIGFPE;   // #NM, #MF, #XM
    case 11: case 12: case 17: return SIGBUS;  // #NP, #SS, #AC
    case cpu::kSyscallVector: return SIGSYS;
    default: return SIGSEGV;    // #PF, #GP and the rest
    }
}

} // namespace hl::arch
