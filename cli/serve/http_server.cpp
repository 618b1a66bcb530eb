// hlrun serve's HTTP side on Boost.Beast (see http_server.hpp). One I/O
// thread runs every connection. A worker that has a call's answer writes it
// to the connection's socket itself, as far as the socket takes it at once:
// the client has its answer without waiting for the I/O thread to wake (on
// a nested VM a wake-up costs tens of microseconds). The rest, and what
// comes next on the connection, goes back to the I/O thread through a
// mailbox (reply_mailbox.hpp). While a call is out, the I/O thread leaves
// its connection alone (no read, no timer), so the two never touch one
// socket at once.
#include "serve/http_server.hpp"

#include "serve/call_json.hpp"
#include "serve/http_messages.hpp"
#include "serve/reply_mailbox.hpp"

#include <hl/error.hpp>

#include <utility>   // before Asio: GCC 12 needs std::exchange declared

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <unistd.h>
#include <thread>
#include <vector>

namespace hl::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kHeaderLimit = 16 * 1024;

} // namespace

struct HttpServer::Impl {
    struct Session;

    HttpOptions options;
    CallService* service = nullptr;             // while run() runs
    MetricFamily& responses;
    MetricFamily& connections;
    MetricRegistry& metrics;
    // Declared before io: sessions that io's destructor frees still read them.
    bool draining = false;                      // I/O thread only
    bool running = false;                       // I/O thread only: run() is in io.run()
    std::thread::id io_thread;                  // run()'s
    std::atomic<size_t> open_connections{0};
    bool accept_paused = false;                 // I/O thread only: max_connections are open
    net::io_context io{1};
    tcp::acceptor acceptor{io};
    // Made in run(): until the server serves, SIGTERM and SIGINT end the
    // process as they would any other (an initialisation is not held up).
    std::optional<net::signal_set> signals;
    net::steady_timer retry{io};
    std::atomic<bool> ready{true};
    std::chrono::nanoseconds grace{0};
    std::thread drainer;
    std::vector<std::weak_ptr<Session>> sessions;   // I/O thread only
    ReplyMailbox mailbox{io};                    // the workers' replies

    Impl(const HttpOptions& o, MetricRegistry& m)
        : options(o), responses(m.counter("hl_http_responses_total", "HTTP responses, by status.", {"status"})),
          connections(m.gauge("hl_http_connections", "HTTP connections open.")), metrics(m)
    {
    }

    void accept();
    void begin_drain();
    void close_idle();
};

struct HttpServer::Impl::Session : std::enable_shared_from_this<Session> {
    Impl& server;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
    std::string out;          // the answer's bytes, being written
    bool keep_open = false;   // after this answer
    std::string peer;
    char discard[4096];
    std::string request_line;
    Clock::time_point started;
    bool busy = false;        // from a request's header to its answer's last byte
    bool head = false;        // a HEAD request: its answer has the headers of a GET's, no body
    bool keep_alive = false;

    Session(Impl& s, tcp::socket socket) : server(s), stream(std::move(socket))
    {
        beast::error_code ignored;
        const auto endpoint = stream.socket().remote_endpoint(ignored);
        peer = ignored ? "-" : endpoint.address().to_string();
        stream.socket().non_blocking(true, ignored);   // a worker's write must never wait for a slow reader
        ++server.open_connections;
        server.connections.add({}, 1);
    }

    // On the I/O thread while it runs (replies hand their session back to
    // it); after run(), on the thread that ends the server.
    ~Session()
    {
        --server.open_connections;
        server.connections.add({}, -1);
        if (server.accept_paused && server.running && !server.draining &&
            std::this_thread::get_id() == server.io_thread) {
            server.accept_paused = false;
            server.accept();
        }
    }

    void read()
    {
        if (server.draining)
            return close();
        parser.emplace();
        parser->header_limit(kHeaderLimit);
        parser->body_limit(server.options.max_body);
        // From here the whole request must arrive within read_timeout: an idle
        // keep-alive connection, or one that sends a byte now and then, is closed.
        stream.expires_after(server.options.read_timeout);
        http::async_read_header(stream, buffer, *parser, [self = shared_from_this()](beast::error_code ec, size_t) {
            self->on_header(ec);
        });
    }

