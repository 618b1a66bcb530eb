// hlrun serve: an image or a snapshot file as an HTTP service, a fresh
// sandbox state per request (see hlrun(1), SERVE).
//   hlrun serve [OPTIONS] IMAGE|SNAPSHOT
#include "command_line.hpp"
#include "hlrun_common.hpp"
#include "hlrun_exit_codes.hpp"
#include "hlrun_subcommands.hpp"
#include "logging.hpp"
#include "serve/call_service.hpp"
#include "serve/http_server.hpp"
#include "serve/metrics.hpp"

#include <hl/open_files.hpp>
#include <hl/units.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace hl::cli {
namespace {

struct ServeOptions {
    HlrunOptions common;   // memory, timeout, max_exits, no_seccomp, verbose
    std::string listen = "127.0.0.1:8080";
    std::string listen_from = "--listen";
    unsigned workers = std::max(1u, std::thread::hardware_concurrency());
    uint64_t queue = 64;
    uint64_t max_inflight = 0;
    uint64_t max_connections = 1024;
    bool keep_state = false;
    std::string access_log;
    std::string max_body = "1Mi";
    std::string read_timeout = "10s";
    std::string drain_timeout = "30s";
    bool memory_given = false;
};

// HOST:PORT, the port a number from 0 to 65535 (0: any free one).
bool parse_listen(const std::string& text, HttpOptions& http)
{
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return false;
    unsigned port = 0;
    const char* first = text.data() + colon + 1;
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || first == end || port > 65535)
        return false;
    http.host = text.substr(0, colon);
    if (http.host.size() > 2 && http.host.front() == '[' && http.host.back() == ']')   // [::1]:8080
        http.host = http.host.substr(1, http.host.size() - 2);
    http.port = static_cast<uint16_t>(port);
    return true;
}

std::optional<std::chrono::nanoseconds> duration_of(const std::string& flag, const std::string& text)
{
    const auto d = parse_duration(text);
    if (!d || d->count() == 0) {
        log_error("{}: '{}' is not a duration, expected a positive number with a unit like 500ms, 5s or 2m", flag,
                  text);
        return std::nullopt;
    }
    return *d;
}

// The state calls start from: a snapshot file's, or the image's right after
// its initialisation (whose output goes where hlrun's does).
std::optional<Snapshot> ready_state(const ServeOptions& options, const std::string& path, SandboxOptions sandbox,
                                    int& status)
{
    if (Snapshot::is_snapshot_file(path)) {
        Snapshot snapshot = Snapshot::load(path);
        if (options.memory_given) {
            log_error("--memory: {} is a snapshot file, whose memory size is fixed ({})", path,
                      format_size(snapshot.memory_size()));
            status = kExitUsage;
            return std::nullopt;
        }
        return snapshot;
    }
    Sandbox first(Image::load(path), std::move(sandbox));
    const RunResult init = first.initialize({path});
    if (init.ending != RunResult::Ending::Ready) {
        status = report_not_ready(init);
        return std::nullopt;
    }
    return first.snapshot();
}

int serve(const ServeOptions& options, const std::string& path)
{
    auto sandbox = sandbox_options(options.common);
    if (!sandbox)
        return kExitUsage;
    sandbox->input = {};   // a request's guest reads no stdin: hlrun's is not its
    HttpOptions http;
    if (!parse_listen(options.listen, http)) {
        log_error("{}: '{}' is not HOST:PORT, expected an address and a port from 0 to 65535 like 127.0.0.1:8080",
                  options.listen_from, options.listen);
        return kExitUsage;
    }
    const auto max_body = parse_size(options.max_body);
    if (!max_body || *max_body == 0) {
        log_error("--max-body: '{}' is not a size, expected a number with an optional unit like 1Mi or 64Ki",
                  options.max_body);
        return kExitUsage;
    }
    http.max_body = *max_body;
    const auto read_timeout = duration_of("--read-timeout", options.read_timeout);
    const auto grace = duration_of("--drain-timeout", options.drain_timeout);
    if (!read_timeout || !grace)
        return kExitUsage;
    http.read_timeout = *read_timeout;
    http.max_connections = options.max_connections;
    std::FILE* access_log = nullptr;
    if (options.access_log == "-")
        access_log = stderr;
    else if (!options.access_log.empty() && !(access_log = std::fopen(options.access_log.c_str(), "a"))) {
        log_error("--access-log: cannot write {}: {}", options.access_log, std::strerror(errno));
        return kExitUsage;
    }
    http.access_log = access_log;
    return guarded([&] {
        // Each worker's sandbox holds two descriptors, each connection one;
        // the cap on connections is lowered to what the limit leaves room for.
        const uint64_t reserve = 64 + uint64_t{options.workers} * kFilesPerSandbox;
        const uint64_t files = raise_open_file_limit(reserve + options.max_connections);
        if (files != 0 && files < reserve + options.max_connections) {
            http.max_connections = files > reserve ? files - reserve : 1;
            log_warn("--max-connections {} lowered to {}: the open-file limit is {} (raise it with ulimit -n)",
                     options.max_connections, http.max_connections, files);
        }
        MetricRegistry metrics;
        // Listening comes first: an address in use is said before a long
        // initialisation, and clients that come meanwhile wait in the backlog.
        std::optional<HttpServer> server;
        try {
            server.emplace(http, metrics);
        } catch (const ListenError& error) {
            log_error("{}", error.what());
            return static_cast<int>(kExitCannotListen);
        }
        int status = 0;
        const auto ready = ready_state(options, path, *sandbox, status);
        if (!ready)
            return status;
        ServiceOptions service_options;
        service_options.workers = options.workers;
        service_options.queue_limit = options.queue;
        service_options.max_inflight = options.max_inflight;
        service_options.sandbox = *sandbox;
        service_options.keep_state = options.keep_state;
        if (!options.common.no_seccomp)
            service_options.confine = ConfinePolicy{.on_violation = ConfinePolicy::OnViolation::Report,
                                                    .exit_status = kExitHostError,
                                                    .program = "hlrun"};
        CallService service(*ready, service_options, metrics);
        const bool v6 = http.host.find(':') != std::string::npos;
        log_info("serving {} on http://{}{}{}:{} with {} worker{}", path, v6 ? "[" : "", http.host, v6 ? "]" : "",
                 server->port(), options.workers, options.workers == 1 ? "" : "s");
        server->run(service, *grace);
        log_info("stopped: every call admitted was answered");
        return 0;
    });
}

} // namespace

