/* Private hooks between the tiny libc's start-up (crt0, start.c) and the
 * rest of it; not installed. */
#ifndef HL_TINY_INTERNAL_H
#define HL_TINY_INTERNAL_H

#include <stdint.h>

/* Gives malloc its heap: [start, start + size). Called once before main. */
void __hl_malloc_init(uint64_t start, uint64_t size);

/* Runs the .fini_array destructors; called once by exit(). */
void __hl_run_destructors(void);

/* Buffers stdout by the boot info's flags: line by line on a terminal
 * (HL_BOOT_STDOUT_TERMINAL), in 16 KiB blocks otherwise. Called once before
 * the constructors. */
void __hl_stdio_init(uint32_t boot_flags);

/* Ends the guest with hl_abort(msg), writing out buffered output first, as
 * abort(), a failed assert and the libc's own checks do. */
_Noreturn void __hl_fail(const char *msg);

#endif
