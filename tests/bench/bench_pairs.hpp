// What the benchmarks share: the raw-KVM floor program's answer, medians,
// timed guest calls, and rows measured as alternating pairs against the floor.
#pragma once

#include <hl/sandbox.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace hl::bench {

inline uint64_t median(std::vector<uint64_t> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Median ns of `rounds` calls of name(args) on an initialised sandbox, after
// 20 warm-up calls; a call that does not return ends the benchmark.
inline uint64_t call_ns(hl::Sandbox& sandbox, int rounds, const char* name, const std::vector<hl::Value>& args)
{
    using Clock = std::chrono::steady_clock;
    std::vector<uint64_t> samples;
    for (int i = -20; i < rounds; ++i) {
        const auto start = Clock::now();
        const hl::RunResult r = sandbox.call(name, args);
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
        if (r.ending != hl::RunResult::Ending::Returned) {
            std::fprintf(stderr, "bench: %s failed: %s\n", name, r.message.c_str());
            std::exit(1);
        }
        if (i >= 0)
            samples.push_back(static_cast<uint64_t>(ns));
    }
    return median(samples);
}

// The floor program's median ns per round for PAGES dirty pages and a restore MODE.
inline uint64_t floor_ns(const std::string& floor, int rounds, int pages, const char* mode)
{
    const std::string command = floor + " " + std::to_string(rounds) + " " + std::to_string(pages) + " " + mode;
    std::FILE* pipe = popen(command.c_str(), "r");
    unsigned long long ns = 0;
    if (!pipe || std::fscanf(pipe, "%llu", &ns) != 1 || pclose(pipe) != 0) {
        std::fprintf(stderr, "bench: '%s' failed\n", command.c_str());
        std::exit(1);
    }
    return ns;
}

// One case measured as kPairs alternating pairs (hl, then the floor), so that
// a stretch of load from elsewhere on the machine hits both sides of a pair;
// the row gives the median of each side and the median of the pairs' ratios.
inline constexpr int kPairs = 5;

struct Pair {
    uint64_t hl_ns, floor_ns;
};

template <typename Hl, typename Floor>
void row(const char* what, Hl&& hl, Floor&& floor, const char* target)
{
    std::vector<uint64_t> hl_ns, floor_ns;
    std::vector<double> ratios;
    for (int i = 0; i < kPairs; ++i) {
        const Pair p{hl(), floor()};
        hl_ns.push_back(p.hl_ns);
        floor_ns.push_back(p.floor_ns);
        ratios.push_back(static_cast<double>(p.hl_ns) / static_cast<double>(p.floor_ns));
    }
    std::sort(ratios.begin(), ratios.end());
    std::printf("%-34s %10.1f %10.1f %8.2fx   %s\n", what, static_cast<double>(median(hl_ns)) / 1e3,
                static_cast<double>(median(floor_ns)) / 1e3, ratios[ratios.size() / 2], target);
}

} // namespace hl::bench
