/* Test guest: a function of every type the ABI carries, a counter that keeps
 * state between calls, and exports that fault or never return. */
#include <hl/guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t counter;
static char text[HL_VALUE_MAX];
static char text_copy[HL_VALUE_MAX];

HL_EXPORT(int64_t, add, (int64_t, a), (int64_t, b)) { return a + b; }
HL_EXPORT(int32_t, negate, (int32_t, x)) { return -x; }
HL_EXPORT(uint64_t, twice, (uint64_t, x)) { return x * 2; }
HL_EXPORT(double, scale, (double, x), (double, factor)) { return x * factor; }
HL_EXPORT(bool, is_even, (int64_t, x)) { return x % 2 == 0; }
HL_EXPORT(uint64_t, length, (hl_string, s)) { return s.len; }

HL_EXPORT(hl_string, greet, (hl_string, name))
{
    const int n = snprintf(text, sizeof text, "hello, %.*s!", (int)name.len, name.ptr);
    return (hl_string){text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1};
}

/* Returns its input unchanged: round trips of any size up to HL_VALUE_MAX. */
HL_EXPORT(hl_string, echo, (hl_string, s))
{
    memcpy(text, s.ptr, s.len);
    return (hl_string){text, s.len};
}

/* A string with a NUL inside: a string is its bytes, not a C string. */
HL_EXPORT(hl_string, with_nul) { return (hl_string){"before\0after", 12}; }

HL_EXPORT(hl_bytes, reverse, (hl_bytes, data))
{
    const unsigned char *in = data.ptr;
    for (size_t i = 0; i < data.len; i++)
        text[i] = (char)in[data.len - 1 - i];
    return (hl_bytes){text, data.len};
}

HL_EXPORT(int64_t, sum8, (int32_t, a), (int64_t, b), (uint64_t, c), (bool, d), (int32_t, e), (int64_t, f),
          (uint64_t, g), (int64_t, h))
{
    return a + b + (int64_t)c + d + e + f + (int64_t)g + h;
}

HL_EXPORT(int64_t, next) { return ++counter; }
HL_EXPORT(void, reset) { counter = 0; }
HL_EXPORT(void, crash) { *(volatile int *)0 = 1; }
HL_EXPORT(void, spin) { for (;;) __asm__ volatile(""); }
HL_EXPORT(void, say, (hl_string, s)) { printf("%.*s\n", (int)s.len, s.ptr); }

int main(int argc, char **argv)
{
    counter = 100; /* initialisation the snapshot keeps */
    /* An initialisation that never ends, for tests of what stops it: run
     * from a file whose name says so (hlrun serve passes no arguments but
     * the image's path). */
    if (argc > 0 && strstr(argv[0], "never-ready"))
        for (;;)
            ;
    hl_serve();
}

/* Host functions the tests register (and two they do not, or differently). */
HL_HOST_FN(int64_t, mul, (int64_t, a), (int64_t, b));
HL_HOST_FN(hl_string, shout, (hl_string, text));
HL_HOST_FN(hl_bytes, host_bytes, (uint64_t, count));
HL_HOST_FN(void, note, (hl_string, text));
HL_HOST_FN(int64_t, fail, (int64_t, x));
HL_HOST_FN(double, missing);
HL_HOST_FN(int64_t, mismatched, (hl_string, s));

HL_EXPORT(int64_t, use_mul, (int64_t, a), (int64_t, b))
{
    int64_t product = 0;
    const int status = mul(&product, a, b);
    return status ? status : product;
}

HL_EXPORT(hl_string, use_shout, (hl_string, text))
{
    hl_string loud;
    if (shout(&loud, text) != 0)
        return hl_str(hl_host_error());
    memcpy(text_copy, loud.ptr, loud.len);
    return (hl_string){text_copy, loud.len};
}

HL_EXPORT(uint64_t, use_host_bytes, (uint64_t, count))
{
    hl_bytes bytes;
    if (host_bytes(&bytes, count) != 0)
        return (uint64_t)-1;
    uint64_t sum = 0;
    for (size_t i = 0; i < bytes.len; i++)
        sum += ((const unsigned char *)bytes.ptr)[i];
    return sum + bytes.len * 1000000;
}

HL_EXPORT(void, use_note, (hl_string, text)) { note(text); }

/* "STATUS: ERROR" for the host call named by which. */
HL_EXPORT(hl_string, host_failure, (hl_string, which))
{
    int status = 0;
    int64_t i64;
    double f64;
    if (which.len == 4 && memcmp(which.ptr, "fail", 4) == 0)
        status = fail(&i64, 1);
    else if (which.len == 7 && memcmp(which.ptr, "missing", 7) == 0)
        status = missing(&f64);
    else
        status = mismatched(&i64, hl_str("x"));
    const int n = snprintf(text_copy, sizeof text_copy, "%d: %s", status, hl_host_error());
    return (hl_string){text_copy, (size_t)n};
}

/* Adds one to a byte of each of `pages` pages, at most 1024 (more than a
 * KVM dirty ring holds between collections): the dirty-page benchmarks and
 * tests; scratch_sum says what a restore left. */