    void on_header(beast::error_code ec)
    {
        if (ec)
            return failed(ec);
        busy = true;
        started = Clock::now();
        const auto& head = parser->get();
        request_line = std::string(head.method_string()) + " " + std::string(head.target());
        if (beast::iequals(head[http::field::expect], "100-continue")) {   // curl asks before sending a body
            auto proceed = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
            http::async_write(stream, *proceed, [self = shared_from_this(), proceed](beast::error_code e, size_t) {
                if (e)
                    return self->close();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body()
    {
        http::async_read(stream, buffer, *parser, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec)
                return self->failed(ec);
            self->dispatch();
        });
    }

    void failed(beast::error_code ec)
    {
        keep_alive = false;
        if (!busy) {   // refused at its header: the log still names it (the start line is parsed first)
            started = Clock::now();
            if (parser && !parser->get().target().empty())
                request_line = std::string(parser->get().method_string()) + " " + std::string(parser->get().target());
        }
        if (ec == http::error::body_limit)
            return respond(413, "application/json",
                           error_json("too large", "the body passes the limit of " +
                                                       std::to_string(server.options.max_body) + " bytes (--max-body)"));
        if (ec == http::error::header_limit)
            return respond(431, "application/json",
                           error_json("too large", "the header passes the limit of " + std::to_string(kHeaderLimit) +
                                                       " bytes"));
        // Any other complaint of the parser is the request's fault; the rest
        // (timed out, the peer left, closed by a drain) ends the connection.
        if (&ec.category() == &http::make_error_code(http::error::bad_target).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message)
            return respond(400, "application/json", error_json("bad request", ec.message()));
        close();
    }

    void dispatch()
    {
        auto request = parser->release();
        keep_alive = request.keep_alive();
        stream.expires_never();   // the call's own --timeout bounds it from here
        head = request.method() == http::verb::head;
        const Route route = route_request(request.method_string(), request.target());
        // The reply function hands its reference to the session over to the
        // mailbox: a worker that keeps the function a while (it restores
        // before its next call) must not be the one that frees the session.
        auto answer_on_io = [self = shared_from_this()](Reply reply) mutable {
            auto session = std::move(self);
            size_t done = 0;
            bool rendered = true;
            try {
                session->render(reply.status, reply.content_type, std::move(reply.body), reply.retry_after);
                done = session->write_now();
            } catch (const std::exception&) {   // out of memory, say: the connection is dropped, not the session here
                rendered = false;
            }
            Impl& server = session->server;
            server.mailbox.deliver([session = std::move(session), status = reply.status, done, rendered]() mutable {
                if (!rendered)
                    return session->close();
                session->send(status, done);
            });
        };
        if (route.allowed)
            return refuse_method(route.allowed);
        using K = Route::Kind;
        switch (route.kind) {
        case K::Call:
        case K::Invoke:
            if (server.draining)   // the service refuses too, but its answer would come by a mailbox being closed
                return respond(503, "application/json",
                               error_json("shutting down", "the server is shutting down; call another instance"));
            if (route.kind == K::Call)
                server.service->call(route.function, request.body(), answer_on_io);
            else
                server.service->invoke(route.function, request.body(), answer_on_io);
            return;
        case K::Functions: return respond(200, "application/json", server.service->functions_json());
        case K::Metrics: return respond(200, "text/plain; version=0.0.4; charset=utf-8", server.metrics.render());
        case K::Health: return respond(200, "text/plain", "ok\n");
        case K::Ready: return server.ready ? respond(200, "text/plain", "ready\n") : respond(503, "text/plain", "draining\n");
        case K::NotFound: break;
        }
        const std::string_view target = request.target();
        respond(404, "application/json",
                error_json("not found", "no route " + std::string(target.substr(0, target.find('?'))) +
                                            "; try POST /v1/call/FUNC, POST /v1/invoke/FUNC or GET /v1/functions"));
    }

    void refuse_method(const char* allowed)
    {
        respond(405, "application/json",
                error_json("method not allowed", request_line + ": this path takes " + std::string(allowed)), 0,
                allowed);
    }

    // I/O thread: answers now.
    void respond(int status, const std::string& content_type, std::string body, unsigned retry_after = 0,
                 const char* allowed = nullptr)
    {
        render(status, content_type, std::move(body), retry_after, allowed);
        send(status, 0);
    }

    // The answer's bytes into `out`; on a worker's thread too, while the
    // I/O thread leaves the session alone.
    void render(int status, const std::string& content_type, std::string body, unsigned retry_after = 0,
                const char* allowed = nullptr)
    {
        keep_open = keep_alive && server.ready;
        render_answer({.status = status, .content_type = content_type, .body = std::move(body),
                       .retry_after = retry_after, .allowed = allowed, .keep_open = keep_open, .head = head},
                      out);
        server.responses.add({std::to_string(status)}, 1);
    }

    // From a worker: as much of `out` as the socket takes now, without
    // waiting. A failure is left for the I/O thread to meet again. write(2),
    // not send(2) with MSG_NOSIGNAL, which the workers' seccomp filter does
    // not allow: hlrun ignores SIGPIPE (hlrun_main.cpp), so a reset peer is
    // EPIPE here.
    size_t write_now()
    {
        const int fd = stream.socket().native_handle();
        size_t done = 0;
        while (done < out.size()) {
            const ssize_t n = ::write(fd, out.data() + done, out.size() - done);
            if (n > 0)
                done += static_cast<size_t>(n);
            else if (n < 0 && errno == EINTR)
                continue;
            else
                break;
        }
        return done;
    }

    // I/O thread: writes what is left of `out` after `done` bytes.
    void send(int status, size_t done)
    {
        if (done == out.size())
            return written({}, status, done);
        stream.expires_after(server.options.read_timeout);   // a reader that does not read is let go
        net::async_write(stream, net::buffer(out.data() + done, out.size() - done),
                         [self = shared_from_this(), status, done](beast::error_code ec, size_t bytes) {
                             self->written(ec, status, done + bytes);
                         });
    }

    void written(beast::error_code ec, int status, size_t bytes)
    {
        if (server.options.access_log) {
            const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
            std::fprintf(server.options.access_log, "%s \"%s\" %d %zu %.6f\n", peer.c_str(), request_line.c_str(),
                         status, bytes, seconds);
            std::fflush(server.options.access_log);
        }
        busy = false;
        head = false;
        if (ec)
            return close();
        if (!keep_open)
            return linger();
        read();
    }

    // After an answer that ends the connection: stop sending, take what the
    // client still sends for a moment, then close. Closing at once with
    // unread bytes would reset the connection, and the client might never
    // read the answer (a 413 while it still sends its body). The moment is
    // one second and 64 KiB in all, however the client trickles.
    void linger()
    {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.expires_after(std::chrono::seconds(1));
        discard_more(64 * 1024);
    }
    void discard_more(size_t left)
    {
        stream.async_read_some(net::buffer(discard), [self = shared_from_this(), left](beast::error_code ec, size_t n) {
            if (ec || n >= left)
                return self->close();
            self->discard_more(left - n);
        });
    }

    void close()
    {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.socket().close(ignored);
    }
};

void HttpServer::Impl::accept()
{
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (draining || ec == net::error::operation_aborted)
            return;   // closed by a drain
        if (ec) {
            // Out of descriptors or memory, say: try again shortly, never give up accepting.
            std::fprintf(stderr, "hlrun: warning: accepting a connection failed: %s\n", ec.message().c_str());
            retry.expires_after(std::chrono::milliseconds(50));
            retry.async_wait([this](beast::error_code e) {
                if (!e)
                    accept();
            });
            return;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(*this, std::move(socket));
        std::erase_if(sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
        sessions.push_back(session);
        session->read();
        if (open_connections >= options.max_connections)
            accept_paused = true;   // the next waits in the backlog; a session's end resumes
        else
            accept();
    });
}

void HttpServer::Impl::begin_drain()
{
    if (draining)
        return;
    draining = true;
    ready = false;
    beast::error_code ignored;
    acceptor.close(ignored);
    retry.cancel();
    if (signals)
        signals->clear(ignored);   // a second SIGTERM or SIGINT ends the process at once
    // The service's drain blocks until its calls are answered, whose replies
    // come here: it runs on a thread of its own, and the I/O loop is kept
    // going until it is done, whatever the connections do meanwhile.
    auto keep_running = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(io.get_executor());
    drainer = std::thread([this, keep_running] {
        service->drain(grace);
        net::post(io, [this, keep_running] {
            mailbox.empty();   // the last replies, whose wake-up may not have been read yet
            close_idle();
            mailbox.close();   // every reply has been delivered: the drain is done
            keep_running->reset();
        });
    });
    close_idle();
}

void HttpServer::Impl::close_idle()
{
    // A connection waiting for its next request is closed; one with a
    // request in hand closes after its answer (keep-alive is off now).
    for (const auto& weak : sessions)
        if (auto session = weak.lock(); session && !session->busy)
            session->close();
}

HttpServer::HttpServer(const HttpOptions& options, MetricRegistry& metrics)
    : impl_(std::make_unique<Impl>(options, metrics))
{
    const std::string where = options.host + ":" + std::to_string(options.port);
    beast::error_code ec;
    const auto address = net::ip::make_address(options.host, ec);
    if (ec)
        throw OptionError("--listen " + where + ": '" + options.host + "' is not an IP address");
    const tcp::endpoint endpoint(address, options.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw ListenError("--listen " + where + ": cannot listen: " + ec.message());
}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::run(CallService& service, std::chrono::nanoseconds grace)
{
    Impl& s = *impl_;
    s.service = &service;
    s.grace = grace;
    s.io_thread = std::this_thread::get_id();
    s.signals.emplace(s.io, SIGINT, SIGTERM);
    s.signals->async_wait([&s](beast::error_code ec, int) {
        if (!ec)
            s.begin_drain();
    });
    // Workers hold reply functions that deliver here: they end first, whatever
    // ends the loop (a drain, or an exception out of a handler).
    struct Finish {
        Impl& s;
        ~Finish()
        {
            s.running = false;
            s.service->stop();
            if (s.drainer.joinable())
                s.drainer.join();
        }
    } finish{s};
    s.running = true;
    s.accept();
    s.mailbox.start_reading();
    s.io.run();
}

void HttpServer::stop()
{
    net::post(impl_->io, [this] { impl_->begin_drain(); });
}

} // namespace hl::cli