int hlrun_serve(int argc, char** argv)
{
    ServeOptions options;
    options.common.timeout = "30s";   // a server's calls are bounded unless asked otherwise
    apply_environment(options.common);
    if (const char* listen = std::getenv("HL_LISTEN")) {
        options.listen = listen;
        options.listen_from = "HL_LISTEN";
    }
    CLI::App app{"Serve a function guest's exports over HTTP, a fresh sandbox state per request (see hlrun(1))",
                 "hlrun serve"};
    set_up_command(app, "hlrun", "hlrun serve [OPTIONS] IMAGE|SNAPSHOT");
    app.add_option("--listen,-l", options.listen, "HOST:PORT to listen on (default 127.0.0.1:8080; env HL_LISTEN)");
    app.add_option("--workers,-w", options.workers, "Worker threads, each with a sandbox (default: the CPUs)")
        ->check(whole_number_in(1, 4096));
    app.add_option("--queue", options.queue, "Calls that may wait for a worker; one more gets 503 (default 64)")
        ->check(whole_number_in(1, uint64_t{1} << 20));
    app.add_option("--max-inflight", options.max_inflight,
                   "Calls admitted at once, waiting or running; one more gets 503 (default: workers + queue)")
        ->check(whole_number_in(1, uint64_t{1} << 20));
    app.add_option("--max-connections", options.max_connections,
                   "Connections open at once; more wait in the listen backlog (default 1024)")
        ->check(whole_number_in(1, uint64_t{1} << 20));
    app.add_option("--memory,-m", options.common.memory, "Guest memory size of an image, e.g. 16Mi (env HL_MEMORY)");
    app.add_option("--timeout,-t", options.common.timeout,
                   "Stop a call after this long and answer 504, or the initialisation (exit 124); \"\" for no limit "
                   "(env HL_TIMEOUT; default 30s)");
    app.add_option("--max-exits", options.common.max_exits, "Stop a call after this many VM exits (0: no limit)")
        ->check(exit_count_validator());
    app.add_flag("--keep-state", options.keep_state,
                 "Let calls see what earlier calls left in their worker's sandbox (default: each starts fresh)");
    app.add_option("--access-log", options.access_log, "Append a line per request to FILE (- for stderr)");
    app.add_option("--max-body", options.max_body, "Refuse larger request bodies with 413 (default 1Mi)");
    app.add_option("--read-timeout", options.read_timeout,
                   "Close a connection whose request is not whole after this long, or idle this long (default 10s)");
    app.add_option("--drain-timeout", options.drain_timeout,
                   "On SIGTERM or SIGINT, wait this long for calls in flight, then cancel them (default 30s)");
    app.add_flag("--verbose,-v", options.common.verbose, "Also print the registers of a faulting guest");
    app.add_flag("--no-seccomp", options.common.no_seccomp,
                 "Do not confine the worker threads with a seccomp filter (on by default)");
    std::string path;
    app.add_option("IMAGE", path, "An hl image (initialised once) or a snapshot file")->required();
    if (const auto status = parse_command_line(app, argc, argv, kExitUsage))
        return *status;
    options.memory_given = note_flag_sources(app, options.common);
    if (app.count("--listen"))
        options.listen_from = "--listen";
    if (options.common.verbose)
        log_verbosely();
    return serve(options, path);
}

} // namespace hl::cli
