// aarch64 guest exceptions: the stubs' state decoded, and the one-line
// description (see guest_fault.hpp).
#include "aarch64/guest_fault.hpp"

#include "aarch64/exception_syndrome.hpp"
#include "aarch64/exception_vectors.hpp"
#include "fault_place.hpp"

#include <hl/units.hpp>

#include <cstring>

namespace hl::aarch64 {
namespace {

// The stub's pushes of x0 and x1 are on the EL1 stack from after its first
// instruction (stp) to before its last two (ldp, eret).
constexpr uint64_t kPushedFrom = 4, kPushedUntil = 16;

} // namespace

Registers registers_at_fault(unsigned slot, const Registers& r, const GuestMemory& memory)
{
    Registers at = r;
    at.pc = r.elr_el1;
    at.pstate = r.spsr_el1 & kEl0PstateBits;
    if (!slot_saves_registers(slot))
        return at;
    // Stopped in the stub (a timeout, a cancel) before its push or after its pop: x0 and x1 are live.
    const uint64_t stub = HL_AARCH64_VECTORS_ADDR + slot * kVectorSlotSize;
    if (r.pc >= stub && r.pc < stub + kVectorSlotSize && (r.pc - stub < kPushedFrom || r.pc - stub > kPushedUntil))
        return at;
    // Safety: the EL1 stack is out of the guest's reach (so no guest view
    // reads it), and SP_EL1 is the stub's, below kEl1StackTop; the range is
    // checked against memory all the same.
    const std::span<const uint8_t> bytes = memory.host_view();
    if (bytes.size() < 16 || r.sp_el1 > bytes.size() - 16)
        return at;
    std::memcpy(&at.x[0], bytes.data() + r.sp_el1, 8);
    std::memcpy(&at.x[1], bytes.data() + r.sp_el1 + 8, 8);
    return at;
}

GuestFault read_guest_fault(unsigned slot, const Registers& r, const GuestMemory& memory, const Image& image)
{
    GuestFault fault;
    switch (slot_kind(slot)) {
    case VectorKind::Synchronous: fault.vector = exception_class(r.esr_el1); break;
    case VectorKind::Irq: fault.vector = ec::kIrq; break;
    case VectorKind::Fiq: fault.vector = ec::kFiq; break;
    case VectorKind::SError: fault.vector = ec::kSError; break;
    }
    fault.error_code = slot_kind(slot) == VectorKind::Irq || slot_kind(slot) == VectorKind::Fiq ? 0 : r.esr_el1;
    if (is_abort(fault.vector) && decode_abort(r.esr_el1).address_valid)
        fault.address = r.far_el1;
    const Registers at = registers_at_fault(slot, r, memory);
    fault.rip = at.pc;
    fault.where = image.symbolize(at.pc).value_or(format_hex(at.pc));
    fault.registers = named_registers(at);
    return fault;
}

std::vector<std::pair<const char*, uint64_t>> named_registers(const Registers& r)
{
    static constexpr const char* kNames[31] = {
        "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
        "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
        "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30"};
    std::vector<std::pair<const char*, uint64_t>> named;
    named.reserve(34);
    for (size_t i = 0; i < r.x.size(); ++i)
        named.emplace_back(kNames[i], r.x[i]);
    named.emplace_back("sp", r.sp);
    named.emplace_back("pc", r.pc);
    named.emplace_back("pstate", r.pstate);
    return named;
}

std::string describe_guest_fault(const GuestFault& f, const Layout& layout)
{
    std::string text = class_name(f.vector) + " (" + class_mnemonic(f.vector) + ") at " + f.where;
    if (f.where.rfind("0x", 0) != 0)
        text += " (" + format_hex(f.rip) + ")";
    if (is_abort(f.vector)) {
        const Abort abort = decode_abort(f.error_code);
        const bool fetch = f.vector == ec::kInstructionAbortLower || f.vector == ec::kInstructionAbortSame;
        const char* access = fetch ? "execute at " : abort.write ? "write to " : "read from ";
        if (!abort.address_valid)
            return text + ": " + (fetch ? "execute" : abort.write ? "write" : "read") +
                   " at an address the CPU did not report";
        if (abort.status == Abort::Status::Alignment)
            return text + ": misaligned " + (abort.write ? "write to " : "read from ") + format_hex(f.address);
        return text + ": " + access + format_hex(f.address) + " (" + fault_place(f.address, layout) + ")";
    }
    switch (f.vector) {
    case ec::kSupervisorCall: return text + ": hl guests make hypercalls, not system calls";
    case ec::kBrk: return text + ": brk #" + format_hex(instruction_immediate(f.error_code));
    case ec::kUnknown:
    case ec::kIrq:
    case ec::kFiq: return text;
    default: return text + ", syndrome " + format_hex(f.error_code);
    }
}

} // namespace hl::aarch64
