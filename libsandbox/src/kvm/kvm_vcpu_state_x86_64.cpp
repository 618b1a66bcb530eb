// KVM vCPU for x86-64: saving and restoring the whole guest-visible CPU state
// -- general registers, segment and control registers, every XSAVE component
// the guest's XCR0 holds (x87, SSE with MXCSR, AVX, AVX-512, opmask, PKRU) --
// and the pending-`out` bookkeeping that lets a restore skip vCPU requests.
#include "kvm/kvm_vcpu_x86_64.hpp"
#include "kvm/kvm_saved_state_x86_64.hpp"

#include "kvm/kvm_cpu_x86_64.hpp"
#include "kvm/kvm_system.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <sys/ioctl.h>

namespace hl {
namespace {


// Offsets in the XSAVE image (Intel SDM vol. 1, 13.4).
constexpr size_t kFcwOffset = 0;
constexpr size_t kMxcsrOffset = 24;
constexpr size_t kXstateBvOffset = 512;

// Marks every component of xcr0 present in the image's XSTATE_BV, so that
// KVM_SET_XSAVE loads each from the image. A component absent from
// XSTATE_BV would be left as it is by the kernel (MXCSR among them, when
// neither x87, SSE nor AVX is marked): whatever the guest put there would
// survive the restore. KVM_GET_XSAVE2 writes the init values of components
// the guest did not use, so the image holds a value for each.
void mark_all_present(std::vector<uint8_t>& xsave, uint64_t xcr0)
{
    uint64_t present;
    std::memcpy(&present, xsave.data() + kXstateBvOffset, sizeof present);
    present |= xcr0;
    std::memcpy(xsave.data() + kXstateBvOffset, &present, sizeof present);
}

} // namespace

std::vector<uint8_t> KvmVcpu::clean_xstate(size_t size, uint64_t xcr0)
{
    std::vector<uint8_t> xsave(size, 0); // registers zero, PKRU 0 (every key open)
    const uint16_t fcw = 0x37f;          // x87: all exceptions masked, 64-bit precision
    const uint32_t mxcsr = 0x1f80;       // SSE: all exceptions masked, round to nearest
    std::memcpy(xsave.data() + kFcwOffset, &fcw, sizeof fcw);
    std::memcpy(xsave.data() + kMxcsrOffset, &mxcsr, sizeof mxcsr);
    mark_all_present(xsave, xcr0);
    return xsave;
}

void KvmVcpu::set_xcr0(uint64_t xcr0)
{
    kvm_xcrs xcrs{};
    xcrs.nr_xcrs = 1;
    xcrs.xcrs[0].xcr = 0;
    xcrs.xcrs[0].value = xcr0;
    if (ioctl(fd_, KVM_SET_XCRS, &xcrs) < 0)
        throw_kvm_failure("KVM_SET_XCRS");
    xcr0_ = xcr0;
}

void KvmVcpu::set_xstate(const uint8_t* xsave)
{
    // KVM reads as many bytes as KVM_CAP_XSAVE2 says (xsave_size()).
    if (ioctl(fd_, kKvmSetXsave, xsave) < 0)
        throw_kvm_failure("KVM_SET_XSAVE");
}

void KvmVcpu::set_xstate(const std::vector<uint8_t>& xsave) { set_xstate(xsave.data()); }

void KvmVcpu::complete_pending_io()
{
    // KVM finishes an `out` (moves RIP past it) on the next KVM_RUN.
    pending_out_.reset();
    exit_pending_ = false;
    complete_kvm_exit(fd_, run_, "KVM_RUN (completing I/O)");
}

const KvmVcpu::PendingOut& KvmVcpu::pending_out_registers()
{
    if (!pending_out_->registers_known) {
        // The RIP KVM shows before the completion: at the `out`, or past it where
        // the hypervisor completed it already (PVM); the same as synced registers show.
        kvm_regs regs{};
        if (ioctl(fd_, KVM_GET_REGS, &regs) < 0)
            throw_kvm_failure("KVM_GET_REGS");
        *pending_out_ = PendingOut{true, regs.rip, regs.rflags};
    }
    return *pending_out_;
}

VectorRegisters KvmVcpu::vector_registers()
{
    // KVM's XSAVE area is in the standard format: the legacy FXSAVE region,
    // the XSAVE header (XSTATE_BV at 512), then AVX's YMM_Hi128 at 576.
    constexpr size_t kXstateBv = 512, kYmmHigh = 576;
    // Bytes 464-511 are the FXSAVE region's software-defined ones: Linux,
    // and so gdb, keep XCR0 there in a core file.
    constexpr size_t kXcr0InCore = 464;
    constexpr uint64_t kAvx = uint64_t{1} << 2;
    VectorRegisters v;
    v.xsave.assign(KvmCpu::get().xsave_size(), 0);
    if (ioctl(fd_, kKvmGetXsave2, v.xsave.data()) < 0)
        throw_kvm_failure("KVM_GET_XSAVE2");
    std::memcpy(v.fxsave.data(), v.xsave.data(), v.fxsave.size());
    std::memcpy(v.xsave.data() + kXcr0InCore, &xcr0_, sizeof xcr0_);
    if ((xcr0_ & kAvx) && v.xsave.size() >= kYmmHigh + 256) {
        uint64_t present = 0;
        std::memcpy(&present, v.xsave.data() + kXstateBv, sizeof present);
        v.ymm_high.emplace();   // a component not present is in its initial state: zeros
        if (present & kAvx)
            std::memcpy(v.ymm_high->data(), v.xsave.data() + kYmmHigh, v.ymm_high->size());
    }
    return v;
}

VcpuState KvmVcpu::save_state()
{
    const size_t xsave_size = KvmCpu::get().xsave_size();
    SavedHeader s{};
    s.xcr0 = xcr0_;
    s.xsave_size = xsave_size;
    if (pending_out_) {
        s.stopped_at_out = 1;
        s.out_rip = pending_out_registers().rip;
    }
    complete_pending_io(); // also applies any registers restore_state left for the next entry
    if (ioctl(fd_, KVM_GET_REGS, &s.regs) < 0)
        throw_kvm_failure("KVM_GET_REGS");
    if (ioctl(fd_, KVM_GET_SREGS, &s.sregs) < 0)
        throw_kvm_failure("KVM_GET_SREGS");
    std::vector<uint8_t> xsave(xsave_size, 0);
    if (ioctl(fd_, kKvmGetXsave2, xsave.data()) < 0)
        throw_kvm_failure("KVM_GET_XSAVE2");
    mark_all_present(xsave, xcr0_);
    VcpuState state;
    state.resume_at = guest_addr(s.regs.rip);
    state.bytes.resize(sizeof s + xsave_size);
    std::memcpy(state.bytes.data(), &s, sizeof s);
    std::memcpy(state.bytes.data() + sizeof s, xsave.data(), xsave_size);
    return state;
}

void KvmVcpu::restore_state(const VcpuState& state, FpuRestore fpu)
{
    SavedHeader s;
    if (state.bytes.size() < sizeof s)
        throw KvmError("vCPU state of the wrong size: not saved by this backend");
    std::memcpy(&s, state.bytes.data(), sizeof s);
    if (s.xsave_size != KvmCpu::get().xsave_size() || state.bytes.size() != sizeof s + s.xsave_size)
        throw KvmError("vCPU state of the wrong size: not saved by this backend");
    // Each ioctl is a trip through the (nested) hypervisor, so two are saved
    // where that changes nothing in the state the guest resumes with.
    //
    // The `out` the guest is stopped at completes on the next entry: RIP moves
    // past it and RFLAGS stay as they were at it, whatever registers are set
    // now. When it is the very `out` this state was saved at, with the same
    // RFLAGS, that lands on the saved RIP and RFLAGS (the text is read-only, so
    // it is the same instruction): the next entry may complete it.
    bool same_out = false;
    if (pending_out_ && s.stopped_at_out && sync_registers_supported()) {
        const PendingOut& at = pending_out_registers();
        same_out = at.rip == s.out_rip && at.rflags == s.regs.rflags;
    }
    if (!same_out && exit_pending_)
        complete_pending_io(); // finish what the last exit left pending, then overwrite
    // XCR0 only changes by xsetbv, which faults at CPL3: set it only for a
    // state saved with another.
    if (s.xcr0 != xcr0_)
        set_xcr0(s.xcr0);
    if (fpu == FpuRestore::Load)
        set_xstate(state.bytes.data() + sizeof s);
    if (sync_registers_supported()) {
        // Regs and sregs go to the next KVM_RUN, which applies them on entry.
        run_->s.regs.regs = s.regs;
        run_->s.regs.sregs = s.sregs;
        run_->kvm_dirty_regs |= KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
        return;
    }
    if (ioctl(fd_, KVM_SET_SREGS, &s.sregs) < 0)
        throw_kvm_failure("KVM_SET_SREGS");
    if (ioctl(fd_, KVM_SET_REGS, &s.regs) < 0)
        throw_kvm_failure("KVM_SET_REGS");
}

} // namespace hl
