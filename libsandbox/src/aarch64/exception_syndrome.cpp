// Exception class names and abort syndromes (see exception_syndrome.hpp).
#include "aarch64/exception_syndrome.hpp"

#include <cstdio>

namespace hl::aarch64 {
namespace {

struct ClassName {
    unsigned exception_class;
    const char* mnemonic;
    const char* name;
};

constexpr ClassName kClasses[] = {
    {ec::kUnknown, "UNDEF", "undefined instruction"},
    {ec::kWaitForInterrupt, "WFx", "trapped wfi or wfe"},
    {ec::kFloatingPointAccess, "FPACC", "floating-point access trap"},
    {ec::kBranchTarget, "BTI", "branch target exception"},
    {ec::kIllegalState, "ILLEGAL", "illegal execution state"},
    {ec::kSupervisorCall, "SVC", "system call"},
    {ec::kSystemRegister, "SYSREG", "system register access"},
    {ec::kSveAccess, "SVEACC", "SVE access trap"},
    {ec::kPointerAuth, "PAC", "pointer authentication failure"},
    {ec::kInstructionAbortLower, "IABT", "instruction abort"},
    {ec::kInstructionAbortSame, "IABT", "instruction abort in hl's vectors"},
    {ec::kPcAlignment, "PCALIGN", "PC alignment fault"},
    {ec::kDataAbortLower, "DABT", "data abort"},
    {ec::kDataAbortSame, "DABT", "data abort in hl's vectors"},
    {ec::kSpAlignment, "SPALIGN", "stack pointer alignment fault"},
    {ec::kFloatingPoint, "FPE", "floating-point exception"},
    {ec::kSError, "SERROR", "system error (SError)"},
    {ec::kBreakpointLower, "HWBP", "hardware breakpoint"},
    {ec::kSoftwareStepLower, "STEP", "software step"},
    {ec::kWatchpointLower, "WATCH", "watchpoint"},
    {ec::kBrk, "BRK", "breakpoint instruction (brk)"},
    {ec::kIrq, "IRQ", "interrupt (IRQ)"},
    {ec::kFiq, "FIQ", "fast interrupt (FIQ)"},
};

const ClassName* find(unsigned exception_class)
{
    for (const ClassName& c : kClasses)
        if (c.exception_class == exception_class)
            return &c;
    return nullptr;
}

std::string hex_class(const char* prefix, unsigned exception_class)
{
    char text[40];
    std::snprintf(text, sizeof text, "%s0x%02x", prefix, exception_class);
    return text;
}

} // namespace

std::string class_mnemonic(unsigned exception_class)
{
    const ClassName* c = find(exception_class);
    return c ? c->mnemonic : hex_class("EC ", exception_class);
}

std::string class_name(unsigned exception_class)
{
    const ClassName* c = find(exception_class);
    return c ? c->name : hex_class("exception class ", exception_class);
}

bool is_abort(unsigned exception_class)
{
    return exception_class == ec::kInstructionAbortLower || exception_class == ec::kInstructionAbortSame ||
           exception_class == ec::kDataAbortLower || exception_class == ec::kDataAbortSame;
}

Abort decode_abort(uint64_t esr)
{
    Abort abort;
    const unsigned status = esr & 0x3f;
    abort.fault_status = status;
    abort.level = status & 3;
    const bool data = exception_class(esr) == ec::kDataAbortLower || exception_class(esr) == ec::kDataAbortSame;
    abort.write = data && (esr & (1u << 6));
    abort.address_valid = !(esr & (1u << 10));
    switch (status >> 2) {
    case 0b0001: abort.status = Abort::Status::Translation; break;
    case 0b0010: abort.status = Abort::Status::AccessFlag; break;
    case 0b0011: abort.status = Abort::Status::Permission; break;
    default:
        abort.status = status == 0b100001 ? Abort::Status::Alignment : Abort::Status::Other;
        abort.level = 0;
    }
    return abort;
}

} // namespace hl::aarch64
