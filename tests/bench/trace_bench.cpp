// Benchmark (not a test): what tracing costs per exit. One guest makes 10,000
// hypercalls; each round runs it once per mode (tracing off, text, jsonl,
// chrome, stats), in rotating order, and the report gives each mode's median
// time per exit and its ratio to tracing off, all measured in this one run.
// With `seccomp`, each run is on a thread confined by hl::confine_this_thread.
//   usage: hl_bench_trace TRACE_GUEST_IMAGE [ROUNDS] [CALLS] [seccomp]
#include <hl/confine.hpp>
#include <hl/sandbox.hpp>
#include <hl/trace_stats.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Mode {
    const char* name;
    // Makes the sink for one run (nullptr: tracing off).
    std::function<std::unique_ptr<hl::TraceSink>(std::FILE*)> make;
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s TRACE_GUEST_IMAGE [ROUNDS] [CALLS] [seccomp]\n", argv[0]);
        return 2;
    }
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
    const std::string calls = argc > 3 ? argv[3] : "10000";
    const bool confined = argc > 4 && std::string(argv[4]) == "seccomp";
    std::FILE* null = std::fopen("/dev/null", "w");
    const std::vector<Mode> modes = {
        {"off", [](std::FILE*) { return std::unique_ptr<hl::TraceSink>(); }},
        {"text", [](std::FILE* f) { return std::make_unique<hl::TextTraceSink>(f); }},
        {"jsonl", [](std::FILE* f) { return std::make_unique<hl::JsonlTraceSink>(f); }},
        {"chrome", [](std::FILE* f) { return std::make_unique<hl::ChromeTraceSink>(f); }},
        {"stats", [](std::FILE*) { return std::make_unique<hl::RunStats>(); }},
    };
    std::vector<std::vector<double>> per_exit_ns(modes.size());
    try {
        const hl::Image image = hl::Image::load(argv[1]);
        for (int round = 0; round < rounds; ++round) {
            for (size_t k = 0; k < modes.size(); ++k) {
                const size_t m = (k + static_cast<size_t>(round)) % modes.size(); // rotate: drift hits all modes alike
                auto sink = modes[m].make(null);
                hl::SandboxOptions options;
                options.output = [](int, std::span<const uint8_t> bytes) { return static_cast<int64_t>(bytes.size()); };
                options.trace = sink.get();
                hl::Sandbox sandbox(image, std::move(options));
                hl::RunResult result;
                if (confined) {
                    std::thread worker([&] {
                        hl::confine_this_thread();
                        result = sandbox.run({"trace", "calls", calls});
                    });
                    worker.join();
                } else {
                    result = sandbox.run({"trace", "calls", calls});
                }
                if (result.ending != hl::RunResult::Ending::Exited) {
                    std::fprintf(stderr, "bench: the guest did not exit cleanly: %s\n", result.message.c_str());
                    return 1;
                }
                per_exit_ns[m].push_back(static_cast<double>(result.duration.count()) / static_cast<double>(result.exits));
            }
        }
    } catch (const hl::Error& error) {
        std::fprintf(stderr, "bench: %s\n", error.what());
        return 1;
    }
    const double off = median(per_exit_ns[0]);
    std::printf("tracing cost per exit: %s hypercalls per run, median of %d rounds%s\n", calls.c_str(), rounds,
                confined ? ", runs on seccomp-confined threads" : "");
    std::printf("%-8s %14s %10s %18s\n", "mode", "ns/exit", "ratio", "extra ns/exit");
    for (size_t m = 0; m < modes.size(); ++m) {
        const double value = median(per_exit_ns[m]);
        std::printf("%-8s %14.0f %9.3fx %18.0f\n", modes[m].name, value, value / off, value - off);
    }
    return 0;
}
