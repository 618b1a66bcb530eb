// Benchmark (not a test): hlrun serve on loopback, loaded by wrk, against
//   (a) the same call through the library in-process, a fresh state each
//       call (the call, then the restore of the pages it wrote), and
//   (b) hl_bench_serve's HTTP floor: a minimal server on the same HTTP
//       library answering the same request without a VM (http_floor.hpp);
// and the time from starting `hlrun serve SNAPSHOT` to its first 200
// (scale-from-zero) against a cold `hlrun hello`.
//   usage: hl_bench_serve HLRUN FUNCTIONS_IMAGE HELLO_IMAGE [SECONDS]
// SECONDS (default 1) is each wrk run's length; rows are medians of
// alternating pairs (bench_pairs.hpp). Issue 13's targets: the latency a
// request adds over the floor server <= 1.3x one fresh call in-process, and
// the first answer from a snapshot <= 2x a cold `hlrun hello`.
#include "bench_pairs.hpp"
#include "bench_process.hpp"
#include "http_floor.hpp"

#include <hl/sandbox.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace hl::bench;
using Clock = std::chrono::steady_clock;

const char* const kScript = R"lua(
wrk.method = "POST"
wrk.body = "[1, 2]"
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("hl-bench %d %d %d %d %d\n", latency:percentile(50), latency:percentile(99),
                           summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout))
end
)lua";

struct Load {
    uint64_t p50_ns, p99_ns;
    double per_second;
};

// wrk against url: `connections` connections on one thread for `seconds`.
// Any error or non-2xx answer ends the benchmark: a fast wrong server is no result.
Load load(const std::string& script, const std::string& url, int connections, int seconds)
{
    const std::string command = "wrk -t1 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) +
                                "s --timeout 10s -s " + script + " " + url + " 2>&1";
    std::FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
        std::fprintf(stderr, "bench: cannot run wrk\n");
        std::exit(1);
    }
    std::string out;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        out.append(buffer, n);
    const int status = pclose(pipe);
    unsigned long long p50 = 0, p99 = 0, requests = 0, duration_us = 0, errors = 0;
    const size_t at = out.find("hl-bench ");
    if (status != 0 || at == std::string::npos ||
        std::sscanf(out.c_str() + at, "hl-bench %llu %llu %llu %llu %llu", &p50, &p99, &requests, &duration_us,
                    &errors) != 5 ||
        errors != 0 || requests == 0) {
        std::fprintf(stderr, "bench: '%s' failed or saw errors:\n%s", command.c_str(), out.c_str());
        std::exit(1);
    }
    return {p50 * 1000, p99 * 1000, static_cast<double>(requests) * 1e6 / static_cast<double>(duration_us)};
}