#define SCRATCH_PAGES 1024
static unsigned char scratch[SCRATCH_PAGES * HL_PAGE_SIZE] __attribute__((aligned(HL_PAGE_SIZE)));
HL_EXPORT(uint64_t, touch, (uint64_t, pages))
{
    for (uint64_t i = 0; i < pages && i < SCRATCH_PAGES; i++)
        scratch[i * HL_PAGE_SIZE] = (unsigned char)(scratch[i * HL_PAGE_SIZE] + 1);
    return pages < SCRATCH_PAGES ? pages : SCRATCH_PAGES;
}

HL_EXPORT(uint64_t, scratch_sum)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < SCRATCH_PAGES; i++)
        sum += scratch[i * HL_PAGE_SIZE];
    return sum;
}

HL_EXPORT(void, quit, (int32_t, status)) { exit(status); }

/* Register hygiene between calls (hl-abi(7), "Fresh calls"). fpu_state packs
 * the floating-point control (x86-64: MXCSR and the x87 control word;
 * aarch64: FPCR) and the low half of vector register 7; dirty_fpu changes
 * them, and every next call must start without those changes. */
#if defined(__x86_64__)
HL_EXPORT(uint64_t, fpu_state)
{
    uint32_t mxcsr;
    uint16_t fcw;
    uint64_t xmm7;
    __asm__ volatile("stmxcsr %0; fnstcw %1; movq %%xmm7, %2" : "=m"(mxcsr), "=m"(fcw), "=r"(xmm7));
    return (uint64_t)mxcsr << 48 | (uint64_t)fcw << 32 | (uint32_t)xmm7;
}
HL_EXPORT(void, dirty_fpu)
{
    const uint32_t mxcsr = 0x7f80; /* round toward zero */
    const uint16_t fcw = 0x027f;   /* 53-bit precision */
    const uint64_t pattern = 0xdeadbeef;
    __asm__ volatile("ldmxcsr %0; fldcw %1; movq %2, %%xmm7" : : "m"(mxcsr), "m"(fcw), "r"(pattern) : "xmm7");
}
HL_EXPORT(uint64_t, entry_flags)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    return flags;
}

/* Hostile returns: the return hypercall made from the `out` hl_serve waits
 * at but with the direction flag set, or from an `out` of the export's own.
 * A host that let either `out` complete into a restored state would resume
 * the next call with DF set, or inside this export. */
void __hl_serve_wait(uint32_t port, uint32_t value);
HL_EXPORT(void, return_with_flags)
{
    const unsigned char *out = (const unsigned char *)(uintptr_t)__hl_serve_wait;
    while (*out != 0xef) /* outl %eax, (%dx) */
        out++;
    __asm__ volatile("pushq $0x402; popfq; jmp *%0" : : "r"(out), "a"(0), "d"(HL_PORT_BASE + HL_CALL_RETURN) : "memory");
    __builtin_unreachable();
}
HL_EXPORT(int64_t, return_elsewhere)
{
    __asm__ volatile("outl %%eax, %%dx" : : "a"(0), "d"(HL_PORT_BASE + HL_CALL_RETURN) : "memory");
    return 7; /* reached only by a guest resumed here */
}
#elif defined(__aarch64__)
HL_EXPORT(uint64_t, fpu_state)
{
    uint64_t fpcr, v7;
    __asm__ volatile("mrs %0, fpcr; fmov %1, d7" : "=r"(fpcr), "=r"(v7));
    return fpcr << 32 | (uint32_t)v7;
}
HL_EXPORT(void, dirty_fpu)
{
    const uint64_t fpcr = 3u << 22; /* RMode: round toward zero */
    const uint64_t pattern = 0xdeadbeef;
    __asm__ volatile("msr fpcr, %0; fmov d7, %1" : : "r"(fpcr), "r"(pattern) : "v7");
}
/* Both in one export, for a host that can only repeat one call (hlrun call
 * --repeat 2): the second call's state must be the first's, untouched by the
 * dirt the first call left, whether the state is kept or fresh. */
HL_EXPORT(uint64_t, fpu_then_dirty)
{
    const uint64_t state = fpu_state();
    dirty_fpu();
    return state;
}
HL_EXPORT(uint64_t, entry_flags)
{
    uint64_t nzcv;
    __asm__ volatile("mrs %0, nzcv" : "=r"(nzcv));
    return nzcv;
}
#endif

/* Empty values with no address at all: a length of 0 needs none. */
HL_EXPORT(hl_string, empty_string) { return (hl_string){NULL, 0}; }
HL_EXPORT(hl_bytes, empty_bytes) { return (hl_bytes){NULL, 0}; }
HL_HOST_FN(uint64_t, sizes, (hl_string, text), (hl_bytes, data));
HL_EXPORT(int64_t, pass_empty)
{
    uint64_t total = 99;
    const int status = sizes(&total, (hl_string){NULL, 0}, (hl_bytes){NULL, 0});
    return status ? status : (int64_t)total;
}

/* Endless calls that first tell their host they run, so that a cancel can be
 * made while the call is known to be under way: by a host function, or after
 * the output the host waits for. */
HL_HOST_FN(void, running);
HL_EXPORT(void, call_then_spin)
{
    running();
    for (;;) __asm__ volatile("");
}
HL_EXPORT(void, say_then_spin)
{
    hl_write(1, "spinning\n", 9);
    for (;;) __asm__ volatile("");
}
