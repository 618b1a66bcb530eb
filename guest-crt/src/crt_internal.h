/* Private hooks between crt0 and the rest of guest-crt; not installed. */
#ifndef HL_CRT_INTERNAL_H
#define HL_CRT_INTERNAL_H

#include <stdint.h>

/* Gives malloc its heap: [start, start + size). Called once before main. */
void __hl_malloc_init(uint64_t start, uint64_t size);

/* One `out` to an hl port: the hypercall instruction itself. */
static inline void __hl_out(uint16_t port, uint32_t value)
{
    /* "memory": the host reads and writes guest memory around the exit. */
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

/* The `out` hl_serve waits at (serve_wait.S): RFLAGS fixed before it, a
 * clean FPU loaded after it. */
void __hl_serve_wait(uint32_t port, uint32_t value);

/* Runs the .fini_array destructors; called once by exit(). */
void __hl_run_destructors(void);

/* Flushes buffered stdout; called by exit() and after main returns. */
void __hl_stdio_flush(void);

#endif
