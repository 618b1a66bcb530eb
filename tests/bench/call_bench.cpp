// Benchmark (not a test): guest calls against the raw-KVM floor, measured in
// one run. kvm_floor (a small C program beside this file) does the same exits
// and the same memory writes with nothing else around them; every hl number
// is reported as a ratio to it.
//   usage: hl_bench_calls FUNCTIONS_GUEST_IMAGE KVM_FLOOR [ROUNDS]
#include <hl/sandbox.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

uint64_t median(std::vector<uint64_t> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// The floor program's median ns per round for PAGES dirty pages and a restore MODE.
uint64_t floor_ns(const std::string& floor, int rounds, int pages, const char* mode)
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

// Median ns of `rounds` calls of name(args) on an initialised sandbox.
uint64_t call_ns(hl::Sandbox& sandbox, int rounds, const char* name, const std::vector<hl::Value>& args)
{
    std::vector<uint64_t> samples;
    for (int i = -20; i < rounds; ++i) { // 20 warm-up calls
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

void row(const char* what, uint64_t hl_ns, uint64_t floor, const char* target)
{
    std::printf("%-34s %10.1f %10.1f %8.2fx   %s\n", what, static_cast<double>(hl_ns) / 1e3,
                static_cast<double>(floor) / 1e3, static_cast<double>(hl_ns) / static_cast<double>(floor), target);
}

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
        auto make = [&] {
            auto s = std::make_unique<hl::Sandbox>(image, hl::SandboxOptions{});
            s->register_host("mul", [](int64_t a, int64_t b) { return a * b; });
            if (s->initialize().ending != hl::RunResult::Ending::Ready)
                throw hl::Error("the functions guest did not get ready");
            return s;
        };
        std::printf("guest calls vs the raw-KVM floor, median of %d, microseconds\n", rounds);
        std::printf("%-34s %10s %10s %9s   %s\n", "", "hl", "floor", "ratio", "target");
        const uint64_t one_exit = floor_ns(floor, rounds, 0, "none");
        auto plain = make();
        row("call round trip", call_ns(*plain, rounds, "add", {int64_t{1}, int64_t{2}}), one_exit, "<= 1.2x one exit");
        row("call + one host function", call_ns(*plain, rounds, "use_mul", {int64_t{6}, int64_t{7}}), 2 * one_exit,
            "<= 1.2x two exits");
        for (const int pages : {1, 16, 256}) {
            auto fresh = make();
            fresh->set_fresh_per_call(true);
            const uint64_t restored = call_ns(*fresh, pages == 256 ? rounds / 10 : rounds, "touch",
                                              {static_cast<uint64_t>(pages)});
            const uint64_t dirtylog = floor_ns(floor, pages == 256 ? rounds / 10 : rounds, pages, "dirtylog");
            const uint64_t dontneed = floor_ns(floor, pages == 256 ? rounds / 10 : rounds, pages, "dontneed");
            const std::string what = "fresh call dirtying " + std::to_string(pages) + " page" + (pages == 1 ? "" : "s");
            row(what.c_str(), restored, std::min(dirtylog, dontneed), "<= 1.3x cheapest restore");
            std::printf("%-34s %10s %10.1f (dirty log)  %.1f (MADV_DONTNEED)\n", "", "",
                        static_cast<double>(dirtylog) / 1e3, static_cast<double>(dontneed) / 1e3);
        }
    } catch (const hl::Error& error) {
        std::fprintf(stderr, "bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