// `hlrun serve` as a child process on a port of its choosing, read from its
// "serving ... on http://127.0.0.1:PORT" line.
class Served {
public:
    Served(const std::string& hlrun, const std::string& image, int workers)
    {
        int err[2];
        if (pipe2(err, O_CLOEXEC) != 0)
            fail("pipe2");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
        const std::string w = std::to_string(workers);
        const char* argv[] = {hlrun.c_str(), "serve", "--listen", "127.0.0.1:0", "--workers", w.c_str(),
                              "--queue", "1024", image.c_str(), nullptr};
        if (posix_spawn(&pid_, argv[0], &actions, nullptr, const_cast<char**>(argv), environ) != 0)
            fail("posix_spawn of hlrun serve");
        posix_spawn_file_actions_destroy(&actions);
        close(err[1]);
        const std::string marker = "on http://127.0.0.1:";
        std::string text;
        char buffer[512];
        while (text.find('\n', text.find(marker) == std::string::npos ? text.size() : text.find(marker)) ==
               std::string::npos) {
            pollfd p{err[0], POLLIN, 0};
            const ssize_t n = poll(&p, 1, 30000) == 1 ? read(err[0], buffer, sizeof buffer) : -1;
            if (n <= 0)
                fail("hlrun serve did not start: " + text);
            text.append(buffer, static_cast<size_t>(n));
        }
        close(err[0]);
        port_ = std::stoi(text.substr(text.find(marker) + marker.size()));
    }
    ~Served()
    {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    int port() const { return port_; }

private:
    [[noreturn]] static void fail(const std::string& what)
    {
        std::fprintf(stderr, "bench: %s\n", what.c_str());
        std::exit(1);
    }
    pid_t pid_ = -1;
    int port_ = 0;
};

std::string url(int port) { return "http://127.0.0.1:" + std::to_string(port) + "/v1/call/add"; }

// Fresh calls per second in-process on `threads` threads, a sandbox each.
double in_process_per_second(const hl::Image& image, int threads, int seconds)
{
    std::vector<std::unique_ptr<hl::Sandbox>> sandboxes;
    for (int i = 0; i < threads; ++i) {
        sandboxes.push_back(std::make_unique<hl::Sandbox>(image, hl::SandboxOptions{}));
        sandboxes.back()->initialize({"functions"});
        sandboxes.back()->set_fresh_per_call(true);
    }
    std::vector<uint64_t> counts(static_cast<size_t>(threads));
    const auto end = Clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back([&, i] {
            const std::vector<hl::Value> args{hl::Value(int64_t{1}), hl::Value(int64_t{2})};
            while (Clock::now() < end) {
                sandboxes[static_cast<size_t>(i)]->call("add", args);
                ++counts[static_cast<size_t>(i)];
            }
        });
    for (auto& t : workers)
        t.join();
    uint64_t total = 0;
    for (uint64_t c : counts)
        total += c;
    return static_cast<double>(total) / seconds;
}

// From posix_spawn of `hlrun serve SNAPSHOT` to the first 200 for a call on
// `port` (a client that connects as soon as it can; hlrun listens before it
// warms up, so the request then waits in its backlog).
uint64_t first_answer_ns(const std::string& hlrun, const std::string& snapshot, int workers, int port)
{
    const std::string listen = "127.0.0.1:" + std::to_string(port), w = std::to_string(workers);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const char* argv[] = {hlrun.c_str(), "serve", "--listen", listen.c_str(), "--workers", w.c_str(),
                          snapshot.c_str(), nullptr};
    const auto start = Clock::now();
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char**>(argv), environ) != 0) {
        std::fprintf(stderr, "bench: cannot start hlrun serve\n");
        std::exit(1);
    }
    posix_spawn_file_actions_destroy(&actions);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string request = "POST /v1/call/add HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n[1, 2]";
    std::string answer;
    for (int attempt = 0; answer.empty(); ++attempt) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
            close(fd);
            if (errno != ECONNREFUSED || attempt > 200000) {
                std::fprintf(stderr, "bench: cannot connect to hlrun serve: %s\n", std::strerror(errno));
                std::exit(1);
            }
            usleep(20);
            continue;
        }
        char buffer[512];
        ssize_t n = write(fd, request.data(), request.size());
        while (n > 0 && answer.find("\r\n\r\n") == std::string::npos) {
            n = read(fd, buffer, sizeof buffer);
            if (n > 0)
                answer.append(buffer, static_cast<size_t>(n));
        }
        close(fd);
    }
    const auto elapsed = Clock::now() - start;
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    if (answer.rfind("HTTP/1.1 200", 0) != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "bench: hlrun serve's first answer was not 200, or it did not exit 0:\n%s\n",
                     answer.c_str());
        std::exit(1);
    }
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
}

int free_port()
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof at;
    if (bind(fd, reinterpret_cast<const sockaddr*>(&at), sizeof at) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&at), &size) != 0) {
        std::fprintf(stderr, "bench: no free port\n");
        std::exit(1);
    }
    close(fd);
    return ntohs(at.sin_port);
}

