// hlrun serve as a user runs it: a real process on a loopback port, driven
// by curl (and, for what curl will not do, a raw socket): routes, fresh state
// per request, load, every refusal of a request, a slow client, too many
// connections. Its start, overload and end: serve_lifecycle_test.cpp.
#include "serve_client.hpp"

#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <thread>

using namespace hl::test;
using namespace std::chrono_literals;

namespace {

const std::string kFunctions = guest_image("functions");

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
