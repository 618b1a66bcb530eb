/* Test guest with a known sequence of exits, for the trace tests:
 *   trace writes K   K raw writes to stdout, the i-th (from 0) of i + 1 bytes, then exit 0
 *   trace crash      an invalid opcode inside crash_here()
 *   trace clock      two clock reads, then exit 0
 *   trace calls N    N clock reads: an exit storm for the benchmark */
#include <hl/guest.h>
#include <stdlib.h>
#include <string.h>

static const char text[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

__attribute__((noinline)) void crash_here(void)
{
    __asm__ volatile("nop; nop; ud2");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        hl_abort("usage: trace writes K | crash | clock | calls N");
    if (strcmp(argv[1], "writes") == 0 && argc > 2) {
        const int count = atoi(argv[2]);
        for (int i = 0; i < count; i++)
            hl_write(1, text, (size_t)(i % (int)(sizeof text - 1)) + 1);
    } else if (strcmp(argv[1], "crash") == 0) {
        crash_here();
    } else if (strcmp(argv[1], "clock") == 0) {
        const uint64_t first = hl_clock_ns();
        if (hl_clock_ns() < first)
            hl_abort("the clock went backwards");
    } else if (strcmp(argv[1], "calls") == 0 && argc > 2) {
        for (long i = atol(argv[2]); i > 0; i--)
            hl_clock_ns();
    } else {
        hl_abort("usage: trace writes K | crash | clock | calls N");
    }
    return 0;
}
