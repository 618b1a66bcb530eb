// Benchmark (not a test): guest output into a file. 200,000 lines of
// printf("line %ld\n", i), printed by the libc test guest (the tiny libc) and
// by a static musl executable (tests/linux/t_lines.c), each run whole by
// hlrun with stdout on a file, against the same executable run natively into
// a file, as alternating pairs. The exits come from library runs summed up by
// RunStats, with stdout taken for a file and, as every run was before stdout
// followed the terminal, for a terminal (line by line); those two are timed
// against each other too.
//   usage: hl_bench_output HLRUN LIBC_IMAGE LINES_EXECUTABLE [LINES]
// The target: 200,000 lines into a file in <= 3,000 exits.
#include "bench_pairs.hpp"
#include "bench_process.hpp"

#include <hl/sandbox.hpp>
#include <hl/trace_stats.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace hl::bench;
using Clock = std::chrono::steady_clock;

const std::string kOutFile = "/tmp/hl-bench-output.txt";

[[noreturn]] void fail(const std::string& what)
{
    std::fprintf(stderr, "bench: %s\n", what.c_str());
    std::exit(1);
}

std::string out_file()
{
    std::ifstream in(kOutFile, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct LibraryRun {
    uint64_t ns = 0;       // building the sandbox and running the guest
    uint64_t exits = 0;
    uint64_t writes = 0;   // write hypercalls and write/writev system calls
};

// image run through the library, its output appended to kOutFile's descriptor.
LibraryRun library_run(const hl::Image& image, const std::vector<std::string>& argv, bool terminal)
{
    const int fd = open(kOutFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        fail("cannot write " + kOutFile);
    hl::RunStats stats;
    hl::SandboxOptions options;
    options.trace = &stats;
    options.output = [fd](int, std::span<const uint8_t> bytes) -> int64_t {
        for (size_t done = 0; done < bytes.size();) {
            const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
            if (n <= 0)
                return HL_EIO;
            done += static_cast<size_t>(n);
        }
        return static_cast<int64_t>(bytes.size());
    };
    if (terminal)
        options.stdout_terminal = hl::TerminalSize{};
    const auto start = Clock::now();
    hl::Sandbox sandbox(image, std::move(options));
    const hl::RunResult r = sandbox.run(argv);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    close(fd);
    if (r.ending != hl::RunResult::Ending::Exited || r.exit_status != 0)
        fail(argv[0] + " failed: " + r.message);
    LibraryRun run{static_cast<uint64_t>(ns), stats.events(), 0};
    for (const auto* rows : {&stats.hypercalls(), &stats.syscalls()})
        for (const auto& row : *rows)
            if (row.name == "write" || row.name == "writev")
                run.writes += row.host_time.count();
    return run;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s HLRUN LIBC_IMAGE LINES_EXECUTABLE [LINES]\n", argv[0]);
        return 2;
    }
    const std::string hlrun = argv[1], libc = argv[2], native = argv[3];
    const std::string lines = argc > 4 ? argv[4] : "200000";
    try {
        const hl::Image tiny = hl::Image::load(libc), musl = hl::Image::load(native);
        const std::vector<std::string> tiny_argv{libc, "lines", lines}, musl_argv{native, lines};

        // The same bytes every way, or the times compare nothing.
        process_ns({native, lines}, kOutFile);
        const std::string expected = out_file();
        process_ns({hlrun, libc, "lines", lines}, kOutFile);
        if (out_file() != expected)
            fail("the tiny libc guest's output differs from the native program's");
        process_ns({hlrun, native, lines}, kOutFile);
        if (out_file() != expected)
            fail("the musl executable's output under hlrun differs from its native output");

        std::printf("%s lines into a file (%zu bytes)\n\n", lines.c_str(), expected.size());
        std::printf("%-44s %8s %8s\n", "exits (library runs, RunStats)", "exits", "writes");
        const auto exits_row = [](const char* what, const LibraryRun& r) {
            std::printf("%-44s %8llu %8llu\n", what, static_cast<unsigned long long>(r.exits),
                        static_cast<unsigned long long>(r.writes));
        };
        exits_row("tiny libc, stdout a file (16 KiB blocks)", library_run(tiny, tiny_argv, false));
        exits_row("tiny libc, stdout a terminal (line by line)", library_run(tiny, tiny_argv, true));
        exits_row("static musl, stdout a file (1 KiB blocks)", library_run(musl, musl_argv, false));
        exits_row("static musl, stdout a terminal (line by line)", library_run(musl, musl_argv, true));
        std::printf("target: <= 3,000 exits into a file\n\n");

        std::printf("median of %d pairs, microseconds\n", kPairs);
        std::printf("%-34s %10s %10s %9s   %s\n", "", "hl", "base", "ratio", "base");
        row("tiny libc guest under hlrun", [&] { return process_ns({hlrun, libc, "lines", lines}, kOutFile); },
            [&] { return process_ns({native, lines}, kOutFile); }, "native, into a file");
        row("static musl under hlrun", [&] { return process_ns({hlrun, native, lines}, kOutFile); },
            [&] { return process_ns({native, lines}, kOutFile); }, "native, into a file");
        row("tiny libc: line by line vs blocks", [&] { return library_run(tiny, tiny_argv, true).ns; },
            [&] { return library_run(tiny, tiny_argv, false).ns; }, "blocks (library runs)");
    } catch (const std::exception& error) {
        fail(error.what());
    }
    unlink(kOutFile.c_str());
    return 0;
}
