// Benchmark (not a test): guest calls against the raw-KVM floor, measured in
// one run. kvm_floor (a small C program beside this file) does the same exits
// and the same memory writes with nothing else around them; every hl number
// is reported as a ratio to it. With `seccomp`, the calls run on a thread
// confined by hl::confine_this_thread, as hlrun's are.
//   usage: hl_bench_calls FUNCTIONS_GUEST_IMAGE KVM_FLOOR [ROUNDS [seccomp]]
// The targets: a call <= 1.2x one exit, a call with one host function
// <= 1.2x two exits, a fresh call dirtying 16 pages <= 1.3x the cheapest
// restore; 1 and 256 pages show how the cost grows.
#include <hl/confine.hpp>
#include <hl/sandbox.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
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

// call_ns on a thread of its own that confines itself first (a filter
// cannot be lifted, and this thread still builds sandboxes and runs the floor).
uint64_t confined_call_ns(hl::Sandbox& sandbox, int rounds, const char* name, const std::vector<hl::Value>& args)
{
    uint64_t ns = 0;
    std::thread worker([&] {
        hl::confine_this_thread();
        ns = call_ns(sandbox, rounds, name, args);
    });
    worker.join();
    return ns;
}

// One case measured as kPairs alternating pairs (hl, then the floor), so that
// a stretch of load from elsewhere on the machine hits both sides of a pair;
// the row gives the median of each side and the median of the pairs' ratios.
constexpr int kPairs = 5;

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

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s FUNCTIONS_GUEST_IMAGE KVM_FLOOR [ROUNDS [seccomp]]\n", argv[0]);
        return 2;
    }
    const std::string floor = argv[2];
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 2000;
    const bool confined = argc > 4 && std::string(argv[4]) == "seccomp";
    const auto calls = confined ? confined_call_ns : call_ns;
    try {
        const hl::Image image = hl::Image::load(argv[1]);
        auto make = [&] {
            auto s = std::make_unique<hl::Sandbox>(image, hl::SandboxOptions{});
            s->register_host("mul", [](int64_t a, int64_t b) { return a * b; });
            if (s->initialize().ending != hl::RunResult::Ending::Ready)
                throw hl::Error("the functions guest did not get ready");
            return s;
        };
        std::printf("guest calls vs the raw-KVM floor, median of %d x %d pairs, microseconds%s\n", rounds, kPairs,
                    confined ? ", calls on a seccomp-confined thread" : "");
        std::printf("%-34s %10s %10s %9s   %s\n", "", "hl", "floor", "ratio", "target");
        auto plain = make();
        row("call round trip", [&] { return calls(*plain, rounds, "add", {int64_t{1}, int64_t{2}}); },
            [&] { return floor_ns(floor, rounds, 0, "none"); }, "<= 1.2x one exit");
        row("call + one host function", [&] { return calls(*plain, rounds, "use_mul", {int64_t{6}, int64_t{7}}); },
            [&] { return 2 * floor_ns(floor, rounds, 0, "none"); }, "<= 1.2x two exits");
        for (const int pages : {1, 16, 256}) {
            auto fresh = make();
            fresh->set_fresh_per_call(true);
            const int n = pages == 256 ? rounds / 10 : rounds;
            std::vector<uint64_t> dirtylog, dontneed;
            const std::string what = "fresh call dirtying " + std::to_string(pages) + " page" + (pages == 1 ? "" : "s");
            row(what.c_str(), [&] { return calls(*fresh, n, "touch", {static_cast<uint64_t>(pages)}); },
                [&] {
                    dirtylog.push_back(floor_ns(floor, n, pages, "dirtylog"));
                    dontneed.push_back(floor_ns(floor, n, pages, "dontneed"));
                    return std::min(dirtylog.back(), dontneed.back());
                },
                pages == 16 ? "<= 1.3x cheapest restore" : "(how it grows)");
            std::printf("%-34s %10s %10.1f (dirty log)  %.1f (MADV_DONTNEED)\n", "", "",
                        static_cast<double>(median(dirtylog)) / 1e3, static_cast<double>(median(dontneed)) / 1e3);
        }
    } catch (const hl::Error& error) {
        std::fprintf(stderr, "bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
