// hlrun serve's routes and answers (http_messages.hpp), on Boost.Beast's
// message types and serializer.
#include "serve/http_messages.hpp"

#include <utility>   // before Beast: GCC 12 needs std::exchange declared

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace hl::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

} // namespace

Route route_request(std::string_view method, std::string_view target)
{
    target = target.substr(0, target.find('?'));
    const bool get = method == "GET" || method == "HEAD", post = method == "POST";
    Route route;
    for (const auto& [prefix, kind] : {std::pair{std::string_view("/v1/call/"), Route::Kind::Call},
                                       std::pair{std::string_view("/v1/invoke/"), Route::Kind::Invoke}}) {
        if (!target.starts_with(prefix))
            continue;
        route.kind = kind;
        route.function = std::string(target.substr(prefix.size()));
        if (!post)
            route.allowed = "POST";
        return route;
    }
    if (target == "/v1/functions")
        route.kind = Route::Kind::Functions;
    else if (target == "/metrics")
        route.kind = Route::Kind::Metrics;
    else if (target == "/healthz")
        route.kind = Route::Kind::Health;
    else if (target == "/readyz")
        route.kind = Route::Kind::Ready;
    else
        return route;
    if (!get)
        route.allowed = "GET";
    return route;
}

void render_answer(HttpAnswer answer, std::string& out)
{
    http::response<http::string_body> response;
    response.version(11);
    response.result(static_cast<unsigned>(answer.status));
    response.set(http::field::server, "hlrun");
    response.set(http::field::content_type, answer.content_type);
    if (answer.allowed)
        response.set(http::field::allow, answer.allowed);
    if (answer.retry_after)
        response.set(http::field::retry_after, std::to_string(answer.retry_after));
    response.keep_alive(answer.keep_open);
    if (answer.head) {
        response.content_length(answer.body.size());
    } else {
        response.body() = std::move(answer.body);
        response.prepare_payload();
    }
    http::response_serializer<http::string_body> serializer(response);
    out.clear();
    beast::error_code ec;
    do {
        serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
            for (const auto& b : beast::buffers_range_ref(buffers))
                out.append(static_cast<const char*>(b.data()), b.size());
            serializer.consume(beast::buffer_bytes(buffers));
        });
    } while (!ec && !serializer.is_done());
}

} // namespace hl::cli
