/* Test guest: a function of every type the ABI carries, a counter that keeps
 * state between calls, and exports that fault or never return. */
#include <hl/guest.h>
#include <stdio.h>
#include <string.h>

static int64_t counter;
static char text[HL_VALUE_MAX];

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

int main(void)
{
    counter = 100; /* initialisation the snapshot keeps */
    hl_serve();
}
