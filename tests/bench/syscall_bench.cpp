// Benchmark (not a test): the Linux personality against the raw-KVM floor
// and against native. One emulated system call (getpid) costs one exit, so
// it is compared with the floor's one exit, and with the floor's own
// `syscall` (the instruction, LSTAR's stub, an MMIO exit and a resume at
// %rcx: the least a system call costs on this host); compute-bound code runs natively
// at CPL3, so it is compared with the same static executable run on the host.
//   usage: hl_bench_syscalls LINUX_LOOP KVM_FLOOR [ROUNDS]
// The targets: a system call <= 1.3x one exit; compute <= 1.05x native.
#include "bench_pairs.hpp"

#include <hl/sandbox.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

using namespace hl::bench;

std::string run_in_sandbox(const hl::Image& image, const std::vector<std::string>& argv, uint64_t& duration_ns,
                           hl::TraceSink* trace = nullptr)
{
    std::string out;
    hl::SandboxOptions options;
    options.memory_size = 16u << 20;
    options.trace = trace;
    options.output = [&out](int, std::span<const uint8_t> bytes) -> int64_t {
        out.append(bytes.begin(), bytes.end());
        return static_cast<int64_t>(bytes.size());
    };
    hl::Sandbox sandbox(image, std::move(options));
    const hl::RunResult r = sandbox.run(argv);
    if (r.ending != hl::RunResult::Ending::Exited || r.exit_status != 0) {
        std::fprintf(stderr, "bench: %s failed: %s\n", argv[0].c_str(), r.message.c_str());
        std::exit(1);
    }
    duration_ns = static_cast<uint64_t>(r.duration.count());
    return out;
}

// Each getpid's round trip as the floor times its rounds: from entering
// KVM_RUN to the end of serving the exit it stopped at (the event's exit_ns
// is taken after handling; building the event, trace-only work, is not in it).
class RoundTrips final : public hl::TraceSink {
public:
    void on_exit(const hl::ExitEvent& event) override
    {
        if (event.hypercall && event.hypercall->system_call && std::string_view(event.hypercall->name) == "getpid")
            ns.push_back(event.exit_ns - event.entry_ns);
    }
    std::vector<uint64_t> ns;
};

// The median ns of one system call, over `rounds` of them: a median, as the
// floor's, since a mean over a shared machine is its outliers.
uint64_t syscall_ns(const hl::Image& image, const std::string& path, int rounds)
{
    RoundTrips trips;
    uint64_t unused = 0;
    run_in_sandbox(image, {path, "syscalls", std::to_string(rounds)}, unused, &trips);
    if (trips.ns.size() != static_cast<size_t>(rounds)) {
        std::fprintf(stderr, "bench: expected %d getpid exits, saw %zu\n", rounds, trips.ns.size());
        std::exit(1);
    }
    return median(trips.ns);
}

uint64_t reported_ns(const std::string& out)
{
    return std::strtoull(out.c_str(), nullptr, 10);
}

uint64_t native_compute_ns(const std::string& path, long rounds)
{
    const std::string command = path + " compute " + std::to_string(rounds);
    std::FILE* pipe = popen(command.c_str(), "r");
    char line[128] = {};
    if (!pipe || !std::fgets(line, sizeof line, pipe) || pclose(pipe) != 0) {
        std::fprintf(stderr, "bench: '%s' failed\n", command.c_str());
        std::exit(1);
    }
    return reported_ns(line);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s LINUX_LOOP KVM_FLOOR [ROUNDS]\n", argv[0]);
        return 2;
    }
    const std::string path = argv[1], floor = argv[2];
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 2000;
    try {
        const hl::Image image = hl::Image::load(path);
        std::printf("the Linux personality vs the raw-KVM floor and native, median of %d pairs, microseconds\n",
                    kPairs);
        std::printf("%-34s %10s %10s %9s   %s\n", "", "hl", "base", "ratio", "target");
        row("system call (getpid)", [&] { return syscall_ns(image, path, rounds); },
            [&] { return floor_ns(floor, rounds, 0, "none"); }, "<= 1.3x one exit");
        row("system call vs a raw `syscall`", [&] { return syscall_ns(image, path, rounds); },
            [&] { return floor_ns(floor, rounds, 0, "syscall"); }, "(syscall, stub, MMIO exit, resume)");
        const long work = 50'000'000;
        row("compute, 50M rounds (vs native)",
            [&] {
                uint64_t unused = 0;
                return reported_ns(run_in_sandbox(image, {path, "compute", std::to_string(work)}, unused));
            },
            [&] { return native_compute_ns(path, work); }, "<= 1.05x native");
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
