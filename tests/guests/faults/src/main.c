/* Test guest: `faults WHAT` misbehaves in the way WHAT names. The host must
 * stop it and report the fault; reaching the end of main is a test failure,
 * except for stack-clash-unprobed, which shows the harm stack-clash probes
 * prevent: a store that lands in the heap without a fault. */
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

/* More than any stack hl gives by default (256Ki; this guest's is 64Ki): a
 * frame this size starts below the stack guard page, in the heap. */
#define CLASH_FRAME (300 * 1024)

/* Built with -fstack-clash-protection (hlbuild's flags), the prologue moves
 * %rsp down one page at a time and touches each page, so the probe that
 * reaches the guard page faults there, before the body runs. Not static, so
 * that gcc keeps its name (no stack_clash.isra.0) for the fault message. */
__attribute__((noinline)) void stack_clash(void)
{
    volatile char frame[CLASH_FRAME];
    /* The array escapes: the compiler must give it its full size. */
    __asm__ volatile("" : : "r"(frame) : "memory");
    frame[0] = 1; /* the lowest byte: 300Ki below the frame's top */
}

/* What the same function compiles to without the probes (gcc and clang alike:
 * `sub $0x4af90, %rsp` then a store near the new %rsp): one jump over the
 * guard page and a store in the heap, which is mapped read-write. Returns
 * where it stored. */
static unsigned long unprobed_frame(void)
{
    unsigned long at;
    __asm__ volatile("sub %1, %%rsp\n\t"
                     "movb $1, (%%rsp)\n\t"
                     "mov %%rsp, %0\n\t"
                     "add %1, %%rsp"
                     : "=r"(at)
                     : "i"(CLASH_FRAME)
                     : "memory");
    return at;
}

/* For core files: a global the guest changes before it faults (the core must
 * show 56, not the file's 42), and a fault two calls deep with a local. */
int core_global = 42;

__attribute__((noinline)) static void crash_in(volatile int level)
{
    volatile int local = level * 7;
    core_global += local;
    *(volatile int *)0 = local;
}

__attribute__((noinline)) static void call_crash(volatile int level)
{
    crash_in(level + 1);
    __asm__ volatile(""); /* not a tail call: call_crash keeps its frame */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: faults null-write|write-text|write-rodata|exec-stack|ud2|div0|stack-overflow|"
                        "stack-clash|stack-clash-unprobed|loop|abort|abort-bytes|nested|vector\n");
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
    } else if (strcmp(what, "stack-clash") == 0) {
        stack_clash();
    } else if (strcmp(what, "stack-clash-unprobed") == 0) {
        const struct hl_boot_info *boot = hl_boot_info();
        const unsigned long at = unprobed_frame();
        const int in_heap = at >= boot->heap_start && at - boot->heap_start < boot->heap_size;
        fprintf(stderr, "faults: stack-clash-unprobed stored %s, past the stack guard page\n",
                in_heap ? "in the heap" : "outside the heap");
    } else if (strcmp(what, "nested") == 0) {
        call_crash(1);
    } else if (strcmp(what, "vector") == 0) {
        /* ymm1 all 0x1122334455667788 (AVX), then a fault: its core holds them. */
        static const uint64_t pattern = 0x1122334455667788ull;
        __asm__ volatile("vbroadcastsd %0, %%ymm1" : : "m"(pattern) : "xmm1");
        *(volatile int *)0 = 1;
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
