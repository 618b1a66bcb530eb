/* t_stdlib.c: the "stdlib" group: atoi, the strto* family, abs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum kind { K_L, K_UL, K_LL, K_ULL };
static const char *const names[] = {"strtol", "strtoul", "strtoll", "strtoull"};

/* Parses s with the function of kind k and checks the value (as its 64-bit
 * pattern), how far endptr moved and errno (zeroed before the call). */
static void parse(enum kind k, const char *s, int base, unsigned long long value, long end,
                  int err)
{
    char what[112], *endp = NULL;
    unsigned long long got = 0;
    int n = snprintf(what, sizeof what - 8, "%s(\"%s\", %d) ", names[k], s, base);
    if (n < 0 || n > (int)sizeof what - 9)
        n = (int)sizeof what - 9;
    errno = 0;
    switch (k) {
    case K_L: got = (unsigned long long)strtol(s, &endp, base); break;
    case K_UL: got = strtoul(s, &endp, base); break;
    case K_LL: got = (unsigned long long)strtoll(s, &endp, base); break;
    case K_ULL: got = strtoull(s, &endp, base); break;
    }
    int e = errno;
    strcpy(what + n, "value");
    if (k == K_L || k == K_LL)
        check_int(what, (long long)got, (long long)value);
    else
        check_uint(what, got, value);
    strcpy(what + n, "endptr");
    check_int(what, endp ? endp - s : -1, end);
    strcpy(what + n, "errno");
    check_int(what, e, err);
}

#define L(s, b, v, end, err)   parse(K_L, s, b, (unsigned long long)(long)(v), end, err)
#define UL(s, b, v, end, err)  parse(K_UL, s, b, (unsigned long long)(v), end, err)
#define LL(s, b, v, end, err)  parse(K_LL, s, b, (unsigned long long)(long long)(v), end, err)
#define ULL(s, b, v, end, err) parse(K_ULL, s, b, (unsigned long long)(v), end, err)

static void atoi_family(void)
{
    check_int("atoi(\"42\")", atoi("42"), 42);
    check_int("atoi(\"  -17xyz\")", atoi("  -17xyz"), -17);
    check_int("atoi(\"+5\")", atoi("+5"), 5);
    check_int("atoi(\"\\t\\n 12\")", atoi("\t\n 12"), 12);
    check_int("atoi(\"abc\")", atoi("abc"), 0);
    check_int("atoi(\"\")", atoi(""), 0);
    check_int("atoi(\"- 1\")", atoi("- 1"), 0);
    check_int("atoi(\"2147483647\")", atoi("2147483647"), INT_MAX);
    check_int("atoi(\"-2147483648\")", atoi("-2147483648"), INT_MIN);
    check_int("atoi(\"007\")", atoi("007"), 7);
    check_int("atoi(\"4294967297\") truncates like glibc", atoi("4294967297"), 1);
    check_int("atol(\"-9223372036854775808\")", atol("-9223372036854775808"), LONG_MIN);
    check_int("atoll(\"9223372036854775807\")", atoll("9223372036854775807"), LLONG_MAX);
}

