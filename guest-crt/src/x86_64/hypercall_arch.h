/* The x86-64 hypercall instruction, for crt_internal.h: one `out` of the
 * 32-bit value to port HL_PORT_BASE + number (hl-abi(7), "Hypercalls"). */
#ifndef HL_HYPERCALL_ARCH_H
#define HL_HYPERCALL_ARCH_H

#include <hl/abi.h>
#include <stdint.h>

/* Where hypercall `number` goes: its port. */
static inline uintptr_t __hl_hypercall_target(uint32_t number)
{
    return HL_PORT_BASE + number;
}

static inline void __hl_hypercall(uint32_t number, uint32_t value)
{
    /* "memory": the host reads and writes guest memory around the exit. */
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"((uint16_t)__hl_hypercall_target(number)) : "memory");
}

#endif
