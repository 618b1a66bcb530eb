// hl_bench_serve's HTTP floor (see http_floor.hpp): Beast's own async
// server pattern, one I/O thread, an answer computed in place.
#include "http_floor.hpp"

#include <utility>   // before Asio: GCC 12 needs std::exchange declared

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <string>
#include <thread>

namespace hl::bench {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct Session : std::enable_shared_from_this<Session> {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;

    explicit Session(tcp::socket socket) : stream(std::move(socket)) {}

    void read()
    {
        request = {};
        http::async_read(stream, buffer, request, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (!ec)
                self->answer();
        });
    }

    void answer()
    {
        long long a = 0, b = 0;
        const bool add = request.method() == http::verb::post && request.target() == "/v1/call/add" &&
                         std::sscanf(request.body().c_str(), "[%lld ,%lld]", &a, &b) == 2;
        response = {};
        response.version(11);
        response.result(add ? http::status::ok : http::status::bad_request);
        response.set(http::field::content_type, "application/json");
        response.keep_alive(request.keep_alive());
        response.body() = add ? "{\"value\":" + std::to_string(a + b) + "}" : std::string("{}");
        response.prepare_payload();
        http::async_write(stream, response, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (!ec && self->response.keep_alive())
                self->read();
        });
    }
};

} // namespace

struct HttpFloor::Impl {
    net::io_context io{1};
    tcp::acceptor acceptor{io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
    std::thread thread;

    void accept()
    {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec)
                return;
            socket.set_option(tcp::no_delay(true));
            std::make_shared<Session>(std::move(socket))->read();
            accept();
        });
    }
};

HttpFloor::HttpFloor() : impl_(std::make_unique<Impl>())
{
    impl_->accept();
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

HttpFloor::~HttpFloor()
{
    impl_->io.stop();
    impl_->thread.join();
}

uint16_t HttpFloor::port() const { return impl_->acceptor.local_endpoint().port(); }

} // namespace hl::bench
