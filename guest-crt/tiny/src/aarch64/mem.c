/* mem.c (aarch64): memcpy and memset of the hl guest libc, in C. aarch64 has
 * no string instructions a guest can count on (FEAT_MOPS is too new), but
 * unaligned loads and stores are allowed at EL0 (SCTLR_EL1.A is clear,
 * hl-abi(7)), so both work in 16-byte blocks, which GCC turns into one
 * 128-bit SIMD load and store each (FP/SIMD is open at EL0), then in one
 * 8-byte word, then byte by byte. The library is built with
 * -fno-tree-loop-distribute-patterns, or GCC would turn these loops back
 * into calls to memcpy and memset. */
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (; n >= 16; n -= 16, d += 16, s += 16) {
        const uint64_t lo = *(const uword_t *)s, hi = *(const uword_t *)(s + 8);
        *(uword_t *)d = lo;
        *(uword_t *)(d + 8) = hi;
    }
    if (n >= 8) {
        *(uword_t *)d = *(const uword_t *)s;
        n -= 8;
        d += 8;
        s += 8;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    const uint64_t word = 0x0101010101010101ull * (unsigned char)c;
    for (; n >= 16; n -= 16, d += 16) {
        *(uword_t *)d = word;
        *(uword_t *)(d + 8) = word;
    }
    if (n >= 8) {
        *(uword_t *)d = word;
        n -= 8;
        d += 8;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}
