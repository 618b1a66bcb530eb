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
#include <filesystem>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
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
    explicit Server(std::vector<std::string> args) : process_(command(std::move(args)))
    {
        port_ = std::stoi(process_.wait_for("on http://127.0.0.1:"));
    }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    int port() const { return port_; }
    // SIGTERM, once: a second one would end it at once.
    void terminate()
    {
        if (!terminated_)
            process_.signal(SIGTERM);
        terminated_ = true;
    }
    // SIGTERM, then its exit status and everything it wrote on stderr.
    int stop()
    {
        terminate();
        return process_.wait();
    }
    const std::string& err() const { return process_.err(); }
    ~Server()
    {
        if (process_.running())
            stop();
    }

private:
    static std::vector<std::string> command(std::vector<std::string> args)
    {
        std::vector<std::string> argv = {HL_HLRUN, "serve", "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    BackgroundProcess process_;
    bool terminated_ = false;
    int port_ = 0;
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

// A TCP connection to the server, for what curl will not do: send half a
// request, keep a connection idle, send bytes that are not HTTP.
class Connection {
public:
    // receive_buffer: a small one makes the server's writes partial.
    explicit Connection(int port, int receive_buffer = 0)
    {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (receive_buffer)
            setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<uint16_t>(port));
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
    }
    ~Connection() { close(); }
    void close()
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    void send(const std::string& bytes) const
    {
        REQUIRE(write(fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    }
    // Whether something (bytes or the end) arrives within `timeout`.
    bool readable(std::chrono::milliseconds timeout) const
    {
        pollfd p{fd_, POLLIN, 0};
        return poll(&p, 1, static_cast<int>(timeout.count())) == 1;
    }
    // One answer with a Content-Length body, or what came before the end.
    // (Bytes past it, a pipelined answer's, are kept for the next.)
    Response answer()
    {
        std::string& in = pending_;
        char buffer[65536];
        for (;;) {
            const size_t end = in.find("\r\n\r\n");
            if (end != std::string::npos) {
                const size_t length_at = in.find("Content-Length: ");
                const size_t length = length_at < end ? std::stoul(in.substr(length_at + 16)) : 0;
                if (in.size() >= end + 4 + length) {
                    const Response r = parse_response(in.substr(0, end + 4 + length));
                    in.erase(0, end + 4 + length);
                    return r;
                }
            }
            if (!readable(30s))
                return {};
            const ssize_t n = read(fd_, buffer, sizeof buffer);
            if (n <= 0)
                return parse_response(std::exchange(in, {}));
            in.append(buffer, static_cast<size_t>(n));
        }
    }
    // Whether the server closed the connection (within a generous wait).
    int fd() const { return fd_; }
    bool closed_by_server() const
    {
        char byte;
        return readable(30s) && read(fd_, &byte, 1) == 0;
    }

private:
    int fd_ = -1;
    std::string pending_;
};

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
    // A guest that faults: 500 naming the ending, and the next call works.
    r = request("POST", server.url("/v1/call/crash"), "[]");
    CHECK(r.status == 500);
    CHECK(r.body.rfind(R"j({"error":{"ending":"faulted","message":")j", 0) == 0);
    CHECK(request("POST", server.url("/v1/call/add"), "[2, 3]").body == R"j({"value":5})j");
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
    CHECK(r.body.find("hl_requests_total{function=\"add\",status=\"200\"} 2\n") != std::string::npos);
    CHECK(r.body.find("hl_requests_total{function=\"crash\",status=\"500\"} 1\n") != std::string::npos);
    CHECK(r.body.find("hl_requests_total{function=\"next\",status=\"200\"} 3\n") != std::string::npos);
    CHECK(r.body.find("hl_pool_sandboxes 2\n") != std::string::npos);
    // What Prometheus's own checker says of the text: parsed, and no lint.
    const std::string dir = make_temp_dir();
    write_file(dir + "/metrics", r.body);
    const int metrics = open((dir + "/metrics").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(metrics >= 0);
    ProcessOptions with_input;
    with_input.stdin_fd = metrics;
    const ProcessResult checked = run_process({HL_PROMTOOL, "check", "metrics"}, with_input);
    close(metrics);
    std::filesystem::remove_all(dir);
    CHECK(checked.out + checked.err == "");
    CHECK(checked.status == 0);
    CHECK(server.stop() == 0);
}

TEST_CASE("hlrun serve: load from hey on 16 connections is answered in full, every answer a 200")
{
    HL_REQUIRE_KVM();
    Server server({"--workers", "2", kFunctions});
    // Bounded by count (hey sends -n / -c requests on each connection).
    const ProcessResult load = run_process({HL_HEY, "-n", "3200", "-c", "16", "-m", "POST", "-d", "[1, 2]",
                                            server.url("/v1/call/add")},
                                           std::chrono::seconds(300));
    REQUIRE(load.status == 0);
    CHECK(load.out.find("[200]\t3200 responses") != std::string::npos);
    CHECK(load.out.find("Error distribution") == std::string::npos);
    const std::string metrics = request("GET", server.url("/metrics")).body;
    CHECK(metrics.find("hl_requests_total{function=\"add\",status=\"200\"} 3200\n") != std::string::npos);
    CHECK(metrics.find("hl_inflight_requests 0\n") != std::string::npos);
    CHECK(server.stop() == 0);
}

TEST_CASE("hlrun serve: a body past --max-body gets 413, a client too slow to send its request is let go")
{
    HL_REQUIRE_KVM();
    Server server({"--max-body", "1Ki", "--read-timeout", "1s", kFunctions});
    const Response r = request("POST", server.url("/v1/invoke/reverse"), std::string(2000, 'x'));
    CHECK(r.status == 413);
    CHECK(r.body == R"j({"error":{"ending":"too large","message":"the body passes the limit of 1024 bytes (--max-body)"}})j");
    // Slowloris: a request begun and never finished; the server closes it,
    // within the read timeout (1s), not the test's.
    Connection slow(server.port());
    slow.send("POST /v1/call/add HTTP/1.1\r\nHost: x\r\n");
    CHECK(slow.closed_by_server());   // nothing said
    // One that sends a header line now and then is let go as well: the
    // timeout counts from the start of the request, not from the last byte.
    Connection trickle(server.port());
    trickle.send("POST /v1/call/add HTTP/1.1\r\n");
    bool cut_off = false;
    for (int i = 0; i < 100 && !cut_off; ++i) {   // 20 s of trickling, 20 times the timeout
        cut_off = trickle.readable(200ms);
        if (!cut_off)
            (void)!send(trickle.fd(), "X: y\r\n", 6, MSG_NOSIGNAL);   // may fail once the server has closed
    }
    CHECK(cut_off);
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

TEST_CASE("hlrun serve: requests that are not HTTP get 400, a header too large 431, and the access log names each")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string log = dir + "/access.log";
    Server server({"--access-log", log, kFunctions});
    Connection garbage(server.port());
    garbage.send("HELLO THERE\r\n\r\n");
    Response r = garbage.answer();
    CHECK(r.status == 400);
    CHECK(r.body.rfind(R"j({"error":{"ending":"bad request","message":")j", 0) == 0);
    r = parse_response(
        run_process({HL_CURL, "-s", "-i", "-H", "X-Big: " + std::string(20000, 'x'), server.url("/healthz")}).out);
    CHECK(r.status == 431);
    CHECK(r.body == R"j({"error":{"ending":"too large","message":"the header passes the limit of 16384 bytes"}})j");
    // A body within --max-body but past the guest ABI's limit for one value.
    const std::string big = dir + "/big";
    write_file(big, std::string(600000, 'x'));
    r = parse_response(run_process({HL_CURL, "-s", "-i", "-X", "POST", "--data-binary", "@" + big,
                                    server.url("/v1/invoke/reverse")}).out);
    CHECK(r.status == 400);
    CHECK(r.body == R"j({"error":{"ending":"bad arguments","message":"reverse: argument 1 is 600000 bytes, over the limit of 524288"}})j");
    // A large answer to a reader that does not read yet: the worker writes
    // what the socket takes without waiting, the I/O thread any rest (on
    // loopback the kernel usually queues all of it).
    std::string sent(500000, 'a');
    for (size_t i = 0; i < sent.size(); ++i)
        sent[i] = static_cast<char>('a' + i % 26);
    // Fourteen of them pipelined on one connection, read only after a
    // while: the socket fills, and the I/O thread finishes what the worker
    // could not write (seen with strace: partial writes of ~480 KB).
    Connection slow_reader(server.port(), 4096);
    const std::string one = "POST /v1/invoke/reverse HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n" + sent;
    const int fd = slow_reader.fd();
    std::thread writer([fd, &one] {   // may block until the reader reads: a thread of its own, no Catch2 in it
        for (int i = 0; i < 14; ++i)
            for (size_t done = 0; done < one.size();) {
                const ssize_t n = send(fd, one.data() + done, one.size() - done, MSG_NOSIGNAL);
                if (n <= 0)
                    return;
                done += static_cast<size_t>(n);
            }
    });
    std::this_thread::sleep_for(2s);   // answers queue up unread
    std::reverse(sent.begin(), sent.end());
    int correct = 0;
    for (int i = 0; i < 14; ++i) {
        r = slow_reader.answer();
        correct += r.status == 200 && r.body == sent;
    }
    writer.join();
    CHECK(correct == 14);
    // A 413 refused by its Content-Length alone, before any of its body is read.
    r = parse_response(run_process({HL_CURL, "-s", "-i", "-X", "POST", "-H", "Content-Length: 2000000",
                                    "--data-binary", "x", server.url("/v1/invoke/reverse")}).out);
    CHECK(r.status == 413);
    CHECK(request("POST", server.url("/v1/call/add"), "[1, 2]").status == 200);
    CHECK(server.stop() == 0);
    const std::string text = read_file(log);
    CHECK(text.find("127.0.0.1 \"GET /healthz\" 431 ") != std::string::npos);
    CHECK(text.find("127.0.0.1 \"POST /v1/invoke/reverse\" 413 ") != std::string::npos);
    CHECK(text.find("127.0.0.1 \"POST /v1/call/add\" 200 ") != std::string::npos);
    CHECK(text.find(" 400 ") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun serve: past --max-connections a new connection waits until one closes")
{
    HL_REQUIRE_KVM();
    Server server({"--max-connections", "1", kFunctions});
    Connection idle(server.port());
    Connection waiting(server.port());
    waiting.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    // Not answered while the first holds the only place (a wrong answer
    // could only come early; a slow machine cannot make this fail falsely).
    CHECK_FALSE(waiting.readable(500ms));
    idle.close();
    const Response r = waiting.answer();
    CHECK(r.status == 200);
    CHECK(r.body == "ok\n");
    waiting.close();
    // The gauge counts open connections: curl's own, now.
    bool one = false;
    for (int i = 0; i < 500 && !one; ++i)
        one = request("GET", server.url("/metrics")).body.find("hl_http_connections 1\n") != std::string::npos;
    CHECK(one);
    CHECK(server.stop() == 0);
    const ProcessResult bad = hlrun({"serve", "--max-connections", "0", kFunctions});
    CHECK(bad.status == 120);
    CHECK(bad.err.find("--max-connections") != std::string::npos);
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
