// Benchmark (not a test): what hlrun --profile costs a compute-bound guest
// (tests/guests/profile: ~0.3 s of arithmetic, one exit) at the default rate
// of 997 samples a second, and at 4x that: the guest's run with the
// profiler on against the same run without, as alternating pairs.
// And what it adds to a short call (the functions guest's add, ~25 us):
// each call arms and disarms the thread's kept timer.
//   usage: hl_bench_profile PROFILE_IMAGE [RUNS] [FUNCTIONS_IMAGE]
// Issue 14's target: < 5% at the default rate (on the compute-bound guest).
#include "bench_pairs.hpp"

#include <hl/profile.hpp>
#include <hl/sandbox.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace hl::bench;
using Clock = std::chrono::steady_clock;

// A sandbox of image profiled into `profile` at hz, or not at all for 0.
hl::Sandbox sandbox_for(const hl::Image& image, unsigned hz, hl::Profile& profile)
{
    hl::SandboxOptions options;
    if (hz) {
        options.profile = &profile;
        options.profile_hz = hz;
    }
    return hl::Sandbox(image, std::move(options));
}

// Median ns of `runs` runs of the guest (each in a new sandbox; the run alone
// is timed), profiled at hz, or not at all for 0.
uint64_t run_ns(const hl::Image& image, unsigned hz, int runs, uint64_t& samples)
{
    std::vector<uint64_t> times;
    for (int i = 0; i < runs; ++i) {
        hl::Profile profile;
        hl::Sandbox sandbox = sandbox_for(image, hz, profile);
        const auto start = Clock::now();
        const hl::RunResult r = sandbox.run({"profile"});
        times.push_back(static_cast<uint64_t>((Clock::now() - start).count()));
        if (r.ending != hl::RunResult::Ending::Exited || r.exit_status != 0) {
            std::fprintf(stderr, "bench: the profile guest did not exit 0: %s\n", r.message.c_str());
            std::exit(1);
        }
        samples += profile.samples();
    }
    return median(times);
}

// Median ns of a call of add(1, 2) on an initialised sandbox, profiled at hz or not (0).
uint64_t short_call_ns(const hl::Image& image, unsigned hz)
{
    hl::Profile profile;
    hl::Sandbox sandbox = sandbox_for(image, hz, profile);
    if (sandbox.initialize().ending != hl::RunResult::Ending::Ready) {
        std::fprintf(stderr, "bench: the functions guest did not get ready\n");
        std::exit(1);
    }
    return call_ns(sandbox, 2000, "add", {int64_t{1}, int64_t{2}});
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 4) {
        std::fprintf(stderr, "usage: %s PROFILE_IMAGE [RUNS] [FUNCTIONS_IMAGE]\n", argv[0]);
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    if (runs < 1) {
        std::fprintf(stderr, "bench: RUNS must be a positive number\n");
        return 2;
    }
    const hl::Image image = hl::Image::load(argv[1]);
    std::printf("the profiler's cost on a compute-bound guest: median of %d runs, median of %d pairs, "
                "microseconds\n", runs, kPairs);
    std::printf("%-34s %10s %10s %9s   %s\n", "", "profiled", "plain", "ratio", "target");
    for (const unsigned hz : {997u, 3988u}) {
        uint64_t samples = 0, plain_samples = 0;
        const std::string what = "--profile-hz " + std::to_string(hz);
        row(what.c_str(), [&] { return run_ns(image, hz, runs, samples); },
            [&] { return run_ns(image, 0, runs, plain_samples); }, hz == 997 ? "< 1.05x" : "");
        std::printf("%-34s %10.0f samples a run\n", "", static_cast<double>(samples) / (runs * kPairs));
    }
    if (argc > 3) {
        const hl::Image functions = hl::Image::load(argv[3]);
        row("a call of add, --profile-hz 997", [&] { return short_call_ns(functions, 997); },
            [&] { return short_call_ns(functions, 0); }, "");
    }
    return 0;
}
