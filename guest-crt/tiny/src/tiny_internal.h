/* Private hooks between the tiny libc's start-up (crt0, start.c) and the
 * rest of it; not installed. */
#ifndef HL_TINY_INTERNAL_H
#define HL_TINY_INTERNAL_H

#include <stdint.h>

/* Gives malloc its heap: [start, start + size). Called once before main. */
void __hl_malloc_init(uint64_t start, uint64_t size);

/* Runs the .fini_array destructors; called once by exit(). */
void __hl_run_destructors(void);

#endif
