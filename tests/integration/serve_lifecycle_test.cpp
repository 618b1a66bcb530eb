// hlrun serve's start and end as a user meets them: overload and its
// Retry-After, SIGTERM with a call in flight, with idle connections, past
// --drain-timeout and while the image is initialised, and what keeps it
// from starting (an address in use, bad values, the open-file limit), each
// with its one line and status.
#include "serve_client.hpp"

#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

using namespace hl::test;
using namespace std::chrono_literals;

namespace {

const std::string kFunctions = guest_image("functions");

} // namespace

TEST_CASE("hlrun serve: overload gets 503 with Retry-After, and SIGTERM answers the call in flight before exiting")
{
    HL_REQUIRE_KVM();
    Server server({"--workers", "1", "--queue", "1", "--timeout", "5s", kFunctions});
    Response spun, queued;
    // Until the metrics show `lines`, every one (a bounded wait).
    auto metrics_show = [&](std::vector<std::string> lines) {
        for (int i = 0; i < 500; ++i) {
            const std::string text = request("GET", server.url("/metrics")).body;
            if (std::all_of(lines.begin(), lines.end(), [&](const std::string& l) { return text.find(l) != std::string::npos; }))
                return true;
            std::this_thread::sleep_for(5ms);
        }
        return false;
    };
    std::thread first([&] { spun = post_from_thread(server.url("/v1/call/spin"), "[]"); });
    // The worker runs spin...
    REQUIRE(metrics_show({"hl_inflight_requests 1\n", "hl_queued_requests 0\n"}));
    std::thread second([&] { queued = post_from_thread(server.url("/v1/call/add"), "[1, 2]"); });
    // ...and add waits in the queue.
    REQUIRE(metrics_show({"hl_inflight_requests 2\n", "hl_queued_requests 1\n"}));
    const Response refused = request("POST", server.url("/v1/call/add"), "[1, 2]");
    CHECK(refused.status == 503);
    CHECK(refused.headers.find("Retry-After: 1") != std::string::npos);
    CHECK(refused.body.find(R"j("ending":"overloaded")j") != std::string::npos);
    // SIGTERM now: spin still runs, add still waits; both are answered, then hlrun exits 0.
    const int status = server.stop();
    first.join();
    second.join();
    CHECK(status == 0);
    CHECK(spun.status == 504);
    CHECK(queued.body == R"j({"value":3})j");
    CHECK(server.err().find("hlrun: info: stopped: every call admitted was answered") != std::string::npos);
}

TEST_CASE("hlrun serve: what keeps it from starting is one line and a status of its own")
{
    HL_REQUIRE_KVM();
    Server first({kFunctions});
    const std::string taken = "127.0.0.1:" + std::to_string(first.port());
    ProcessResult r = hlrun({"serve", "--listen", taken, kFunctions});
    CHECK(r.status == 113);
    CHECK(r.err == "hlrun: error: --listen " + taken + ": cannot listen: Address already in use\n");
    r = hlrun({"serve", "--listen", "localhost", kFunctions});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --listen: 'localhost' is not HOST:PORT, expected an address and a port from 0 to "
                   "65535 like 127.0.0.1:8080\n");
    r = hlrun({"serve", "--listen", "example.org:80", kFunctions});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --listen example.org:80: 'example.org' is not an IP address\n");
    r = hlrun({"serve", "--listen", "127.0.0.1:0", "/nonexistent.hl"});
    CHECK(r.status == 121);
    r = hlrun({"serve", "--listen", "127.0.0.1:0", "--max-body", "lots", kFunctions});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --max-body: 'lots' is not a size, expected a number with an optional unit like 1Mi "
                   "or 64Ki\n");
    r = hlrun({"serve", "--listen", "127.0.0.1:0", "--max-body", "0", kFunctions});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --max-body: '0' is not a size, expected a number with an optional unit like 1Mi "
                   "or 64Ki\n");
    r = hlrun({"serve", "--listen", "127.0.0.1:0", guest_image("hello")});   // never calls hl_serve
    CHECK(r.status == 125);
    CHECK(r.err.find("hlrun: error: the guest exited with status 0 before it was ready for calls") != std::string::npos);
    CHECK(first.stop() == 0);
}

TEST_CASE("hlrun serve: SIGTERM closes idle connections at once and cancels a call past --drain-timeout")
{
    HL_REQUIRE_KVM();
    Server server({"--workers", "1", "--timeout", "120s", "--read-timeout", "120s", "--drain-timeout", "1s", kFunctions});
    Connection idle(server.port());
    idle.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(idle.answer().body == "ready\n");   // and the connection is kept
    Response spun;
    std::thread caller([&] { spun = post_from_thread(server.url("/v1/call/spin"), "[]"); });
    bool running = false;
    for (int i = 0; i < 500 && !running; ++i) {
        running = request("GET", server.url("/metrics")).body.find("hl_inflight_requests 1\n") != std::string::npos;
        std::this_thread::sleep_for(5ms);
    }
    REQUIRE(running);
    server.terminate();
    // The idle connection is closed by the drain, long before its read timeout.
    CHECK(idle.closed_by_server());
    // spin would run for 120 s; the drain gives it 1 s, then cancels it.
    const int status = server.stop();
    caller.join();
    CHECK(status == 0);
    CHECK(spun.status == 503);
    CHECK(spun.body.find(R"j("ending":"cancelled")j") != std::string::npos);
}

TEST_CASE("hlrun serve: an address in use is found before the image is initialised")
{
    HL_REQUIRE_KVM();
    Server first({kFunctions});
    const std::string taken = "127.0.0.1:" + std::to_string(first.port());
    // hello never becomes ready (125 when initialised): the listen error comes first.
    const ProcessResult r = hlrun({"serve", "--listen", taken, guest_image("hello")});
    CHECK(r.status == 113);
    CHECK(r.err == "hlrun: error: --listen " + taken + ": cannot listen: Address already in use\n");
    CHECK(first.stop() == 0);
}

TEST_CASE("hlrun serve: SIGTERM while the image is initialised ends it at once")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string image = dir + "/never-ready.hl";   // the functions guest spins in main() under this name
    std::filesystem::copy_file(kFunctions, image);
    const std::string hlrun = HL_HLRUN;
    const char* argv[] = {hlrun.c_str(), "serve", "--listen", "127.0.0.1:0", "-t", "", image.c_str(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char**>(argv), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    std::this_thread::sleep_for(300ms);   // in its initialisation, or about to be: either way it must end
    kill(pid, SIGTERM);
    int status = 0;
    bool ended = false;
    for (int waited = 0; !ended && waited < 300; ++waited) {   // 30 s: an initialisation with no limit never ends
        ended = waitpid(pid, &status, WNOHANG) == pid;
        if (!ended)
            std::this_thread::sleep_for(100ms);
    }
    if (!ended) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    CHECK(ended);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun serve: a lower open-file limit lowers --max-connections, with a warning")
{
    HL_REQUIRE_KVM();
    // The limit in force is lowered before hlrun starts; it fails later, on
    // a missing image, having said what it lowered.
    const ProcessResult r = run_process({"/bin/sh", "-c",
                                         "ulimit -n 200 && exec \"$0\" serve --listen 127.0.0.1:0 --workers 2 "
                                         "--max-connections 1024 /nonexistent.hl",
                                         HL_HLRUN});
    CHECK(r.status == 121);
    CHECK(r.err.rfind("hlrun: warning: --max-connections 1024 lowered to 132: the open-file limit is 200 (raise it "
                      "with ulimit -n)\n",
                      0) == 0);
}
