// hl::GdbServer: a GDB remote protocol stub for a sandbox's guest
// (SandboxOptions::gdb), so that a stock `gdb IMAGE` with
// `target remote HOST:PORT` debugs it: breakpoints, stepping, backtraces,
// locals and globals (DWARF from the image), memory and registers.
//
// The first stretch a sandbox runs with it (run(), initialize(), or the
// first call of a sandbox made from a snapshot) stops before the guest's
// first instruction, for gdb to set its breakpoints.
//
// On this host's KVM, guest code at CPL3 never gives the hypervisor's debug
// exits, so the stub is the guest's own exception stubs reporting #BP and
// #DB: software breakpoints are int3 bytes the host writes, a step is the
// trap flag the host sets. The debug registers do not fire here either: a
// write watchpoint (up to 8 bytes) is kept by stepping the guest and
// comparing, and there are no hardware breakpoints and no read or access
// watchpoints. A debugger that goes away takes its breakpoints, watchpoints
// and trap flag out of the guest, which runs on.
#pragma once

#include <hl/version.hpp>

#include <hl/error.hpp>

#include <memory>
#include <string>

namespace hl {

class GdbServer {
public:
    // Listens on "HOST:PORT" (an IPv4 address or "localhost"; PORT 0 picks
    // a free one). Throws OptionError for an address that does not parse,
    // Error ("cannot listen on HOST:PORT: REASON") when the host refuses.
    static GdbServer listen(const std::string& address);
    GdbServer(GdbServer&&) noexcept;
    GdbServer& operator=(GdbServer&&) noexcept;
    ~GdbServer();

    // Where it listens, "127.0.0.1:1234".
    std::string address() const;
    // Waits for gdb to connect, on the thread that will run the guest: a
    // Ctrl-C in gdb signals that thread. Throws Error.
    void accept();
    // The connection's descriptor, -1 before accept(): a thread confined by
    // hl::confine_this_thread talks on it (ConfinePolicy::socket_fds).
    int connection_fd() const;
    // The program is done with the guest (a function guest after its last
    // call): gdb, if it waits for the guest, hears that it exited with
    // status, and the connection closes.
    void end(int status);

    struct State; // the connection and the breakpoints, opaque outside libsandbox

    State& state() const { return *state_; }

private:
    GdbServer() = default;
    std::unique_ptr<State> state_;
};

} // namespace hl
