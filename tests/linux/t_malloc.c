/* Big and many allocations: 32 MiB and more through malloc and realloc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    const size_t big = 32u << 20;
    unsigned char* p = malloc(big);
    if (!p)
        return printf("malloc(32 MiB) failed\n"), 1;
    for (size_t i = 0; i < big; i += 4096)
        p[i] = (unsigned char)(i >> 12);
    p = realloc(p, big + (16u << 20));
    if (!p)
        return printf("realloc(48 MiB) failed\n"), 1;
    int intact = 1;
    for (size_t i = 0; i < big; i += 4096)
        intact &= p[i] == (unsigned char)(i >> 12);
    memset(p + big, 0xab, 16u << 20);
    free(p);
    void* small[2000];
    uint64_t total = 0;
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 2000; ++i) {
            small[i] = malloc((size_t)(i % 97) * 13 + 1);
            memset(small[i], i, (size_t)(i % 97) * 13 + 1);
            total += (size_t)(i % 97) * 13 + 1;
        }
        for (int i = 0; i < 2000; i += 1 + round % 2)
            free(small[i]), small[i] = NULL;
        for (int i = 0; i < 2000; ++i)
            free(small[i]);
    }
    void* zeroed = calloc(1u << 20, 1);
    int zero = 1;
    for (size_t i = 0; i < (1u << 20); ++i)
        zero &= ((unsigned char*)zeroed)[i] == 0;
    free(zeroed);
    printf("malloc: 32 MiB realloc'd to 48 MiB intact %d; %llu small bytes; calloc zero %d\n", intact,
           (unsigned long long)total, zero);
    return 0;
}
