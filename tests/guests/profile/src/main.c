/* Test guest for the profiler: main calls cold_caller, which spends about a
 * tenth of the time in its own loop and the rest in hot_leaf. The work is
 * in rounds of ~1 ms; argv[1] says how many (default 300). */
#include <hl/guest.h>
#include <stdint.h>
#include <stdlib.h>

static volatile uint64_t sink;

__attribute__((noipa)) static void hot_leaf(uint64_t n)
{
    uint64_t x = sink;
    for (uint64_t i = 0; i < n; ++i)
        x = x * 6364136223846793005u + i;
    sink = x;
}

__attribute__((noipa)) static void cold_caller(uint64_t rounds)
{
    for (uint64_t r = 0; r < rounds; ++r) {
        uint64_t x = sink;
        for (uint64_t i = 0; i < 100000; ++i)   /* a tenth of the round */
            x = x * 2862933555777941757u + i;
        sink = x;
        hot_leaf(900000);
    }
}

int main(int argc, char **argv)
{
    const uint64_t rounds = argc > 1 ? strtoull(argv[1], 0, 10) : 300;
    cold_caller(rounds);
    return 0;
}
