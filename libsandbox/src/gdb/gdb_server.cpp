// The gdb stub's socket (hl/gdb.hpp, gdb_connection.hpp): listening,
// accepting the one debugger, and packets both ways.
#include "gdb/gdb_connection.hpp"

#include "gdb/gdb_session.hpp"
#include "interrupt_signal.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hl {
namespace {

// "HOST:PORT" as an IPv4 socket address; nullopt when it does not parse.
std::optional<sockaddr_in> parse_address(const std::string& text)
{
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos)
        return std::nullopt;
    std::string host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535)
        return std::nullopt;
    if (host == "localhost" || host.empty())
        host = "127.0.0.1";
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(value));
    if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
        return std::nullopt;
    return address;
}

std::string text_of(const sockaddr_in& address)
{
    char host[INET_ADDRSTRLEN] = "";
    inet_ntop(AF_INET, &address.sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(address.sin_port));
}

} // namespace

GdbServer::State::~State()
{
    if (fd >= 0)
        ::close(fd);
    if (listen_fd >= 0)
        ::close(listen_fd);
}

GdbServer GdbServer::listen(const std::string& text)
{
    const auto address = parse_address(text);
    if (!address)
        throw OptionError("gdb address '" + text + "' is not HOST:PORT with an IPv4 HOST or localhost, expected e.g. 127.0.0.1:1234");
    GdbServer server;
    server.state_ = std::make_unique<State>();
    State& s = *server.state_;
    s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int yes = 1;
    if (s.listen_fd < 0 || ::setsockopt(s.listen_fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 ||
        ::bind(s.listen_fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0 ||
        ::listen(s.listen_fd, 1) != 0)
        throw Error("cannot listen on " + text + ": " + std::strerror(errno));
    sockaddr_in bound{};
    socklen_t size = sizeof bound;
    ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&bound), &size);
    s.address = text_of(bound);
    return server;
}

GdbServer::GdbServer(GdbServer&&) noexcept = default;
GdbServer& GdbServer::operator=(GdbServer&&) noexcept = default;
GdbServer::~GdbServer() = default;

std::string GdbServer::address() const { return state_->address; }

int GdbServer::connection_fd() const { return state_->fd; }

void GdbServer::accept()
{
    State& s = *state_;
    int fd;
    do
        fd = ::accept4(s.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        throw Error("cannot accept gdb on " + s.address + ": " + std::strerror(errno));
    // One debugger: no one else may connect once it is here.
    ::close(s.listen_fd);
    s.listen_fd = -1;
    s.fd = fd;
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    // A Ctrl-C (0x03) while the guest runs must stop it: data on the
    // connection signals this thread with the interrupt signal, which takes
    // it out of the guest (interrupt_signal.hpp).
    interrupt::install_handler();
    const f_owner_ex owner{F_OWNER_TID, static_cast<pid_t>(::syscall(SYS_gettid))};
    if (::fcntl(fd, F_SETOWN_EX, &owner) != 0 || ::fcntl(fd, F_SETSIG, interrupt::signal_number()) != 0 ||
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_ASYNC) != 0)
        throw Error("cannot watch the gdb connection for Ctrl-C: " + std::string(std::strerror(errno)));
}

void GdbServer::end(int status)
{
    State& s = *state_;
    if (s.fd >= 0 && s.waiting)
        s.send(gdb::stop_reply({.kind = gdb::StopEvent::Kind::Exited, .status = status & 0xff}));
    s.hang_up();
}

bool GdbServer::State::write_all(std::string_view bytes)
{
    // send, not write: a debugger that went away is EPIPE, never SIGPIPE
    // (the library's user may not ignore it); a signal is no reason to stop.
    for (size_t done = 0; done < bytes.size();) {
        if (fd < 0)
            return false;
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            hang_up();
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

bool GdbServer::State::send(std::string_view data)
{
    last_reply = gdb::frame_packet(data);
    return write_all(last_reply);
}

std::optional<gdb::RspEvent> GdbServer::State::next(bool wait)
{
    while (events.empty()) {
        if (fd < 0)
            return std::nullopt;
        uint8_t buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, wait ? 0 : MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;   // the interrupt signal, which data on the connection also raises
        if (n < 0 && !wait && (errno == EAGAIN || errno == EWOULDBLOCK))
            return std::nullopt;
        if (n <= 0) {
            hang_up();
            return std::nullopt;
        }
        std::vector<gdb::RspEvent> decoded;
        decoder.feed({buffer, static_cast<size_t>(n)}, decoded);
        for (gdb::RspEvent& event : decoded) {
            using K = gdb::RspEvent::Kind;
            if (event.kind == K::Ack)
                continue;
            if (event.kind == K::Nack) {
                write_all(last_reply);
                continue;
            }
            if (event.kind == K::BadChecksum || event.kind == K::TooLong) {
                if (!no_ack)
                    write_all("-");
                continue;
            }
            if (event.kind == K::Packet && !no_ack)
                write_all("+");
            events.push_back(std::move(event));
        }
    }
    gdb::RspEvent event = std::move(events.front());
    events.pop_front();
    return event;
}

void GdbServer::State::hang_up()
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
    detached = true;
}

} // namespace hl
