// Benchmark (not a test): guest calls against the raw-KVM floor, measured in
// one run. kvm_floor (a small C program beside this file) does the same exits
// and the same memory writes with nothing else around them; every hl number
// is reported as a ratio to it. With `seccomp`, the calls run on a thread
// confined by hl::confine_this_thread, as hlrun's are.
//   usage: hl_bench_calls FUNCTIONS_GUEST_IMAGE KVM_FLOOR [ROUNDS [seccomp]]
// The targets: a call <= 1.2x one exit, a call with one host function
// <= 1.2x two exits, a fresh call dirtying 16 pages <= 1.3x the cheapest
// restore; 1 and 256 pages show how the cost grows.
#include "bench_pairs.hpp"

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

using namespace hl::bench;

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
