/* qsort/bsearch, setjmp/longjmp, errno and strerror. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void* a, const void* b)
{
    const int x = *(const int*)a, y = *(const int*)b;
    return (x > y) - (x < y);
}

static jmp_buf back;

static void deep(int level);
static void (*volatile again)(int) = deep; /* frames to unwind, through a pointer gcc cannot follow */

static void deep(int level)
{
    if (level > 0)
        again(level - 1);
    longjmp(back, 42);
}

int main(void)
{
    enum { N = 10000 };
    static int numbers[N];
    unsigned state = 12345;
    for (int i = 0; i < N; ++i) {
        state = state * 1103515245u + 12345u;
        numbers[i] = (int)(state >> 8) % 100000;
    }
    qsort(numbers, N, sizeof numbers[0], compare);
    int sorted = 1;
    long sum = 0;
    for (int i = 0; i < N; ++i) {
        sorted &= i == 0 || numbers[i - 1] <= numbers[i];
        sum += numbers[i];
    }
    const int key = numbers[N / 2];
    const int* found = bsearch(&key, numbers, N, sizeof numbers[0], compare);
    printf("qsort: sorted %d sum %ld min %d max %d; bsearch found %d\n", sorted, sum, numbers[0], numbers[N - 1],
           found && *found == key);
    const int value = setjmp(back);
    if (value == 0)
        deep(50);
    printf("longjmp came back with %d\n", value);
    FILE* missing = fopen("/no/such/file", "r");
    printf("fopen: %s, errno %d: %s\n", missing ? "opened" : "failed", errno, strerror(errno));
    printf("strerror(EINVAL): %s\n", strerror(EINVAL));
    return 0;
}
