/* Private hooks between hl's layer (hypercalls, calls, host functions) and
 * the C library it is linked with, the tiny one (tiny/) or musl (musl/);
 * not installed. */
#ifndef HL_CRT_INTERNAL_H
#define HL_CRT_INTERNAL_H

#include <stdint.h>

/* The hypercall instruction of the architecture built for, from its own
 * directory (src/x86_64/, src/aarch64/): __hl_hypercall(number, value) makes
 * hypercall `number` (HL_CALL_*) with its 32-bit value, and
 * __hl_hypercall_target(number) is where it goes (a port, or an address on
 * the hypercall page). */
#include "hypercall_arch.h"

/* The hypercall hl_serve waits at (serve_wait.S, one per architecture), to
 * `target` = __hl_hypercall_target(HL_CALL_READY or HL_CALL_RETURN). On
 * x86-64, RFLAGS are fixed before it and a clean FPU is loaded after it. */
void __hl_serve_wait(uintptr_t target, uint32_t value);

/* Writes out what stdio holds buffered; hl_serve calls it before it reports
 * ready and after each call. Each C library provides it. */
void __hl_stdio_flush(void);

#endif
