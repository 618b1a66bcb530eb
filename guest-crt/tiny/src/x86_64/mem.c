/* mem.c (x86-64): memcpy and memset of the hl guest libc. */
#include <string.h>

/* Fast-string microcode makes `rep movsb`/`rep stosb` the best general copy
 * at CPL3; tiny sizes skip its start-up cost. DF is clear per the SysV ABI. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *ret = dst;
    if (n < 16) {
        unsigned char *d = dst;
        const unsigned char *s = src;
        while (n--)
            *d++ = *s++;
        return ret;
    }
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return ret;
}

/* As memcpy: `rep stosb` is the best general fill. */
void *memset(void *dst, int c, size_t n)
{
    void *ret = dst;
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
    return ret;
}