template <typename T>
T median_of(std::vector<T> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: %s HLRUN FUNCTIONS_IMAGE HELLO_IMAGE [SECONDS]\n", argv[0]);
        return 2;
    }
    const std::string hlrun = argv[1], functions = argv[2], hello = argv[3];
    const int seconds = argc > 4 ? std::atoi(argv[4]) : 1;
    if (seconds < 1) {
        std::fprintf(stderr, "bench: SECONDS must be a positive number\n");
        return 2;
    }
    const std::string script = "/tmp/hl-bench-serve-" + std::to_string(getpid()) + ".lua";
    const std::string snapshot = "/tmp/hl-bench-serve-" + std::to_string(getpid()) + ".snap";
    {
        std::FILE* f = std::fopen(script.c_str(), "w");
        if (!f || std::fputs(kScript, f) < 0 || std::fclose(f) != 0) {
            std::fprintf(stderr, "bench: cannot write %s\n", script.c_str());
            return 1;
        }
    }
    process_ns({hlrun, "snapshot", "-o", snapshot, functions});
    const hl::Image image = hl::Image::load(functions);
    hl::Sandbox sandbox(image, {});
    sandbox.initialize({"functions"});
    sandbox.set_fresh_per_call(true);
    HttpFloor floor;

    std::printf("hlrun serve on loopback, wrk -t1, POST /v1/call/add [1, 2]; %d s a run, median of %d pairs\n",
                seconds, kPairs);
    for (int workers : {1, 2}) {
        Served served(hlrun, functions, workers);
        // Latency: one connection, one request at a time.
        std::vector<double> overheads, ratios, fresh_us;
        std::vector<uint64_t> hl50, hl99, floor50, floor99;
        for (int i = 0; i < kPairs; ++i) {
            const Load hl_load = load(script, url(served.port()), 1, seconds);
            const Load floor_load = load(script, url(floor.port()), 1, seconds);
            const uint64_t fresh = call_ns(sandbox, 500, "add", {int64_t{1}, int64_t{2}});   // restore, then call
            hl50.push_back(hl_load.p50_ns);
            hl99.push_back(hl_load.p99_ns);
            floor50.push_back(floor_load.p50_ns);
            floor99.push_back(floor_load.p99_ns);
            const double overhead = static_cast<double>(hl_load.p50_ns) - static_cast<double>(floor_load.p50_ns);
            overheads.push_back(overhead / 1e3);
            fresh_us.push_back(static_cast<double>(fresh) / 1e3);
            ratios.push_back(overhead / static_cast<double>(fresh));
        }
        std::printf("\n%d worker%s, 1 connection: p50 / p99 latency, microseconds\n", workers, workers == 1 ? "" : "s");
        std::printf("  hlrun serve %8.1f / %8.1f\n", median(hl50) / 1e3, median(hl99) / 1e3);
        std::printf("  HTTP floor  %8.1f / %8.1f\n", median(floor50) / 1e3, median(floor99) / 1e3);
        std::printf("  added by hlrun serve at p50: %.1f us = %.2fx one fresh call in-process (%.1f us)   "
                    "target <= 1.3x\n",
                    median_of(overheads), median_of(ratios), median_of(fresh_us));
        // Throughput: 16 connections.
        std::vector<double> hl_rate, floor_rate, lib_rate;
        std::vector<uint64_t> hl50_16, hl99_16;
        for (int i = 0; i < kPairs; ++i) {
            const Load hl_load = load(script, url(served.port()), 16, seconds);
            const Load floor_load = load(script, url(floor.port()), 16, seconds);
            hl_rate.push_back(hl_load.per_second);
            hl50_16.push_back(hl_load.p50_ns);
            hl99_16.push_back(hl_load.p99_ns);
            floor_rate.push_back(floor_load.per_second);
            lib_rate.push_back(in_process_per_second(image, workers, seconds));
        }
        std::printf("%d worker%s, 16 connections: requests per second\n", workers, workers == 1 ? "" : "s");
        std::printf("  hlrun serve %9.0f   (p50 %.1f us, p99 %.1f us)\n", median_of(hl_rate), median(hl50_16) / 1e3,
                    median(hl99_16) / 1e3);
        std::printf("  HTTP floor  %9.0f\n", median_of(floor_rate));
        std::printf("  in-process  %9.0f   fresh calls on %d thread%s, no HTTP\n", median_of(lib_rate), workers,
                    workers == 1 ? "" : "s");
    }

    const int port = free_port();
    std::printf("\nscale from zero: posix_spawn of hlrun serve SNAPSHOT to its first 200, against a cold "
                "hlrun hello (whole process); median of 20 runs, microseconds\n");
    std::printf("%-34s %10s %10s %9s   %s\n", "", "serve", "hello", "ratio", "target");
    const auto hello_ns = [&] {
        std::vector<uint64_t> samples;
        for (int i = 0; i < 20; ++i)
            samples.push_back(process_ns({hlrun, hello}));
        return median(samples);
    };
    for (int workers : {1, 2}) {
        const std::string what = "first 200, --workers " + std::to_string(workers);
        row(what.c_str(),
            [&] {
                std::vector<uint64_t> samples;
                for (int i = 0; i < 20; ++i)
                    samples.push_back(first_answer_ns(hlrun, snapshot, workers, port));
                return median(samples);
            },
            hello_ns, "<= 2x");
    }
    std::remove(script.c_str());
    std::remove(snapshot.c_str());
    return 0;
}
