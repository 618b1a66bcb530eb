// The aarch64 side of ELF core files (arch.hpp): the Linux layout of the
// notes gdb reads a core's registers from, and the signals of the exception
// classes. Offsets are those of the kernel's struct elf_prstatus on arm64
// (pr_reg is struct user_pt_regs) and of struct user_fpsimd_state; pure.
#include "arch.hpp"

#include "aarch64/exception_syndrome.hpp"
#include "core/linux_notes.hpp"

#include <csignal>
#include <cstring>

namespace hl::arch {
namespace {

constexpr uint16_t kMachineAarch64 = 183;  // EM_AARCH64
constexpr size_t kPrstatusSize = 392;      // sizeof(struct elf_prstatus)
constexpr size_t kRegisterCount = 34;      // user_pt_regs: x0-x30, sp, pc, pstate
constexpr size_t kFpsimdSize = 528;        // user_fpsimd_state: v0-v31, fpsr, fpcr, 8 reserved bytes

} // namespace

uint16_t core_machine() { return kMachineAarch64; }

CoreVectorNotes core_vector_notes(const VectorRegisters& vectors)
{
    std::vector<uint8_t> fpsimd(kFpsimdSize, 0);
    for (size_t i = 0; i < vectors.v.size(); ++i)
        std::memcpy(fpsimd.data() + i * 16, vectors.v[i].data(), 16);
    core::put<uint32_t>(fpsimd, 512, vectors.fpsr);
    core::put<uint32_t>(fpsimd, 516, vectors.fpcr);
    return {std::move(fpsimd), {}};
}

std::vector<uint8_t> core_thread_note(const CoreThread& t)
{
    // The thread pointer (TPIDR_EL0) has a note of its own on arm64 (NT_ARM_TLS), not written.
    std::vector<uint8_t> bytes = core::prstatus(kPrstatusSize, t.signal);
    const Registers& r = t.registers;
    uint64_t slots[kRegisterCount] = {};
    std::memcpy(slots, r.x.data(), sizeof(uint64_t) * r.x.size());
    slots[31] = r.sp, slots[32] = r.pc, slots[33] = r.pstate;
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
    std::memcpy(t.registers.x.data(), s, sizeof(uint64_t) * t.registers.x.size());
    t.registers.sp = s[31], t.registers.pc = s[32], t.registers.pstate = s[33];
    return t;
}

int signal_for_exception(unsigned exception_class)
{
    namespace ec = aarch64::ec;
    switch (exception_class) {
    case ec::kUnknown: case ec::kWaitForInterrupt: case ec::kIllegalState: return SIGILL;
    case ec::kPcAlignment: case ec::kSpAlignment: return SIGBUS;
    case ec::kFloatingPoint: return SIGFPE;
    case ec::kBrk: case ec::kBreakpointLower: case ec::kSoftwareStepLower: case ec::kWatchpointLower: return SIGTRAP;
    case ec::kSupervisorCall: return SIGSYS;
    default: return SIGSEGV;   // aborts and the rest
    }
}

} // namespace hl::arch
