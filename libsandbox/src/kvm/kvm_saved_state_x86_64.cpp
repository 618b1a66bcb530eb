// Saved vCPU states on x86-64: adopting one read from a snapshot file (see
// kvm_backend.hpp).
#include "kvm/kvm_backend.hpp"
#include "kvm/kvm_saved_state_x86_64.hpp"
#include "x86_64/cpu_tables.hpp"
#include "kvm/kvm_cpu_x86_64.hpp"
#include "kvm/kvm_system.hpp"

#include "x86_64/cpu_features.hpp"

#include <hl/units.hpp>

#include <cstring>

namespace hl {

kvm_segment to_kvm(const cpu::SegmentRegister& r)
{
    kvm_segment s{};
    s.base = r.base;
    s.limit = r.limit;
    s.selector = r.selector;
    s.type = r.type;
    s.present = r.present;
    s.dpl = r.dpl;
    s.db = r.db;
    s.s = r.s;
    s.l = r.l;
    s.g = r.g;
    return s;
}

namespace {

// The APIC base of vCPU 0 after KVM's reset: the default address, enabled,
// bootstrap processor. Nothing at CPL3 can change it.
constexpr uint64_t kApicBase = 0xfee00000 | 0x800 | 0x100;

// What KVM_SET_XSAVE would refuse in the XSAVE image that follows the
// header (Intel SDM vol. 1, 13.4): components the guest's XCR0 does not
// enable, a compacted format, a non-zero reserved header byte, or MXCSR's
// reserved upper half. An empty string when none.
std::string xsave_error(const uint8_t* xsave, size_t size, uint64_t xcr0)
{
    if (size < 576)
        return "an XSAVE area of " + std::to_string(size) + " bytes has no room for its header";
    uint64_t xstate_bv, xcomp_bv;
    uint32_t mxcsr;
    std::memcpy(&mxcsr, xsave + 24, sizeof mxcsr);
    std::memcpy(&xstate_bv, xsave + 512, sizeof xstate_bv);
    std::memcpy(&xcomp_bv, xsave + 520, sizeof xcomp_bv);
    if (xstate_bv & ~xcr0)
        return "XSTATE_BV " + format_hex(xstate_bv) + " names components XCR0 " + format_hex(xcr0) + " does not";
    if (xcomp_bv != 0)
        return "XCOMP_BV " + format_hex(xcomp_bv) + ", expected 0 (the standard format)";
    for (size_t at = 528; at < 576; ++at)
        if (xsave[at] != 0)
            return "a reserved byte of the XSAVE header is not zero";
    if (mxcsr >> 16)
        return "MXCSR " + format_hex(mxcsr) + " sets reserved bits";
    return {};
}

} // namespace

AdoptedState adopt_saved_state(VcpuState& state, const BootState& boot)
{
    SavedHeader s;
    if (state.bytes.size() < sizeof s)
        return {"the CPU state is " + std::to_string(state.bytes.size()) + " bytes, too short for its header"};
    std::memcpy(&s, state.bytes.data(), sizeof s);
    const KvmCpu& kvm = KvmCpu::get();
    if (s.xsave_size != kvm.xsave_size() || state.bytes.size() != sizeof s + s.xsave_size)
        return {"the CPU state was saved with an XSAVE area of " + std::to_string(s.xsave_size) +
                    " bytes; this host's is " + std::to_string(kvm.xsave_size()),
                true};
    const cpu::BootRegisters machine = cpu::boot_registers(boot, cpu::guest_features(kvm.supported_features()));
    if ((s.xcr0 & ~machine.xcr0) != 0 || (s.xcr0 & 1) == 0)
        return {"the CPU state needs XSAVE features this host lacks (XCR0 " + format_hex(s.xcr0) + ", this host " +
                    format_hex(machine.xcr0) + ")",
                true};
    if (const std::string error = xsave_error(state.bytes.data() + sizeof s, s.xsave_size, s.xcr0); !error.empty())
        return {"the CPU state is corrupted (" + error + ")"};
    if (s.stopped_at_out > 1)
        return {"the CPU state is corrupted (stopped_at_out " + std::to_string(s.stopped_at_out) + ")"};
    auto canonical = [](uint64_t a) { return (a >> 47) == 0 || (a >> 47) == 0x1ffff; };
    if (!canonical(s.sregs.fs.base) || !canonical(s.sregs.gs.base) || !canonical(s.regs.rip))
        return {"the CPU state holds an address that is not canonical"};
    // What the guest set itself survives; the machine is the host's own.
    const uint64_t fs_base = s.sregs.fs.base, gs_base = s.sregs.gs.base;
    s.sregs.cs = to_kvm(machine.cs);
    s.sregs.ss = to_kvm(machine.ss);
    s.sregs.ds = to_kvm(machine.ds);
    s.sregs.es = to_kvm(machine.es);
    s.sregs.fs = to_kvm(machine.fs);
    s.sregs.gs = to_kvm(machine.gs);
    s.sregs.tr = to_kvm(machine.tr);
    s.sregs.fs.base = fs_base;
    s.sregs.gs.base = gs_base;
    s.sregs.ldt = kvm_segment{};
    s.sregs.ldt.unusable = 1;
    s.sregs.gdt = {.base = machine.gdt.base, .limit = machine.gdt.limit, .padding = {}};
    s.sregs.idt = {.base = machine.idt.base, .limit = machine.idt.limit, .padding = {}};
    s.sregs.cr0 = machine.cr0;
    s.sregs.cr2 = 0;
    s.sregs.cr3 = machine.cr3;
    s.sregs.cr4 = machine.cr4;
    s.sregs.cr8 = 0;
    s.sregs.efer = machine.efer;
    s.sregs.apic_base = kApicBase;
    std::memset(s.sregs.interrupt_bitmap, 0, sizeof s.sregs.interrupt_bitmap);
    s.regs.rflags = (s.regs.rflags & cpu::kUserChangeableFlags) | machine.rflags;
    std::memcpy(state.bytes.data(), &s, sizeof s);
    state.resume_at = guest_addr(s.regs.rip);
    return {};
}

} // namespace hl
