/* The Linux-personality benchmark's guest, a static musl executable:
 *   linux_loop syscalls N   N getpid system calls, then exit
 *   linux_loop compute N    N rounds of integer and floating-point work,
 *                           printing the nanoseconds they took (its own clock) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    if (argc != 3)
        return 2;
    const long n = atol(argv[2]);
    if (strcmp(argv[1], "syscalls") == 0) {
        for (long i = 0; i < n; ++i)
            syscall(SYS_getpid);
        return 0;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    unsigned long long h = 1469598103934665603ull;
    double x = 1.0;
    for (long i = 0; i < n; ++i) {
        h = (h ^ (unsigned long long)i) * 1099511628211ull;
        x = x * 1.0000001 + (double)(h & 7) * 1e-9;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%lld %llu %d\n", (long long)(end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec), h & 1,
           x > 0);
    return 0;
}
