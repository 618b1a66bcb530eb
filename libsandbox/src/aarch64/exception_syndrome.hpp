// What an aarch64 exception was, from its syndrome (ESR_EL1) and the vector
// slot that took it: names for messages, and the decoded fields a fault
// report needs. Pure.
#pragma once

#include <cstdint>
#include <string>

namespace hl::aarch64 {

// Exception classes (ESR_ELx.EC) hl names, and two of its own for the
// asynchronous slots, which leave no syndrome (EC is 6 bits: no clash).
namespace ec {
inline constexpr unsigned kUnknown = 0x00;            // an undefined instruction
inline constexpr unsigned kWaitForInterrupt = 0x01;
inline constexpr unsigned kFloatingPointAccess = 0x07;
inline constexpr unsigned kBranchTarget = 0x0d;
inline constexpr unsigned kIllegalState = 0x0e;
inline constexpr unsigned kSupervisorCall = 0x15;     // svc in AArch64
inline constexpr unsigned kSystemRegister = 0x18;
inline constexpr unsigned kSveAccess = 0x19;
inline constexpr unsigned kPointerAuth = 0x1c;
inline constexpr unsigned kInstructionAbortLower = 0x20;
inline constexpr unsigned kInstructionAbortSame = 0x21;
inline constexpr unsigned kPcAlignment = 0x22;
inline constexpr unsigned kDataAbortLower = 0x24;
inline constexpr unsigned kDataAbortSame = 0x25;
inline constexpr unsigned kSpAlignment = 0x26;
inline constexpr unsigned kFloatingPoint = 0x2c;
inline constexpr unsigned kSError = 0x2f;
inline constexpr unsigned kBreakpointLower = 0x30;
inline constexpr unsigned kSoftwareStepLower = 0x32;
inline constexpr unsigned kWatchpointLower = 0x34;
inline constexpr unsigned kBrk = 0x3c;
inline constexpr unsigned kIrq = 0x40;                // hl's: an IRQ was taken
inline constexpr unsigned kFiq = 0x41;                // hl's: an FIQ was taken
} // namespace ec

constexpr unsigned exception_class(uint64_t esr) { return static_cast<unsigned>(esr >> 26) & 0x3f; }

// "DABT" and "data abort"; "EC 0x3b" and "exception class 0x3b" for one hl
// does not name.
std::string class_mnemonic(unsigned exception_class);
std::string class_name(unsigned exception_class);

// An instruction or data abort's syndrome (ISS), decoded.
struct Abort {
    bool write = false;             // data aborts: WnR
    bool address_valid = true;      // FAR_EL1 holds the address (FnV clear)
    enum class Status { Translation, AccessFlag, Permission, Alignment, Other } status = Status::Other;
    unsigned level = 0;             // translation, access flag, permission: the table level
    unsigned fault_status = 0;      // DFSC / IFSC as the CPU reported it
};
bool is_abort(unsigned exception_class);
Abort decode_abort(uint64_t esr);

// The immediate of an `svc` or `brk` (ISS bits 15:0).
constexpr uint16_t instruction_immediate(uint64_t esr) { return static_cast<uint16_t>(esr & 0xffff); }

} // namespace hl::aarch64
