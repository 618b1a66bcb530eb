/* t_printf.c: the "printf" group. Every expected string is what glibc prints
 * for the same call. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static char buf[512];

static void vcheck(const char *expected, const char *fmt, va_list ap)
{
    char what[96];
    memset(buf, 'X', sizeof buf);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    snprintf(what, sizeof what, "\"%s\"", fmt);
    if (check_str(what, buf, expected))
        check_int(what, n, (long long)strlen(expected));
}

/* The format checked by the compiler... */
__attribute__((format(printf, 2, 3))) static void fmt(const char *expected, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vcheck(expected, f, ap);
    va_end(ap);
}

/* ...and not, for the combinations gcc warns about: where one flag overrides
 * another C still defines the output; where C leaves it undefined (0 with %s
 * or %p, + with %p) the expectation is what glibc prints. */
static void fmt_nc(const char *expected, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vcheck(expected, f, ap);
    va_end(ap);
}

/* Opaque to the optimizer, so gcc neither warns about a NULL %s nor folds it. */
__attribute__((noinline)) static void *opaque(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

static void conversions(void)
{
    fmt("0", "%d", 0);
    fmt("-1", "%d", -1);
    fmt("-2147483648", "%d", INT_MIN);
    fmt("2147483647", "%d", INT_MAX);
    fmt("-42", "%i", -42);
    fmt("0", "%u", 0u);
    fmt("4294967295", "%u", UINT_MAX);
    fmt("ff", "%x", 255u);
    fmt("FF", "%X", 255u);
    fmt("ABCDEF", "%X", 0xabcdefu);
    fmt("ffffffff", "%x", (unsigned)-1);
    fmt("10", "%o", 8u);
    fmt("0", "%o", 0u);
    fmt("0", "%x", 0u);
    fmt("A", "%c", 'A');
    fmt("abc", "%c%c%c", 'a', 'b', 'c');
    fmt("hello", "%s", "hello");
    fmt("", "%s", "");
    fmt("%", "%%");
    fmt("100% done", "100%% done");
    fmt("1 two 3 4 %", "%d %s %c %x %%", 1, "two", '3', 4u);
    fmt("no conversions", "no conversions");
}

static void flags_width_precision(void)
{
    fmt("   42", "%5d", 42);
    fmt("42   |", "%-5d|", 42);
    fmt("00042", "%05d", 42);
    fmt("-0042", "%05d", -42);
    fmt("+42", "%+d", 42);
    fmt("-42", "%+d", -42);
    fmt("+0", "%+d", 0);
    fmt(" 42", "% d", 42);
    fmt("-42", "% d", -42);
    fmt("   42", "% 5d", 42);
    fmt("+42   |", "%-+6d|", 42);
    fmt("0xff", "%#x", 255u);
    fmt("0XFF", "%#X", 255u);
    fmt("0", "%#x", 0u);
    fmt("010", "%#o", 8u);
    fmt("0", "%#o", 0u);
    fmt("0x0000ff", "%#08x", 255u);
    fmt("      0xff|", "%#10x|", 255u);
    fmt("0xff      |", "%-#10x|", 255u);
    fmt("007", "%.3d", 7);
    fmt("-007", "%.3d", -7);
    fmt("", "%.0d", 0);
    fmt("     |", "%5.0d|", 0);
    fmt("+", "%+.0d", 0);
    fmt("     042|", "%8.3d|", 42);
    fmt("-042    |", "%-8.3d|", -42);
    fmt("0x0002a", "%#.5x", 42u);
    fmt("", "%#.0x", 0u);
    fmt("0", "%#.0o", 0u);
    fmt("0000000123", "%.10u", 123u);
    fmt("    42", "%*d", 6, 42);
    fmt("42    |", "%*d|", -6, 42);
    fmt("42    |", "%-*d|", 6, 42);
    fmt("0042", "%.*d", 4, 42);
    fmt("42", "%.*d", -1, 42);
    fmt_nc("000042", "%0*.*d", 6, -1, 42); /* a negative precision is none */
    fmt("    ab|", "%*.*s|", 6, 2, "abc");
    fmt("", "%.*s", 0, "abc");
    fmt("     abc|", "%8s|", "abc");
    fmt("abc     |", "%-8s|", "abc");
    fmt("ab", "%.2s", "abcdef");
    fmt("      ab|", "%8.2s|", "abcdef");
    fmt("", "%.0s", "abc");
    fmt("  x|", "%3c|", 'x');
    fmt("x  |", "%-3c|", 'x');
    fmt("[  abc][abc  ]", "[%5s][%-5s]", "abc", "abc");
    /* gcc warns about these; see fmt_nc. */
    fmt_nc("42   |", "%-05d|", 42);
    fmt_nc("+42", "%+ d", 42);
    fmt_nc("     042|", "%08.3d|", 42);
    fmt_nc("   -7", "%05.1d", -7);
    fmt_nc("5", "%+u", 5u);
    fmt_nc("5", "% x", 5u);
    fmt_nc("   ab", "%05s", "ab");
    fmt_nc("    x", "%05c", 'x');
    fmt_nc("[%]", "[%5%]");
    fmt("1234567", "%'d", 1234567); /* the C locale groups nothing */
    fmt("010", "%#.3o", 8u);
    fmt("    0", "%#5.0o", 0u);
    fmt("0x001   |", "%-#8.3x|", 1u);
}

static void lengths(void)
{
    fmt("44", "%hhd", 300);
    fmt("-56", "%hhd", 200);
    fmt("255", "%hhu", 511);
    fmt("ff", "%hhx", -1);
    fmt("4464", "%hd", 70000);
    fmt("-25536", "%hd", 40000);
    fmt("65535", "%hu", -1);
    fmt("2345", "%hx", 0x12345);
    fmt("-9223372036854775808", "%ld", LONG_MIN);
    fmt("9223372036854775807", "%ld", LONG_MAX);
    fmt("18446744073709551615", "%lu", ULONG_MAX);
    fmt("ffffffffffffffff", "%lx", ULONG_MAX);
    fmt("-9223372036854775808", "%lld", LLONG_MIN);
    fmt("9223372036854775807", "%lld", LLONG_MAX);
    fmt("18446744073709551615", "%llu", ULLONG_MAX);
    fmt("FFFFFFFFFFFFFFFF", "%llX", ULLONG_MAX);
    fmt("1777777777777777777777", "%llo", ULLONG_MAX);
    fmt("01777777777777777777777", "%#llo", ULLONG_MAX);
    fmt("-1", "%lli", -1LL);
    fmt("+9223372036854775807", "%+lld", LLONG_MAX);
    fmt("18446744073709551615", "%zu", (size_t)-1);
    fmt("4", "%zx", sizeof(int));
    fmt("-5", "%zd", (ptrdiff_t)-5);
    fmt("-9223372036854775808", "%jd", INTMAX_MIN);
    fmt("18446744073709551615", "%ju", UINTMAX_MAX);
    fmt("-12345", "%td", (ptrdiff_t)-12345);
    fmt("1000", "%tx", (ptrdiff_t)4096);
    fmt("  -1|", "%4hhd|", 255);
    fmt("-000009223372036854775808", "%025lld", LLONG_MIN);
    fmt("0xffffffffffffffff", "%#llx", ULLONG_MAX);
}

static void pointers_and_null(void)
{
    fmt("(null)", "%s", (char *)opaque(NULL));
    fmt("    (null)|", "%10s|", (char *)opaque(NULL));
    fmt("(null)  |", "%-8s|", (char *)opaque(NULL));
    fmt("", "%.3s", (char *)opaque(NULL));
    fmt("(nil)", "%p", opaque(NULL));
    fmt("   (nil)|", "%8p|", opaque(NULL));
    fmt("(nil)   |", "%-8p|", opaque(NULL));
    fmt("0x1234", "%p", (void *)0x1234);
    fmt("0xdeadbeef", "%p", (void *)0xdeadbeefUL);
    fmt("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
    fmt("            0x1234|", "%18p|", (void *)0x1234);
    fmt("0x1234    |", "%-10p|", (void *)0x1234);
    fmt_nc("0x00001234", "%010p", (void *)0x1234);
    fmt_nc("0x01234", "%.5p", (void *)0x1234);
    fmt_nc("+0x1234", "%+p", (void *)0x1234);
    fmt_nc(" 0x1234", "% p", (void *)0x1234);
    fmt_nc("  (nil)", "%07p", opaque(NULL));
}

/* The return value counts what the whole output would take; the buffer gets
 * what fits and always a terminating NUL. */
static void truncation(void)
{
    char small[16];
    int n;

    memset(small, 'X', sizeof small);
    n = snprintf(small, 5, "%s", "hello world");
    check_int("snprintf(5, \"hello world\") returns", n, 11);
    check_mem("snprintf(5, \"hello world\") buffer", small, "hell\0XXX", 8);

    memset(small, 'X', sizeof small);
    n = snprintf(small, 6, "%d", -12345);
    check_int("snprintf(6, -12345) returns", n, 6);
    check_mem("snprintf(6, -12345) buffer", small, "-1234\0X", 7);

    memset(small, 'X', sizeof small);
    n = snprintf(small, 6, "%s", "hello");
    check_int("snprintf(6, \"hello\") returns", n, 5);
    check_mem("snprintf(6, \"hello\") buffer", small, "hello\0X", 7);

    memset(small, 'X', sizeof small);
    n = snprintf(small, 1, "%s", "abc");
    check_int("snprintf(1, \"abc\") returns", n, 3);
    check_mem("snprintf(1, \"abc\") buffer", small, "\0X", 2);

    memset(small, 'X', sizeof small);
    n = snprintf(small, 0, "%s", "abc");
    check_int("snprintf(0, \"abc\") returns", n, 3);
    check_mem("snprintf(0, \"abc\") leaves the buffer", small, "XX", 2);

    n = snprintf(NULL, 0, "%d-%s", 12345, "xyz");
    check_int("snprintf(NULL, 0) returns", n, 9);

    memset(small, 'X', sizeof small);
    n = snprintf(small, sizeof small, "%*d", 1000, 7);
    check_int("snprintf(16, \"%*d\" 1000) returns", n, 1000);
    check_int("snprintf(16, \"%*d\" 1000) length", (long long)strlen(small), 15);

    memset(small, 'X', sizeof small);
    n = snprintf(small, sizeof small, "a%cb", 0);
    check_int("snprintf(\"a%cb\", 0) returns", n, 3);
    check_mem("snprintf(\"a%cb\", 0) buffer", small, "a\0b\0X", 5);

    memset(buf, 'X', sizeof buf);
    n = snprintf(buf, sizeof buf, "%300d|", 1);
    check_int("snprintf(\"%300d|\") returns", n, 301);
    check_int("snprintf(\"%300d|\") length", (long long)strlen(buf), 301);
    check_mem("snprintf(\"%300d|\") tail", buf + 296, "   1|", 6);

    /* glibc rejects a format that ends inside a conversion, after the text before it. */
    const char *dangling = opaque((void *)"abc%");
    memset(small, 'X', sizeof small);
    n = snprintf(small, sizeof small, dangling, 0);
    check_int("snprintf(\"abc%\") returns", n, -1);
    check_mem("snprintf(\"abc%\") buffer", small, "abc\0X", 5);

    memset(small, 'X', sizeof small);
    n = sprintf(small, "%d%s", 99, "red");
    check_int("sprintf returns", n, 5);
    check_mem("sprintf buffer", small, "99red\0X", 7);
}

/* %n stores the count so far through its length's type; a conversion C does
 * not define is printed as its rebuilt text and takes no argument, as glibc
 * does (gcc warns about it at compile time). */
static void counts_and_unknown(void)
{
    int n_int = -1;
    signed char n_char = -1;
    long long n_long_long = -1;
    int n = snprintf(buf, sizeof buf, "ab%ncd%hhn%lln|", &n_int, &n_char, &n_long_long);
    check_str("\"ab%ncd%hhn%lln|\"", buf, "abcd|");
    check_int("\"ab%ncd%hhn%lln|\" returns", n, 5);
    check_int("%n", n_int, 2);
    check_int("%hhn", n_char, 4);
    check_int("%lln", n_long_long, 4);
    fmt_nc("%-5y|%'+07.3k|7", "%-5y|%'+07.3k|%d", 7);
}

void group_printf(void)
{
    conversions();
    flags_width_precision();
    lengths();
    pointers_and_null();
    truncation();
    counts_and_unknown();

    /* The host compares stdout, so this line must come out exactly. */
    int n = printf("printf: The answer is %d, hex %x, str '%s'\n", 42, 42u, "ok");
    check_int("printf return value", n, 43);
    fflush(stdout);
}
