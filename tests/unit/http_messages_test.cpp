// hlrun serve's routes and the bytes of its answers (serve/http_messages.hpp).
#include "serve/http_messages.hpp"

#include <catch2/catch.hpp>

using namespace hl::cli;
using K = Route::Kind;

namespace {

std::string rendered(HttpAnswer answer)
{
    std::string out = "what an earlier answer left";
    render_answer(std::move(answer), out);
    return out;
}

} // namespace

TEST_CASE("serve routes: calls by POST, the rest by GET or HEAD, a query no part of the path")
{
    Route r = route_request("POST", "/v1/call/add");
    CHECK(r.kind == K::Call);
    CHECK(r.function == "add");
    CHECK(r.allowed == nullptr);
    r = route_request("POST", "/v1/invoke/echo?trace=1");
    CHECK(r.kind == K::Invoke);
    CHECK(r.function == "echo");
    CHECK(route_request("GET", "/v1/functions").kind == K::Functions);
    CHECK(route_request("GET", "/metrics?x").kind == K::Metrics);
    CHECK(route_request("HEAD", "/healthz").kind == K::Health);
    r = route_request("GET", "/readyz");
    CHECK(r.kind == K::Ready);
    CHECK(r.allowed == nullptr);
    // The service itself refuses a function it does not have, an empty name too.
    CHECK(route_request("POST", "/v1/call/").function.empty());
}

TEST_CASE("serve routes: a method the path does not take names the one it does")
{
    for (const char* method : {"GET", "HEAD", "PUT", "DELETE"}) {
        const Route r = route_request(method, "/v1/call/add");
        CHECK(r.kind == K::Call);
        REQUIRE(r.allowed != nullptr);
        CHECK(std::string(r.allowed) == "POST");
    }
    for (const char* path : {"/metrics", "/readyz", "/healthz", "/v1/functions"}) {
        const Route r = route_request("POST", path);
        REQUIRE(r.allowed != nullptr);
        CHECK(std::string(r.allowed) == "GET");
    }
}

TEST_CASE("serve routes: any other path is no route")
{
    for (const char* path : {"/", "/v1/callx/add", "/v1/call", "/metricsx", "/v1/functions/", "", "/V1/call/add"})
        CHECK(route_request("GET", path).kind == K::NotFound);
    CHECK(route_request("POST", "/v1/nothing").allowed == nullptr);
}

TEST_CASE("serve answers: status line, hlrun's headers, the body and its length")
{
    const std::string out = rendered({.status = 200, .content_type = "application/json", .body = "{}\n"});
    CHECK(out.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(out.find("Server: hlrun\r\n") != std::string::npos);
    CHECK(out.find("Content-Type: application/json\r\n") != std::string::npos);
    CHECK(out.find("Content-Length: 3\r\n") != std::string::npos);
    CHECK(out.find("Connection: close\r\n") != std::string::npos);
    CHECK(out.ends_with("\r\n\r\n{}\n"));
    CHECK(out.find("Allow:") == std::string::npos);
    CHECK(out.find("Retry-After:") == std::string::npos);
}

TEST_CASE("serve answers: keep-alive, Allow, Retry-After, and HEAD with a GET's length and no body")
{
    std::string out = rendered({.status = 503, .content_type = "application/json", .body = "busy",
                                     .retry_after = 2, .keep_open = true});
    CHECK(out.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
    CHECK(out.find("Retry-After: 2\r\n") != std::string::npos);
    CHECK(out.find("Connection: close") == std::string::npos);
    out = rendered({.status = 405, .content_type = "application/json", .body = "no", .allowed = "POST"});
    CHECK(out.find("Allow: POST\r\n") != std::string::npos);
    out = rendered({.status = 200, .content_type = "text/plain", .body = "ready\n", .head = true});
    CHECK(out.find("Content-Length: 6\r\n") != std::string::npos);
    CHECK(out.ends_with("\r\n\r\n"));
}
