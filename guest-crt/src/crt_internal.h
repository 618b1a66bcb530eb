/* Private hooks between hl's layer (hypercalls, calls, host functions) and
 * the C library it is linked with, the tiny one (tiny/) or musl (musl/);
 * not installed. */
#ifndef HL_CRT_INTERNAL_H
#define HL_CRT_INTERNAL_H

#include <stdint.h>

/* One `out` to an hl port: the hypercall instruction itself. */
static inline void __hl_out(uint16_t port, uint32_t value)
{
    /* "memory": the host reads and writes guest memory around the exit. */
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

/* The `out` hl_serve waits at (serve_wait.S): RFLAGS fixed before it, a
 * clean FPU loaded after it. */
void __hl_serve_wait(uint32_t port, uint32_t value);

/* Writes out what stdio holds buffered; hl_serve calls it before it reports
 * ready and after each call. Each C library provides it. */
void __hl_stdio_flush(void);

#endif
