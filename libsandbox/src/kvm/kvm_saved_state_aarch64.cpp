// Saved vCPU states on aarch64: adopting one read from a snapshot file (see
// kvm_backend.hpp). It holds only what EL0 can change (kvm_saved_state_aarch64.hpp);
// its PSTATE keeps what EL0 sets itself (kEl0PstateBits) and nothing else.
#include "kvm/kvm_backend.hpp"

#include "aarch64/boot_state.hpp"
#include "aarch64/exception_vectors.hpp"
#include "kvm/kvm_saved_state_aarch64.hpp"

#include <hl/units.hpp>

#include <cstring>

namespace hl {

AdoptedState adopt_saved_state(VcpuState& state, const BootState&)
{
    SavedAarch64State s;
    if (state.bytes.size() != sizeof s)
        return {"the CPU state is " + std::to_string(state.bytes.size()) + " bytes, an aarch64 one " +
                std::to_string(sizeof s)};
    std::memcpy(&s, state.bytes.data(), sizeof s);
    if (s.version != SavedAarch64State::kVersion)
        return {"the CPU state is of version " + std::to_string(s.version) + ", this host reads " +
                std::to_string(SavedAarch64State::kVersion)};
    if (s.pc >> 39)
        return {"the CPU state resumes at " + format_hex(s.pc) + ", outside the guest's 39-bit addresses"};
    s.pstate = (s.pstate & aarch64::kEl0PstateBits) | aarch64::kBootPstate;
    std::memcpy(state.bytes.data(), &s, sizeof s);
    state.resume_at = guest_addr(s.pc);
    return {};
}

} // namespace hl
