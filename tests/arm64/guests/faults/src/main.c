/* aarch64 test guest: `faults WHAT` misbehaves in the way WHAT names, with
 * aarch64's own instructions where that is the point (tests/guests/faults is
 * the x86-64 one). The host must stop it and say what it did; reaching the
 * end of main is a test failure. */
#include <hl/guest.h>
#include <stdio.h>
#include <string.h>

static const unsigned char rodata_byte = 1;

#pragma GCC diagnostic ignored "-Winfinite-recursion"

__attribute__((noinline)) static int recurse(volatile int depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    return recurse(depth + 1) + frame[0];
}

/* More than this guest's 64Ki stack: built with -fstack-clash-protection
 * and hl's 4 KiB probe interval (hlbuild's flags), the prologue touches each
 * page as it moves sp down, so the probe that reaches the guard page faults
 * there instead of the body storing into the heap. */
#define CLASH_FRAME (300 * 1024)
__attribute__((noinline)) void stack_clash(void)
{
    volatile char frame[CLASH_FRAME];
    __asm__ volatile("" : : "r"(frame) : "memory");
    frame[0] = 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: faults null-write|write-text|write-rodata|exec-stack|udf|brk|svc|hvc|wfi|"
                        "read-vectors|stack-overflow|stack-clash|misaligned|misaligned-pc|loop|abort\n");
        return 2;
    }
    const char *what = argv[1];
    fflush(stdout);
    if (strcmp(what, "null-write") == 0) {
        *(volatile int *)0 = 1;
    } else if (strcmp(what, "write-text") == 0) {
        *(volatile unsigned *)(void *)&main = 0xd503201f;   /* nop */
    } else if (strcmp(what, "write-rodata") == 0) {
        *(volatile unsigned char *)&rodata_byte = 0;
    } else if (strcmp(what, "exec-stack") == 0) {
        unsigned code[4] = {0xd65f03c0};                     /* ret */
        ((void (*)(void))(void *)code)();
    } else if (strcmp(what, "udf") == 0) {
        __asm__ volatile("udf #0");
    } else if (strcmp(what, "brk") == 0) {
        __asm__ volatile("brk #0x42");
    } else if (strcmp(what, "svc") == 0) {
        __asm__ volatile("mov x8, #64\n\tsvc #0" : : : "x8", "x0", "memory");
    } else if (strcmp(what, "hvc") == 0) {
        __asm__ volatile("hvc #0");                          /* undefined at EL0 */
    } else if (strcmp(what, "wfi") == 0) {
        __asm__ volatile("wfi");
    } else if (strcmp(what, "read-vectors") == 0) {
        printf("%u\n", *(volatile unsigned *)(unsigned long)HL_AARCH64_VECTORS_ADDR);
    } else if (strcmp(what, "stack-overflow") == 0) {
        recurse(0);
    } else if (strcmp(what, "stack-clash") == 0) {
        stack_clash();
    } else if (strcmp(what, "misaligned") == 0) {
        /* Exclusive accesses must be aligned even where others need not be. */
        static unsigned long words[2];
        unsigned long value;
        __asm__ volatile("ldxr %0, [%1]" : "=r"(value) : "r"((char *)words + 1) : "memory");
    } else if (strcmp(what, "misaligned-pc") == 0) {
        void (*halfway)(void) = (void (*)(void))((unsigned long)(void *)&main + 2);
        halfway();
    } else if (strcmp(what, "loop") == 0) {
        for (;;)
            __asm__ volatile("");
    } else if (strcmp(what, "abort") == 0) {
        hl_abort("the guest gave up");
    } else {
        fprintf(stderr, "faults: unknown misbehaviour '%s'\n", what);
        return 2;
    }
    fprintf(stderr, "faults: %s did not fault\n", what);
    return 3;
}
