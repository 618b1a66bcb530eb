/* t_string.c: the "string" group: mem* and str* of <string.h>. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Keeps gcc from evaluating a call at compile time or proving its result. */
__attribute__((noinline)) static void *opaque(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

/* Sign of a comparison result: only the sign is specified. */
static int sign(int v) { return (v > 0) - (v < 0); }

static void mem_functions(void)
{
    unsigned char a[300], b[300];
    char s[32];
    int bad;

    for (int i = 0; i < 300; i++)
        a[i] = (unsigned char)(i * 7 + 3);
    memset(b, 0, sizeof b);
    check_true("memcpy returns dst", memcpy(b, a, 5) == (void *)b);
    check_mem("memcpy 5 bytes", b, a, 5);
    check_int("memcpy 5 leaves byte 5", b[5], 0);
    memcpy(b + 1, a + 3, 257); /* unaligned, past the small-copy path */
    check_mem("memcpy 257 unaligned", b + 1, a + 3, 257);
    check_int("memcpy 257 leaves byte 258", b[258], 0);
    memcpy(b, a + 100, 0);
    check_int("memcpy 0 bytes", b[0], a[0]);

    /* memmove with overlap, both directions, short and long. */
    strcpy(s, "0123456789");
    check_true("memmove returns dst", memmove(s + 2, s, 8) == s + 2);
    check_str("memmove overlap to higher", s, "0101234567");
    strcpy(s, "0123456789");
    memmove(s, s + 2, 8);
    check_str("memmove overlap to lower", s, "2345678989");
    strcpy(s, "abcdef");
    memmove(s, s, 6);
    memmove(s + 1, s, 0);
    check_str("memmove same and zero", s, "abcdef");
    for (int i = 0; i < 300; i++)
        b[i] = (unsigned char)i;
    memmove(b + 3, b, 290);
    bad = 0;
    for (int i = 0; i < 290; i++)
        bad += b[3 + i] != (unsigned char)i;
    bad += b[0] != 0 || b[1] != 1 || b[2] != 2 || b[293] != 37 || b[299] != 43;
    check_int("memmove 290 up by 3: wrong bytes", bad, 0);
    for (int i = 0; i < 300; i++)
        b[i] = (unsigned char)i;
    memmove(b, b + 5, 290);
    bad = 0;
    for (int i = 0; i < 290; i++)
        bad += b[i] != (unsigned char)(i + 5);
    bad += b[290] != 34 || b[299] != 43;
    check_int("memmove 290 down by 5: wrong bytes", bad, 0);

    memset(s, 'z', sizeof s);
    check_true("memset returns dst", memset(s, 0xab, 7) == s);
    check_mem("memset 7 bytes", s, "\xab\xab\xab\xab\xab\xab\xabz", 8);
    memset(s, 0x1234, 3); /* only the low byte counts */
    check_mem("memset takes the low byte", s, "444\xab", 4);
    memset(s, 'q', 0);
    check_int("memset 0 bytes", s[0], '4');

    check_int("memcmp equal", memcmp("abcdefghij", "abcdefghij", 10), 0);
    check_int("memcmp less", sign(memcmp("abcdefghiA", "abcdefghiB", 10)), -1);
    check_int("memcmp greater", sign(memcmp("abd", "abc", 3)), 1);
    check_int("memcmp is unsigned", sign(memcmp("\x80", "\x01", 1)), 1);
    check_int("memcmp stops at n", memcmp("abcX", "abcY", 3), 0);
    check_int("memcmp 0 bytes", memcmp("a", "b", 0), 0);
    check_int("memcmp past NUL", sign(memcmp("a\0b", "a\0c", 3)), -1);

    const char *hay = "hello\0world\x90";
    check_true("memchr finds", memchr(hay, 'l', 12) == hay + 2);
    check_true("memchr past NUL", memchr(hay, 'w', 12) == hay + 6);
    check_true("memchr finds NUL", memchr(hay, 0, 12) == hay + 5);
    check_true("memchr high byte", memchr(hay, 0x90, 12) == hay + 11);
    check_true("memchr low byte of c", memchr(hay, 0x100 + 'o', 12) == hay + 4);
    check_true("memchr not found", memchr(hay, 'z', 12) == NULL);
    check_true("memchr respects n", memchr(hay, 'w', 6) == NULL);
}

static void str_functions(void)
{
    char s[64], big[1001];

    check_int("strlen empty", (long long)strlen(""), 0);
    check_int("strlen 1", (long long)strlen("a"), 1);
    memset(big, 'x', 1000);
    big[1000] = '\0';
    for (int off = 0; off < 9; off++)
        if (!check_int("strlen 1000-off at every alignment", (long long)strlen(big + off),
                       1000 - off))
            break;
    check_int("strnlen stops at max", (long long)strnlen("hello", 3), 3);
    check_int("strnlen stops at NUL", (long long)strnlen("hi", 10), 2);
    check_int("strnlen 0", (long long)strnlen("hi", 0), 0);

    check_int("strcmp equal", strcmp("abc", "abc"), 0);
    check_int("strcmp less", sign(strcmp("abc", "abd")), -1);
    check_int("strcmp prefix", sign(strcmp("abc", "abcd")), -1);
    check_int("strcmp longer", sign(strcmp("abcd", "abc")), 1);
    check_int("strcmp is unsigned", sign(strcmp("\x80", "a")), 1);
    check_int("strcmp empty", strcmp("", ""), 0);
    check_int("strncmp equal prefix", strncmp("abcdef", "abcxyz", 3), 0);
    check_int("strncmp differs at n", sign(strncmp("abcdef", "abcxyz", 4)), -1);
    check_int("strncmp 0", strncmp("a", "b", 0), 0);
    check_int("strncmp stops at NUL", strncmp("ab\0x", "ab\0y", 4), 0);
    check_int("strncmp unsigned", sign(strncmp("a\xff", "a\x01", 2)), 1);

    const char *t = "abcabc";
    check_true("strchr first", strchr(t, 'b') == t + 1);
    check_true("strchr NUL", strchr(t, '\0') == t + 6);
    check_true("strchr missing", strchr(t, 'z') == NULL);
    check_true("strchr converts c to char", strchr(t, 'c' + 256) == t + 2);
    check_true("strrchr last", strrchr(t, 'b') == t + 4);
    check_true("strrchr NUL", strrchr(t, '\0') == t + 6);
    check_true("strrchr missing", strrchr(t, 'z') == NULL);
    check_true("strrchr first char", strrchr("xaaa", 'x') != NULL);

    memset(s, 'X', sizeof s);
    check_true("strcpy returns dst", strcpy(s, "copy") == s);
    check_mem("strcpy", s, "copy\0X", 6);
    memset(s, 'X', sizeof s);
    check_true("strncpy returns dst", strncpy(s, "ab", 6) == s);
    check_mem("strncpy pads with NULs", s, "ab\0\0\0\0XX", 8);
    memset(s, 'X', sizeof s);
    strncpy(s, "abcdef", 3);
    check_mem("strncpy does not terminate", s, "abcX", 4);
    memset(s, 'X', sizeof s);
    strncpy(s, "abc", 3);
    check_mem("strncpy exact length", s, "abcX", 4);
    strcpy(s, "foo");
    check_true("strcat returns dst", strcat(s, "bar") == s);
    check_str("strcat", s, "foobar");
    strcat(s, "");
    check_str("strcat empty", s, "foobar");
    memset(s + 7, 'X', 8);
    check_true("strncat returns dst", strncat(s, "xyz", 2) == s);
    check_mem("strncat appends n and NUL", s, "foobarxy\0X", 10);
    strncat(s, "12", 10);
    check_str("strncat shorter src", s, "foobarxy12");
}

static void strstr_and_strdup(void)
{
    const char *h = "hello world";
    check_true("strstr middle", strstr(h, "o w") == h + 4);
    check_true("strstr end", strstr(h, "world") == h + 6);
    check_true("strstr start", strstr(h, "hell") == h);
    check_true("strstr whole", strstr(h, "hello world") == h);
    check_true("strstr empty needle", strstr(h, "") == h);
    const char *e = opaque((void *)"");
    check_true("strstr empty both", strstr(e, "") == e);
    check_true("strstr empty haystack", strstr(e, "a") == NULL);
    check_true("strstr longer needle", strstr("abc", "abcd") == NULL);
    check_true("strstr missing", strstr(h, "word") == NULL);
    const char *a = "aaab";
    check_true("strstr backtrack", strstr(a, "aab") == a + 1);
    const char *ab = "ababc";
    check_true("strstr partial restart", strstr(ab, "abc") == ab + 2);
    const char *c = "abcabc";
    check_true("strstr wraps", strstr(c, "cab") == c + 2);
    check_true("strstr single char", strstr(c, "c") == c + 2);
    check_true("strstr near miss at end", strstr("abcab", "abc\x01") == NULL);

    char *d = strdup("duplicate me");
    if (check_true("strdup not NULL", d != NULL)) {
        check_str("strdup content", d, "duplicate me");
        check_true("strdup new memory", d != (char *)"duplicate me");
        check_int("strdup 16-byte aligned", (long long)((uintptr_t)d & 15), 0);
        d[0] = 'D';
        check_str("strdup writable", d, "Duplicate me");
        free(d);
    }
    d = strdup("");
    if (check_true("strdup empty not NULL", d != NULL)) {
        check_str("strdup empty", d, "");
        free(d);
    }
}

void group_string(void)
{
    mem_functions();
    str_functions();
    strstr_and_strdup();
}
