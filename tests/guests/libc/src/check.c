/* check.c: counting and reporting of checks; see check.h. */
#include <stdio.h>
#include <string.h>

#include "check.h"

const char *check_group = "?";
int check_count;
int check_failed;

/* Quotes s for a failure line: backslash, quote and non-printing bytes are
 * escaped, so a stray NUL or newline in a result stays visible. */
static const char *escape(char *out, size_t cap, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (s == NULL)
        return "(null pointer)";
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '"') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return out;
}

static int result(const char *what, int ok, const char *got, size_t got_n, const char *exp,
                  size_t exp_n)
{
    static char g[512], e[512];
    check_count++;
    if (ok)
        return 1;
    check_failed++;
    fprintf(stderr, "FAIL %s: %s: got \"%s\" expected \"%s\"\n", check_group, what,
            escape(g, sizeof g, got, got_n), escape(e, sizeof e, exp, exp_n));
    return 0;
}

int check_str(const char *what, const char *got, const char *expected)
{
    int ok = got != NULL && strcmp(got, expected) == 0;
    return result(what, ok, got, got ? strlen(got) : 0, expected, strlen(expected));
}

int check_mem(const char *what, const void *got, const void *expected, size_t n)
{
    return result(what, memcmp(got, expected, n) == 0, got, n, expected, n);
}

int check_int(const char *what, long long got, long long expected)
{
    char g[24], e[24];
    snprintf(g, sizeof g, "%lld", got);
    snprintf(e, sizeof e, "%lld", expected);
    return result(what, got == expected, g, strlen(g), e, strlen(e));
}

int check_uint(const char *what, unsigned long long got, unsigned long long expected)
{
    char g[24], e[24];
    snprintf(g, sizeof g, "%llu", got);
    snprintf(e, sizeof e, "%llu", expected);
    return result(what, got == expected, g, strlen(g), e, strlen(e));
}

int check_true(const char *what, int cond)
{
    return result(what, cond != 0, cond ? "true" : "false", cond ? 4 : 5, "true", 4);
}
