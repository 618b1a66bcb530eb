// hlrun serve's HTTP/1.1 side (Boost.Beast, a large header, in the .cpp
// files only). Routes requests (http_messages.hpp) to a CallService and
// answers what needs no guest itself:
//   POST /v1/call/FUNC     typed call, JSON in and out (call_json.hpp)
//   POST /v1/invoke/FUNC   raw call of an export bytes f(bytes)
//   GET  /v1/functions     the exports with their signatures
//   GET  /metrics          Prometheus text
//   GET  /healthz          200 while the process serves
//   GET  /readyz           200 while it admits calls, 503 once it drains
// A request whose body passes max_body gets 413; a connection whose next
// request is not whole read_timeout after the server began to wait for it
// (idle time included) is closed; past max_connections open at once, new
// ones wait in the listen backlog until one closes. I/O runs on its own
// thread; calls run on the service's workers, whose replies come back to the
// connection.
#pragma once

#include "serve/call_service.hpp"
#include "serve/metrics.hpp"

#include <hl/error.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace hl::cli {

struct HttpOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;                         // 0: any free port (port() says which)
    uint64_t max_body = uint64_t{1} << 20;
    std::chrono::nanoseconds read_timeout = std::chrono::seconds(10);
    size_t max_connections = 1024;
    std::FILE* access_log = nullptr;              // a line per request when set; not owned
};

// The address cannot be listened on: in use, or not this host's.
class ListenError : public Error {
public:
    using Error::Error;
};

class HttpServer {
public:
    // Listens on host:port at once, so that a server which cannot listen says
    // so before its pool warms up; connections made meanwhile wait in the
    // backlog until run(). Throws ListenError naming the address when it
    // cannot listen, OptionError when the host is not an IP address, Error
    // when the workers' reply pipe cannot be made. SIGTERM and SIGINT are
    // taken from run() on; before, they end the process as usual.
    HttpServer(const HttpOptions& options, MetricRegistry& metrics);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    uint16_t port() const;
    // Serves calls with `service` on the calling thread until SIGTERM or
    // SIGINT, or stop(). Then: no new connections, /readyz 503, the service
    // drains for `grace` (calls admitted still answered, later ones 503),
    // connections close once their last answer is written, and run()
    // returns. However it ends, the service is stopped when it returns.
    void run(CallService& service, std::chrono::nanoseconds grace);
    // As a signal does, from any thread but a confined worker's (waking the
    // I/O loop takes epoll_ctl).
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace hl::cli
