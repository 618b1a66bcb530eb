// The HTTP floor of hl_bench_serve: the least a server on the same HTTP
// library (Boost.Beast) does to answer POST /v1/call/add with [A, B] ->
// {"value":A+B}, on one thread, with no VM, no worker threads and no JSON
// library. What hlrun serve costs beyond it is the price of the VM and of
// the way a call reaches it.
#pragma once

#include <cstdint>
#include <memory>

namespace hl::bench {

class HttpFloor {
public:
    HttpFloor();   // listening on 127.0.0.1, a free port, serving on a thread of its own
    ~HttpFloor();
    HttpFloor(const HttpFloor&) = delete;
    HttpFloor& operator=(const HttpFloor&) = delete;
    uint16_t port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace hl::bench
