// The x86-64 register state a guest boots in, as plain values: 64-bit mode,
// paging on, CPL3 segments, the host's GDT/IDT/TSS, the features of
// cpu_features.hpp, `syscall` aimed at its stub. Pure: a backend turns it
// into its own structures (kvm/kvm_vcpu_boot_x86_64.cpp).
#pragma once

#include "backend.hpp"
#include "x86_64/cpu_features.hpp"

#include <array>
#include <cstdint>

namespace hl::cpu {

struct SegmentRegister {
    uint64_t base = 0;
    uint32_t limit = 0;
    uint16_t selector = 0;
    uint8_t type = 0;
    bool present = false;
    uint8_t dpl = 0;
    bool db = false;   // default operand size 32 (data: big)
    bool s = false;    // code or data, not system
    bool l = false;    // 64-bit code
    bool g = false;    // limit in pages
};

struct TableRegister {
    uint64_t base = 0;
    uint16_t limit = 0;
};

struct Msr {
    uint32_t index = 0;
    uint64_t value = 0;
};

struct BootRegisters {
    SegmentRegister cs, ss, ds, es, fs, gs, tr;
    TableRegister gdt, idt;
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
    uint64_t rip = 0, rsp = 0, rdi = 0, rflags = 0;
    std::array<Msr, 4> msrs{};   // STAR, LSTAR, CSTAR, SFMASK
    uint64_t xcr0 = 0;
};

BootRegisters boot_registers(const BootState& state, const GuestFeatures& features);

} // namespace hl::cpu
