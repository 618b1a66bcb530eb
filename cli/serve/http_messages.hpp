// What hlrun serve makes of a request's start line, and the bytes of its
// answers: pure, so the routes and the answers' headers are unit-tested
// without a socket (http_server.cpp does the I/O). The routes are those
// http_server.hpp lists.
#pragma once

#include <string>
#include <string_view>

namespace hl::cli {

struct Route {
    enum class Kind { Call, Invoke, Functions, Metrics, Health, Ready, NotFound };
    Kind kind = Kind::NotFound;
    std::string function;            // Call and Invoke: the export named after the prefix
    const char* allowed = nullptr;   // set: the path takes only this method, not the request's
};

// The route for a method ("GET", "HEAD", "POST"...) and a target; a query
// string is no part of the path. HEAD is taken where GET is.
Route route_request(std::string_view method, std::string_view target);

struct HttpAnswer {
    int status = 200;
    std::string_view content_type;
    std::string body;
    unsigned retry_after = 0;        // seconds; 0: no Retry-After
    const char* allowed = nullptr;   // the Allow header of a 405
    bool keep_open = false;          // Connection: keep-alive, else close
    bool head = false;               // HEAD: a GET's headers (its Content-Length too), no body
};

// The HTTP/1.1 response's bytes, Server: hlrun, in place of out's (whose
// capacity a connection's next answer reuses).
void render_answer(HttpAnswer answer, std::string& out);

} // namespace hl::cli
