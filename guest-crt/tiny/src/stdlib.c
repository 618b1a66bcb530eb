/* stdlib.c: process exit, number parsing and integer helpers of the hl guest libc. */
#include <ctype.h>
#include <errno.h>
#include <hl/guest.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "crt_internal.h"
#include "tiny_internal.h"

int errno;

void exit(int status)
{
    static int exiting;
    /* A destructor that calls exit() must not run the destructors again. */
    if (!exiting) {
        exiting = 1;
        __hl_run_destructors();
    }
    __hl_stdio_flush();
    hl_exit(status);
}

_Noreturn void __hl_fail(const char *msg)
{
    __hl_stdio_flush(); /* keep what the guest printed before it */
    hl_abort(msg);
}

void abort(void)
{
    __hl_fail("abort() called");
}

static int digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Shared by all strto*: parses the magnitude, saturating at UINT64_MAX, and
 * leaves the per-type range check to the caller. long and long long are both
 * 64 bits on x86-64 and aarch64 (LP64), so one engine serves every width. */
static uint64_t parse(const char *s, char **endptr, int base, bool *neg, bool *overflow)
{
    const char *p = s;
    *neg = false;
    *overflow = false;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        if (endptr)
            *endptr = (char *)s;
        return 0;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    /* "0x" counts as a prefix only when a hex digit follows; otherwise the
     * '0' alone is the number and endptr points at the 'x'. */
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }

    const char *digits = p;
    uint64_t v = 0;
    for (int d; (d = digit_value((unsigned char)*p)) < base; p++) {
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            *overflow = true;
        else
            v = v * (uint64_t)base + (uint64_t)d;
    }
    if (p == digits) { /* no digits: nothing was converted */
        *neg = false;
        p = s;
    }
    if (endptr)
        *endptr = (char *)p;
    return v;
}

static int64_t parse_signed(const char *s, char **endptr, int base)
{
    bool neg, overflow;
    uint64_t v = parse(s, endptr, base, &neg, &overflow);
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    if (overflow || v > limit) {
        errno = ERANGE;
        return neg ? INT64_MIN : INT64_MAX;
    }
    return neg ? (int64_t)(0 - v) : (int64_t)v;
}

static uint64_t parse_unsigned(const char *s, char **endptr, int base)
{
    bool neg, overflow;
    uint64_t v = parse(s, endptr, base, &neg, &overflow);
    if (overflow) {
        errno = ERANGE;
        return UINT64_MAX;
    }
    return neg ? 0 - v : v; /* C: "-1" is negated in the unsigned type */
}

long strtol(const char *restrict s, char **restrict endptr, int base)
{
    return parse_signed(s, endptr, base);
}

long long strtoll(const char *restrict s, char **restrict endptr, int base)
{
    return parse_signed(s, endptr, base);
}

unsigned long strtoul(const char *restrict s, char **restrict endptr, int base)
{
    return parse_unsigned(s, endptr, base);
}

unsigned long long strtoull(const char *restrict s, char **restrict endptr, int base)
{
    return parse_unsigned(s, endptr, base);
}

/* Like glibc: atoi truncates strtol's result rather than saturating at int. */
int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }
