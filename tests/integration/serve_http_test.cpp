// hlrun serve as a user runs it: a real process on a loopback port, driven
// by curl (and, for what curl will not do, a raw socket): routes, fresh state
// per request, every refusal, a slow client, overload, SIGTERM with a call in
// flight, and the start-up errors with their statuses.
#include "process.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace hl::test;
using namespace std::chrono_literals;

namespace {

const std::string kFunctions = guest_image("functions");

// A running `hlrun serve --listen 127.0.0.1:0 ARGS... IMAGE`, its port read
// from its "serving ... on http://127.0.0.1:PORT" line.
class Server {
public:
    explicit Server(std::vector<std::string> args)
    {
        REQUIRE(pipe2(err_, O_CLOEXEC) == 0);
        std::vector<std::string> argv = {HL_HLRUN, "serve", "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<char*> raw;
        for (std::string& a : argv)
            raw.push_back(a.data());
        raw.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, err_[1], STDERR_FILENO);
        REQUIRE(posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        close(err_[1]);
        const std::string marker = "on http://127.0.0.1:";
        while (err_text_.find(marker) == std::string::npos || err_text_.find('\n', err_text_.find(marker)) == std::string::npos)
            REQUIRE(read_some(30s));
        port_ = std::stoi(err_text_.substr(err_text_.find(marker) + marker.size()));
    }
    ~Server()
    {
        if (pid_ > 0)
            stop();
        close(err_[0]);
    }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    int port() const { return port_; }
    // SIGTERM, then its exit status and everything it wrote on stderr.
    int stop()
    {
        kill(pid_, SIGTERM);
        while (read_some(60s)) {
        }
        int status = 0;
        // A drain that hangs must fail the test, not hang it.
        for (int waited = 0; waitpid(pid_, &status, WNOHANG) == 0; ++waited) {
            if (waited == 600)
                kill(pid_, SIGKILL);
            std::this_thread::sleep_for(100ms);
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    const std::string& err() const { return err_text_; }

private:
    bool read_some(std::chrono::seconds timeout)
    {
        pollfd p{err_[0], POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(timeout.count() * 1000)) <= 0)
            return false;
        char buffer[4096];
        const ssize_t n = read(err_[0], buffer, sizeof buffer);
        if (n <= 0)
            return false;
        err_text_.append(buffer, static_cast<size_t>(n));
        return true;
    }
    pid_t pid_ = -1;
    int err_[2] = {-1, -1};
    int port_ = 0;
    std::string err_text_;
};

struct Response {
    int status = 0;
    std::string body;
    std::string headers;
};

Response parse_response(const std::string& out)
{
    Response response;
    const size_t end = out.find("\r\n\r\n");
    if (end == std::string::npos)
        return response;
    response.headers = out.substr(0, end);
    response.body = out.substr(end + 4);
    response.status = std::stoi(response.headers.substr(response.headers.find(' ') + 1));
    return response;
}

// curl METHOD url with body: status, headers and body as received.
Response request(const std::string& method, const std::string& url, const std::string& body = {})
{
    std::vector<std::string> argv = {HL_CURL, "-s", "-S", "--max-time", "60", url};
    if (method == "HEAD")   // curl -X HEAD would wait for the body the headers announce
        argv.push_back("-I");
    else
        argv.insert(argv.end(), {"-i", "-X", method});
    if (!body.empty() || method == "POST")
        argv.insert(argv.end(), {"--data-binary", body});
    const ProcessResult r = run_process(argv);
    return r.status == 0 ? parse_response(r.out) : Response{};
}

// A POST from another thread, where Catch2's assertions (run_process's) must
// not run: through popen, the body a plain JSON text without quotes.
Response post_from_thread(const std::string& url, const std::string& body)
{
    const std::string command = std::string(HL_CURL) + " -s -i --max-time 60 -X POST --data-binary '" + body + "' " + url;
    std::FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return {};
    std::string out;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        out.append(buffer, n);
    pclose(pipe);
    return parse_response(out);
}

} // namespace

TEST_CASE("hlrun serve: calls by JSON and by bytes, each from a fresh state, and every route")
{
    HL_REQUIRE_KVM();
    Server server({"--workers", "2", kFunctions});
    Response r = request("POST", server.url("/v1/call/add"), "[2, 3]");
    CHECK(r.status == 200);
    CHECK(r.body == R"j({"value":5})j");
    CHECK(r.headers.find("Content-Type: application/json") != std::string::npos);
    for (int i = 0; i < 3; ++i)
        CHECK(request("POST", server.url("/v1/call/next"), "[]").body == R"j({"value":101})j");
    r = request("POST", server.url("/v1/invoke/reverse"), "hello");
    CHECK(r.status == 200);
    CHECK(r.body == "olleh");
    CHECK(r.headers.find("Content-Type: application/octet-stream") != std::string::npos);

    r = request("POST", server.url("/v1/call/nope"), "[]");
    CHECK(r.status == 404);
    CHECK(r.body.rfind(R"j({"error":{"ending":"unknown function","message":"no export named 'nope')j", 0) == 0);
    r = request("POST", server.url("/v1/call/add"), "[2]");
    CHECK(r.status == 400);
    CHECK(r.body == R"j({"error":{"ending":"bad arguments","message":"add takes 2 arguments, got 1 (i64 add(i64, i64))"}})j");
    r = request("GET", server.url("/v1/call/add"));
    CHECK(r.status == 405);
    CHECK(r.headers.find("Allow: POST") != std::string::npos);
    r = request("GET", server.url("/nowhere"));
    CHECK(r.status == 404);
    CHECK(r.body.find("no route /nowhere") != std::string::npos);

    r = request("GET", server.url("/v1/functions"));
    CHECK(r.status == 200);
    CHECK(r.body.find(R"j({"name":"add","signature":"i64 add(i64, i64)")j") != std::string::npos);
    CHECK(request("GET", server.url("/healthz")).body == "ok\n");
    // HEAD: a GET's headers, no body (else a client keeping the connection would read it as the next answer).
    r = request("HEAD", server.url("/healthz"));
    CHECK(r.status == 200);
    CHECK(r.headers.find("Content-Length: 3") != std::string::npos);
    CHECK(r.body.empty());
    // Two requests on one kept-alive connection (curl reuses it for a second URL).
    const ProcessResult twice = run_process({HL_CURL, "-s", "-v", server.url("/healthz"), server.url("/readyz")});
    CHECK(twice.out == "ok\nready\n");
    CHECK(twice.err.find("Re-using existing connection") != std::string::npos);
    CHECK(request("GET", server.url("/readyz")).body == "ready\n");
    r = request("GET", server.url("/metrics"));
    CHECK(r.headers.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    CHECK(r.body.find("hl_requests_total{function=\"add\",status=\"200\"} 1\n") != std::string::npos);
    CHECK(r.body.find("hl_requests_total{function=\"next\",status=\"200\"} 3\n") != std::string::npos);
    CHECK(r.body.find("hl_pool_sandboxes 2\n") != std::string::npos);
    CHECK(server.stop() == 0);
}

TEST_CASE("hlrun serve: a body past --max-body gets 413, a client too slow to send its request is let go")
{
    HL_REQUIRE_KVM();
    Server server({"--max-body", "1Ki", "--read-timeout", "1s", kFunctions});
    const Response r = request("POST", server.url("/v1/invoke/reverse"), std::string(2000, 'x'));
    CHECK(r.status == 413);
    CHECK(r.body == R"j({"error":{"ending":"too large","message":"the body passes the limit of 1024 bytes (--max-body)"}})j");
    // Slowloris: a request begun and never finished; the server closes it.
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(server.port()));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
    const std::string start = "POST /v1/call/add HTTP/1.1\r\nHost: x\r\n";
    REQUIRE(write(fd, start.data(), start.size()) == static_cast<ssize_t>(start.size()));
    pollfd p{fd, POLLIN, 0};
    REQUIRE(poll(&p, 1, 30000) == 1);   // within the read timeout, not the test's
    char byte;
    CHECK(read(fd, &byte, 1) == 0);     // closed, nothing said
    close(fd);
    // The server still serves.
    CHECK(request("POST", server.url("/v1/call/add"), "[1, 1]").body == R"j({"value":2})j");
    CHECK(server.stop() == 0);
}

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