static void strto_bases(void)
{
    /* base 10, endptr and the no-number cases (endptr back at s) */
    L("12345", 10, 12345, 5, 0);
    L(" -42abc", 10, -42, 4, 0);
    L("\t+7 ", 10, 7, 3, 0);
    L("abc", 10, 0, 0, 0);
    L("", 10, 0, 0, 0);
    L("-", 10, 0, 0, 0);
    L("  +", 10, 0, 0, 0);
    L("- 5", 10, 0, 0, 0);
    L("0", 10, 0, 1, 0);
    L("12a", 10, 12, 2, 0);
    /* base 0: the prefix picks the base */
    L("0x1F", 0, 31, 4, 0);
    L("0X1f", 0, 31, 4, 0);
    L("017", 0, 15, 3, 0);
    L("42", 0, 42, 2, 0);
    L("0", 0, 0, 1, 0);
    L("-0x10", 0, -16, 5, 0);
    L("0x", 0, 0, 1, 0);
    L("0xg", 0, 0, 1, 0);
    L("08", 0, 0, 1, 0);
    L("  -017", 0, -15, 6, 0);
    /* base 2, 8, 16, 36 */
    L("1011", 2, 11, 4, 0);
    L("1012", 2, 5, 3, 0);
    L("-111", 2, -7, 4, 0);
    L("777", 8, 511, 3, 0);
    L("-17", 8, -15, 3, 0);
    L("78", 8, 7, 1, 0);
    L("ff", 16, 255, 2, 0);
    L("0xFF", 16, 255, 4, 0);
    L("DeadBeef", 16, 3735928559L, 8, 0);
    L("0xg", 16, 0, 1, 0);
    L("zz", 36, 1295, 2, 0);
    L("Z", 36, 35, 1, 0);
    L("hello", 36, 29234652, 5, 0);
    L("hello!", 36, 29234652, 5, 0);
    L("10", 36, 36, 2, 0);
    UL("0x7fffffff", 16, 0x7fffffff, 10, 0);
    UL("11111111", 2, 255, 8, 0);
    LL("-777", 8, -511, 4, 0);
    LL("0x7FFFFFFFFFFFFFFF", 0, LLONG_MAX, 18, 0);
    ULL("ffffffffffffffff", 16, ULLONG_MAX, 16, 0);
    ULL("1111111111111111111111111111111111111111111111111111111111111111", 2, ULLONG_MAX, 64,
        0);
    ULL("3w5e11264sgsf", 36, ULLONG_MAX, 13, 0);
    L("0x1", 36, 1189, 3, 0);   /* no prefix outside bases 0 and 16: 'x' is a digit */
    L("0x10", 10, 0, 1, 0);
    UL("  -0x", 16, 0, 4, 0);
    L("\v\f\r 9", 10, 9, 5, 0);

    /* An invalid base converts nothing and sets EINVAL (endptr unspecified). */
    char *end;
    errno = 0;
    check_int("strtol(\"12\", 1) value", strtol("12", &end, 1), 0);
    check_int("strtol(\"12\", 1) errno", errno, EINVAL);
    errno = 0;
    check_int("strtoul(\"12\", 37) value", (long long)strtoul("12", &end, 37), 0);
    check_int("strtoul(\"12\", 37) errno", errno, EINVAL);
}

static void strto_range(void)
{
    L("9223372036854775807", 10, LONG_MAX, 19, 0);
    L("9223372036854775808", 10, LONG_MAX, 19, ERANGE);
    L("-9223372036854775808", 10, LONG_MIN, 20, 0);
    L("-9223372036854775809", 10, LONG_MIN, 20, ERANGE);
    L("99999999999999999999999xyz", 10, LONG_MAX, 23, ERANGE);
    L("-99999999999999999999999", 0, LONG_MIN, 24, ERANGE);
    L("0x8000000000000000", 16, LONG_MAX, 18, ERANGE);
    UL("18446744073709551615", 10, ULONG_MAX, 20, 0);
    UL("18446744073709551616", 10, ULONG_MAX, 20, ERANGE);
    UL("-1", 10, ULONG_MAX, 2, 0);
    UL("-18446744073709551615", 10, 1, 21, 0);
    UL("-18446744073709551616", 10, ULONG_MAX, 21, ERANGE);
    LL("-9223372036854775808", 10, LLONG_MIN, 20, 0);
    LL("9223372036854775808", 10, LLONG_MAX, 19, ERANGE);
    LL("-1000000000000000000000", 8, LLONG_MIN, 23, 0);
    LL("-1000000000000000000001", 8, LLONG_MIN, 23, ERANGE);
    ULL("10000000000000000", 16, ULLONG_MAX, 17, ERANGE);
    ULL("18446744073709551615", 0, ULLONG_MAX, 20, 0);
    ULL("zzzzzzzzzzzzzz", 36, ULLONG_MAX, 14, ERANGE);

    /* A NULL endptr is allowed. */
    check_int("strtol NULL endptr", strtol("123", NULL, 10), 123);
    check_uint("strtoull NULL endptr", strtoull("0x10", NULL, 0), 16);
}

static void abs_family(void)
{
    check_int("abs(-5)", abs(-5), 5);
    check_int("abs(5)", abs(5), 5);
    check_int("abs(0)", abs(0), 0);
    check_int("abs(-INT_MAX)", abs(-INT_MAX), INT_MAX);
    check_int("labs(-123456789012)", labs(-123456789012L), 123456789012L);
    check_int("labs(LONG_MIN + 1)", labs(LONG_MIN + 1), LONG_MAX);
    check_int("llabs(-3)", llabs(-3LL), 3);
    check_int("llabs(LLONG_MAX)", llabs(LLONG_MAX), LLONG_MAX);
}

void group_stdlib(void)
{
    atoi_family();
    strto_bases();
    strto_range();
    abs_family();
}
