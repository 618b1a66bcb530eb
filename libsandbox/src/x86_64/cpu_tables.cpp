// GDT, IDT, TSS and fault stubs for the CPL3 guest (see cpu_tables.hpp).
#include "x86_64/cpu_tables.hpp"

#include <hl/abi.h>

#include <cstring>

namespace hl::cpu {
namespace {

void store64(std::span<uint8_t> memory, uint64_t address, uint64_t value)
{
    std::memcpy(memory.data() + address, &value, sizeof value);
}

// Accessed bits are preset: the CPU would otherwise write them on the first
// segment load, and the GDT is a supervisor page it should not need to touch.
constexpr uint64_t kKernelCode64 = 0x00af'9b00'0000'ffffull;
constexpr uint64_t kKernelData = 0x00cf'9300'0000'ffffull;
constexpr uint64_t kUserCode64 = 0x00af'fb00'0000'ffffull;
constexpr uint64_t kUserData = 0x00cf'f300'0000'ffffull;

void write_gdt(std::span<uint8_t> memory)
{
    const uint64_t gdt = HL_GDT_ADDR;
    store64(memory, gdt + 0x00, 0);
    store64(memory, gdt + 0x08, kKernelCode64);
    store64(memory, gdt + 0x10, kKernelData);
    store64(memory, gdt + 0x18, kUserCode64);
    store64(memory, gdt + 0x20, kUserData);
    // 64-bit TSS descriptor (16 bytes), type 0xB = busy, as after LTR.
    const uint64_t base = HL_TSS_ADDR;
    const uint64_t low = (kTssLimit & 0xffff) | ((base & 0xffffff) << 16) | (0xbull << 40) |
                         (1ull << 47) | (((uint64_t)kTssLimit >> 16 & 0xf) << 48) |
                         ((base >> 24 & 0xff) << 56);
    store64(memory, gdt + 0x28, low);
    store64(memory, gdt + 0x30, base >> 32);
}

void write_idt(std::span<uint8_t> memory)
{
    for (unsigned vector = 0; vector < kVectors; ++vector) {
        const uint64_t handler = HL_STUBS_ADDR + vector * kStubSize;
        // DPL 0 keeps `int n` from user code out of the gates (it raises #GP
        // instead); exceptions ignore the gate DPL. #BP and #OF use DPL 3 so
        // that int3 and into report as themselves.
        const uint64_t dpl = (vector == 3 || vector == 4) ? 3 : 0;
        const uint64_t ist = 1;
        const uint64_t low = (handler & 0xffff) | ((uint64_t)kUserCodeSelector << 16) |
                             (ist << 32) | (0xeull << 40) /* interrupt gate */ |
                             (dpl << 45) | (1ull << 47) | ((handler >> 16 & 0xffff) << 48);
        store64(memory, HL_IDT_ADDR + vector * 16, low);
        store64(memory, HL_IDT_ADDR + vector * 16 + 8, handler >> 32);
    }
}

void write_tss(std::span<uint8_t> memory)
{
    std::memset(memory.data() + HL_TSS_ADDR, 0, kTssLimit + 1);
    const uint64_t ist_top = HL_IST_STACK_ADDR + HL_IST_STACK_SIZE;
    std::memcpy(memory.data() + HL_TSS_ADDR + 4, &ist_top, 8);    // RSP0, never used
    std::memcpy(memory.data() + HL_TSS_ADDR + 0x24, &ist_top, 8); // IST1
    // The I/O permission bitmap opens exactly the hl ports to CPL3: a set bit
    // denies a port, and ports past the TSS limit are denied too.
    const uint16_t bitmap_offset = kTssIoBitmapOffset;
    std::memcpy(memory.data() + HL_TSS_ADDR + 0x66, &bitmap_offset, 2);
    uint8_t* bitmap = memory.data() + HL_TSS_ADDR + bitmap_offset;
    std::memset(bitmap, 0xff, kTssIoBitmapBytes + 1); // +1: the terminating all-ones byte
    for (unsigned port = HL_PORT_BASE; port < HL_PORT_BASE + HL_CALL_COUNT; ++port)
        bitmap[port / 8] &= static_cast<uint8_t>(~(1u << (port % 8)));
}

void write_stubs(std::span<uint8_t> memory)
{
    static_assert(HL_FAULT_REPORT_ADDR < 0x80000000u, "absolute 32-bit addressing below");
    const uint32_t report = HL_FAULT_REPORT_ADDR;
    for (unsigned vector = 0; vector < kVectors; ++vector) {
        const uint8_t stub[kStubSize] = {
            0x50,                                     // push %rax
            0x52,                                     // push %rdx
            0xb8, (uint8_t)vector, 0, 0, 0,           // mov $vector, %eax
            0x89, 0x04, 0x25,                         // mov %eax, HL_FAULT_REPORT_ADDR
            (uint8_t)report, (uint8_t)(report >> 8), (uint8_t)(report >> 16), (uint8_t)(report >> 24),
            0x0f, 0x0b};                              // ud2: the host never resumes
        std::memcpy(memory.data() + HL_STUBS_ADDR + vector * kStubSize, stub, kStubSize);
    }
    const uint32_t syscall_report = HL_SYSCALL_REPORT_ADDR;
    const uint8_t syscall_stub[kStubSize] = {
        0x89, 0x04, 0x25,                         // mov %eax, HL_SYSCALL_REPORT_ADDR
        (uint8_t)syscall_report, (uint8_t)(syscall_report >> 8), (uint8_t)(syscall_report >> 16),
        (uint8_t)(syscall_report >> 24),
        0x0f, 0x0b,                               // ud2: the host resumes at the caller or not at all
        0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc};
    std::memcpy(memory.data() + kSyscallStub, syscall_stub, kStubSize);
}

struct VectorInfo {
    const char* mnemonic;
    const char* name;
    bool error_code;
};

constexpr VectorInfo kVectorInfo[kVectors] = {
    {"#DE", "divide error", false},       {"#DB", "debug", false},
    {"NMI", "non-maskable interrupt", false}, {"#BP", "breakpoint", false},
    {"#OF", "overflow", false},           {"#BR", "bound range exceeded", false},
    {"#UD", "invalid opcode", false},     {"#NM", "device not available", false},
    {"#DF", "double fault", true},        {"#09", "coprocessor segment overrun", false},
    {"#TS", "invalid TSS", true},         {"#NP", "segment not present", true},
    {"#SS", "stack-segment fault", true}, {"#GP", "general protection fault", true},
    {"#PF", "page fault", true},          {"#15", "reserved vector 15", false},
    {"#MF", "x87 floating-point error", false}, {"#AC", "alignment check", true},
    {"#MC", "machine check", false},      {"#XM", "SIMD floating-point exception", false},
    {"#VE", "virtualization exception", false}, {"#CP", "control protection", true},
    {"#22", "reserved vector 22", false}, {"#23", "reserved vector 23", false},
    {"#24", "reserved vector 24", false}, {"#25", "reserved vector 25", false},
    {"#26", "reserved vector 26", false}, {"#27", "reserved vector 27", false},
    {"#HV", "hypervisor injection", false}, {"#VC", "VMM communication", true},
    {"#SX", "security exception", true},  {"#31", "reserved vector 31", false},
};

} // namespace

void write_cpu_tables(std::span<uint8_t> memory)
{
    write_gdt(memory);
    write_idt(memory);
    write_tss(memory);
    write_stubs(memory);
}

uint64_t report_rip(unsigned vector)
{
    if (vector == kSyscallVector)
        return kSyscallStub + 7;
    return HL_STUBS_ADDR + vector * kStubSize + 14;
}

bool vector_has_error_code(unsigned vector) { return vector < kVectors && kVectorInfo[vector].error_code; }
const char* vector_mnemonic(unsigned vector)
{
    if (vector == kSyscallVector)
        return "SYSCALL";
    return vector < kVectors ? kVectorInfo[vector].mnemonic : "#??";
}

const char* vector_name(unsigned vector)
{
    if (vector == kSyscallVector)
        return "system call instruction";
    return vector < kVectors ? kVectorInfo[vector].name : "unknown vector";
}

} // namespace hl::cpu
