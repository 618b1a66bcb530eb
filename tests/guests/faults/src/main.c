/* Test guest: `faults WHAT` misbehaves in the way WHAT names. The host must
 * stop it and report the fault; reaching the end of main is a test failure. */
#include <hl/guest.h>
#include <stdio.h>
#include <string.h>

static const unsigned char text_byte = 0xc3;

#pragma GCC diagnostic ignored "-Winfinite-recursion"

__attribute__((noinline)) static int recurse(volatile int depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    return recurse(depth + 1) + frame[0];
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: faults null-write|write-text|exec-stack|ud2|div0|stack-overflow|loop|abort|abort-bytes\n");
        return 2;
    }
    const char *what = argv[1];
    fflush(stdout);
    if (strcmp(what, "null-write") == 0) {
        *(volatile int *)0 = 1;
    } else if (strcmp(what, "write-text") == 0) {
        *(volatile unsigned char *)(void *)&main = 0x90;
    } else if (strcmp(what, "write-rodata") == 0) {
        *(volatile unsigned char *)&text_byte = 0;
    } else if (strcmp(what, "exec-stack") == 0) {
        unsigned char code[16] = {0xc3};
        ((void (*)(void))(void *)code)();
    } else if (strcmp(what, "ud2") == 0) {
        __asm__ volatile("ud2");
    } else if (strcmp(what, "div0") == 0) {
        unsigned zero = 0, quotient;
        /* In asm: the compiler may turn 1 / x into a branch with no division. */
        __asm__ volatile("mov $1, %%eax; xor %%edx, %%edx; div %1" : "=&a"(quotient) : "r"(zero) : "rdx");
        printf("%u\n", quotient);
    } else if (strcmp(what, "stack-overflow") == 0) {
        recurse(0);
    } else if (strcmp(what, "loop") == 0) {
        for (;;)
            __asm__ volatile("");
    } else if (strcmp(what, "abort") == 0) {
        hl_abort("the guest gave up");
    } else if (strcmp(what, "abort-bytes") == 0) {
        /* UTF-8 text, bytes that are not UTF-8, a C1 CSI and an ESC sequence. */
        hl_abort("caf\xc3\xa9 \xff\xfe csi \xc2\x9b" "31m esc \x1b[2J end");
    } else {
        fprintf(stderr, "faults: unknown misbehaviour '%s'\n", what);
        return 2;
    }
    fprintf(stderr, "faults: %s did not fault\n", what);
    return 3;
}
