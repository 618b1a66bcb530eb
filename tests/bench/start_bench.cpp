// Benchmark (not a test): cold start, as a user or a serverless front end
// pays it, whole processes timed from posix_spawn to waitpid:
//   - `hlrun hello.hl` (three exits: a line on stderr, one on stdout, exit),
//     with and without its seccomp confinement;
//   - `hlrun call FILE add 2 3` from a snapshot file of the functions guest;
// each against the raw-KVM floor process doing the same exits (kvm_floor 3 0
// start: a VM, its memory and vCPU, three `out` exits each answered with a
// line on stdout), as alternating pairs; and, when given, Solo5's hvt tender
// running its hello test against the same floor.
//   usage: hl_bench_start HLRUN HELLO_IMAGE FUNCTIONS_IMAGE KVM_FLOOR [ROUNDS] [SOLO5_HVT HELLO_HVT]
// Issue 12's target: `hlrun hello` <= 1.3x the floor process.
#include "bench_pairs.hpp"
#include "bench_process.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace hl::bench;

// Median ns of `rounds` runs of argv, after two untimed ones (page cache, CPU caches).
uint64_t median_process_ns(const std::vector<std::string>& argv, int rounds)
{
    process_ns(argv);
    process_ns(argv);
    std::vector<uint64_t> samples;
    for (int i = 0; i < rounds; ++i)
        samples.push_back(process_ns(argv));
    return median(samples);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 5 && argc != 6 && argc != 8) {
        std::fprintf(stderr, "usage: %s HLRUN HELLO_IMAGE FUNCTIONS_IMAGE KVM_FLOOR [ROUNDS] [SOLO5_HVT HELLO_HVT]\n",
                     argv[0]);
        return 2;
    }
    const std::string hlrun = argv[1], hello = argv[2], functions = argv[3], floor = argv[4];
    const int rounds = argc > 5 ? std::atoi(argv[5]) : 100;
    if (rounds < 1) {
        std::fprintf(stderr, "bench: ROUNDS must be a positive number\n");
        return 2;
    }
    const std::string snapshot = "/tmp/hl-bench-start-" + std::to_string(getpid()) + ".snap";
    process_ns({hlrun, "snapshot", "-o", snapshot, functions});

    const std::vector<std::string> floor_argv{floor, "3", "0", "start"};
    const auto floor_ns = [&] { return median_process_ns(floor_argv, rounds); };
    std::printf("cold start, whole processes: median of %d runs, median of %d pairs, microseconds\n", rounds, kPairs);
    std::printf("%-34s %10s %10s %9s   %s\n", "", "hl", "floor", "ratio", "target");
    row("hlrun hello", [&] { return median_process_ns({hlrun, hello}, rounds); }, floor_ns, "<= 1.3x");
    row("hlrun --no-seccomp hello", [&] { return median_process_ns({hlrun, "--no-seccomp", hello}, rounds); },
        floor_ns, "");
    row("hlrun call SNAPSHOT add 2 3", [&] { return median_process_ns({hlrun, "call", snapshot, "add", "2", "3"}, rounds); },
        floor_ns, "");
    if (argc == 8)
        row("solo5-hvt test_hello.hvt", [&] { return median_process_ns({argv[6], argv[7]}, rounds); }, floor_ns,
            "(not hl: for comparison)");
    unlink(snapshot.c_str());
    return 0;
}
