// What the hlrun serve tests (serve_http_test.cpp, serve_lifecycle_test.cpp)
// drive it with: the server as a process on a loopback port, curl, and a
// raw socket for what curl will not do.
#pragma once

#include "process.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace hl::test {

using namespace std::chrono_literals;

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

inline Response parse_response(const std::string& out)
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
inline Response request(const std::string& method, const std::string& url, const std::string& body = {})
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
inline Response post_from_thread(const std::string& url, const std::string& body)
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

} // namespace hl::test
