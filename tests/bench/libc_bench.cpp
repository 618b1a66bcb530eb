// Benchmark (not a test): the same guest with each C library, measured in one
// run: tests/guests/functions linked against the tiny libc and against musl
// (tests/bench/functions-musl, the same source with libc = "musl"). Image
// size, cold start (load the image, build the sandbox, run main to
// hl_serve) and the cost of calls, each as alternating pairs (musl, then
// tiny) so that load from elsewhere hits both, with the ratio musl / tiny.
//   usage: hl_bench_libc TINY_IMAGE MUSL_IMAGE [ROUNDS]
#include "bench_pairs.hpp"

#include <hl/sandbox.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace hl::bench;
using Clock = std::chrono::steady_clock;

std::unique_ptr<hl::Sandbox> ready_sandbox(const std::string& path)
{
    auto sandbox = std::make_unique<hl::Sandbox>(hl::Image::load(path), hl::SandboxOptions{});
    sandbox->register_host("mul", [](int64_t a, int64_t b) { return a * b; });
    const hl::RunResult init = sandbox->initialize();
    if (init.ending != hl::RunResult::Ending::Ready)
        throw hl::Error(path + " did not get ready: " + init.message);
    return sandbox;
}

// Median ns from reading the image to the guest waiting in hl_serve.
uint64_t cold_start_ns(const std::string& path, int rounds)
{
    std::vector<uint64_t> samples;
    for (int i = -2; i < rounds; ++i) {
        const auto start = Clock::now();
        const auto sandbox = ready_sandbox(path);
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
        if (i >= 0)
            samples.push_back(static_cast<uint64_t>(ns));
    }
    return median(samples);
}

void size_row(const char* what, uint64_t musl, uint64_t tiny)
{
    std::printf("%-34s %10llu %10llu %8.2fx\n", what, static_cast<unsigned long long>(musl),
                static_cast<unsigned long long>(tiny), static_cast<double>(musl) / static_cast<double>(tiny));
}

// Bytes the segments take from the file (text, rodata, data) and in memory (bss too).
void image_rows(const std::string& tiny_path, const std::string& musl_path)
{
    const hl::Image tiny = hl::Image::load(tiny_path), musl = hl::Image::load(musl_path);
    auto loaded = [](const hl::Image& image, bool memory) {
        uint64_t bytes = 0;
        for (const hl::Segment& s : image.segments())
            bytes += memory ? s.memsz : s.filesz;
        return bytes;
    };
    std::printf("%-34s %10s %10s %9s\n", "image, bytes", "musl", "tiny", "musl/tiny");
    size_row("file", std::filesystem::file_size(musl_path), std::filesystem::file_size(tiny_path));
    size_row("loaded from the file", loaded(musl, false), loaded(tiny, false));
    size_row("in memory (with bss)", loaded(musl, true), loaded(tiny, true));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s TINY_IMAGE MUSL_IMAGE [ROUNDS]\n", argv[0]);
        return 2;
    }
    const std::string tiny_path = argv[1], musl_path = argv[2];
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 2000;
    try {
        image_rows(tiny_path, musl_path);
        std::printf("\n%-34s %10s %10s %9s   (median of %d pairs, microseconds)\n", "time", "musl", "tiny",
                    "musl/tiny", kPairs);
        row("cold start: load, create, main", [&] { return cold_start_ns(musl_path, rounds / 40); },
            [&] { return cold_start_ns(tiny_path, rounds / 40); }, "");
        const auto musl = ready_sandbox(musl_path), tiny = ready_sandbox(tiny_path);
        row("call round trip (add)", [&] { return call_ns(*musl, rounds, "add", {int64_t{1}, int64_t{2}}); },
            [&] { return call_ns(*tiny, rounds, "add", {int64_t{1}, int64_t{2}}); }, "");
        row("call with snprintf (greet)", [&] { return call_ns(*musl, rounds, "greet", {std::string("world")}); },
            [&] { return call_ns(*tiny, rounds, "greet", {std::string("world")}); }, "");
        row("call + one host function", [&] { return call_ns(*musl, rounds, "use_mul", {int64_t{6}, int64_t{7}}); },
            [&] { return call_ns(*tiny, rounds, "use_mul", {int64_t{6}, int64_t{7}}); }, "");
        const auto musl_fresh = ready_sandbox(musl_path), tiny_fresh = ready_sandbox(tiny_path);
        musl_fresh->set_fresh_per_call(true);
        tiny_fresh->set_fresh_per_call(true);
        row("fresh call (restore + greet)", [&] { return call_ns(*musl_fresh, rounds, "greet", {std::string("x")}); },
            [&] { return call_ns(*tiny_fresh, rounds, "greet", {std::string("x")}); }, "");
    } catch (const hl::Error& error) {
        std::fprintf(stderr, "bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
