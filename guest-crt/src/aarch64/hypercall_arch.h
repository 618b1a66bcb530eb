/* The aarch64 hypercall instruction, for crt_internal.h: aarch64 has no port
 * I/O, so a hypercall is one 32-bit store of its value to
 * HL_AARCH64_HYPERCALL_ADDR + 4 * number, a page with no memory behind it:
 * the store exits to the host as MMIO (hl-abi(7), "aarch64"). */
#ifndef HL_HYPERCALL_ARCH_H
#define HL_HYPERCALL_ARCH_H

#include <hl/abi.h>
#include <stdint.h>

/* Where hypercall `number` goes: its word on the hypercall page. */
static inline uintptr_t __hl_hypercall_target(uint32_t number)
{
    return HL_AARCH64_HYPERCALL_ADDR + 4u * number;
}

static inline void __hl_hypercall(uint32_t number, uint32_t value)
{
    /* Written out rather than left to the compiler: KVM can only emulate a
     * plain `str w` (no writeback, no pair), which is what the syndrome of
     * the exit then describes. "memory": when the guest resumes, the host
     * has read and written guest memory (the request block's results). */
    __asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(__hl_hypercall_target(number)) : "memory");
}

#endif
