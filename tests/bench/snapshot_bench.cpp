// Benchmark (not a test): what snapshots, restores and many sandboxes cost,
// against floors measured in the same run.
//   usage: hl_bench_snapshots FUNCTIONS_GUEST_IMAGE KVM_FLOOR [ROUNDS]
// The targets:
// - a fresh call of a 1 GiB guest within 1.3x of the same call of a 16 MiB one,
//   and 2,000 of them in < 64 MiB of host memory;
// - a sandbox from a snapshot <= 1.3x the floor's KVM_CREATE_VM +
//   KVM_CREATE_VCPU + one memory slot;
// - 1,000 live sandboxes from one snapshot with <= 64 KiB of host RSS each.
#include "bench_pairs.hpp"
#include "host_memory.hpp"

#include <hl/open_files.hpp>
#include <hl/sandbox.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace hl::bench;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kSmall = 16u << 20;
constexpr uint64_t kLarge = 1u << 30;

uint64_t since(Clock::time_point start)
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
}

std::unique_ptr<hl::Sandbox> ready_sandbox(const hl::Image& image, uint64_t memory)
{
    hl::SandboxOptions options;
    options.memory_size = memory;
    auto sandbox = std::make_unique<hl::Sandbox>(image, std::move(options));
    sandbox->register_host("mul", [](int64_t a, int64_t b) { return a * b; });
    if (sandbox->initialize().ending != hl::RunResult::Ending::Ready)
        throw hl::Error("the functions guest did not get ready");
    return sandbox;
}

void must_return(const hl::RunResult& r)
{
    if (r.ending != hl::RunResult::Ending::Returned) {
        std::fprintf(stderr, "bench: a call failed: %s\n", r.message.c_str());
        std::exit(1);
    }
}

// The first fresh call of a new sandbox: it snapshots the state after
// initialisation, then calls.
uint64_t first_fresh_call_ns(const hl::Image& image, uint64_t memory)
{
    auto sandbox = ready_sandbox(image, memory);
    sandbox->set_fresh_per_call(true);
    const auto start = Clock::now();
    must_return(sandbox->call("touch", {uint64_t{1}}));
    return since(start);
}

uint64_t fresh_call_ns(hl::Sandbox& sandbox, int rounds)
{
    return call_ns(sandbox, rounds, "touch", {uint64_t{1}});
}

// Median ns of creating a sandbox from snapshot (its teardown untimed).
uint64_t from_snapshot_ns(const hl::Snapshot& snapshot, int rounds)
{
    std::vector<uint64_t> samples;
    for (int i = -5; i < rounds; ++i) {
        const auto start = Clock::now();
        hl::Sandbox sandbox = hl::Sandbox::from_snapshot(snapshot, {});
        const uint64_t ns = since(start);
        if (i >= 0)
            samples.push_back(ns);
    }
    return median(samples);
}

// Two descriptors per sandbox (its VM and vCPU): a thousand need more than
// the usual soft limit of 1,024.
} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s FUNCTIONS_GUEST_IMAGE KVM_FLOOR [ROUNDS]\n", argv[0]);
        return 2;
    }
    const std::string floor = argv[2];
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 2000;
    try {
        const hl::Image image = hl::Image::load(argv[1]);
        std::printf("snapshots and restores, median of %d pairs, microseconds\n", kPairs);
        std::printf("%-40s %10s %10s %9s   %s\n", "", "hl", "base", "ratio", "target");

        row("first fresh call: 1 GiB vs 16 MiB guest", [&] { return first_fresh_call_ns(image, kLarge); },
            [&] { return first_fresh_call_ns(image, kSmall); }, "(includes the snapshot)");

        auto small = ready_sandbox(image, kSmall);
        auto large = ready_sandbox(image, kLarge);
        small->set_fresh_per_call(true);
        large->set_fresh_per_call(true);
        row("fresh call: 1 GiB vs 16 MiB guest", [&] { return fresh_call_ns(*large, rounds); },
            [&] { return fresh_call_ns(*small, rounds); }, "<= 1.3x");

        {
            const uint64_t before = host_memory_bytes();
            auto sandbox = ready_sandbox(image, kLarge);
            sandbox->set_fresh_per_call(true);
            for (int i = 0; i < 2000; ++i)
                must_return(sandbox->call("touch", {uint64_t{1}}));
            // While the sandbox and its snapshot are alive.
            std::printf("%-40s %10.1f MiB   target < 64 MiB\n", "host memory, 2,000 fresh calls of 1 GiB",
                        static_cast<double>(host_memory_bytes() - before) / (1 << 20));
        }

        const hl::Snapshot clean = ready_sandbox(image, kSmall)->snapshot();
        row("sandbox from a snapshot vs KVM floor", [&] { return from_snapshot_ns(clean, rounds / 10); },
            [&] { return floor_ns(floor, rounds / 10, 0, "create"); }, "<= 1.3x VM + vCPU + memory slot");

        constexpr int kLive = 1000;
        hl::raise_open_file_limit(kLive * hl::kFilesPerSandbox + 64);
        const uint64_t before = host_memory_bytes(), available_before = available_bytes();
        std::vector<hl::Sandbox> live;
        live.reserve(kLive);
        const auto start = Clock::now();
        for (int i = 0; i < kLive; ++i)
            live.push_back(hl::Sandbox::from_snapshot(clean, {}));
        const uint64_t took = since(start);
        const uint64_t created = host_memory_bytes();
        for (hl::Sandbox& sandbox : live)
            must_return(sandbox.call("add", {int64_t{1}, int64_t{2}}));
        const uint64_t called = host_memory_bytes(), available_after = available_bytes();
        std::printf("%-40s %10.1f KiB each, %.1f after a call each; %.0f us each to create   target <= 64 KiB\n",
                    "1,000 live sandboxes from one snapshot", static_cast<double>(created - before) / kLive / 1024,
                    static_cast<double>(called - before) / kLive / 1024, static_cast<double>(took) / kLive / 1e3);
        std::printf("%-40s %10.1f KiB each, kernel included (the host's available memory; noisy)\n", "",
                    static_cast<double>(available_before - available_after) / kLive / 1024);
        live.clear();
    } catch (const hl::Error& error) {
        std::fprintf(stderr, "bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
