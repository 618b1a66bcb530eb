// The inside of a GdbServer (hl/gdb.hpp): the listening socket, the one
// connection, its framing state, and the breakpoints the debugger set, which
// outlive a stretch (run, initialisation, call). Not installed.
#pragma once

#include "gdb/rsp_packets.hpp"

#include <hl/gdb.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hl {

struct GdbServer::State {
    ~State();
    int listen_fd = -1;
    int fd = -1;                       // the connection; -1 before accept and once it is gone
    std::string address;
    gdb::RspDecoder decoder;
    std::deque<gdb::RspEvent> events;  // decoded, not handled yet
    bool no_ack = false;
    bool detached = false;             // gdb detached or went away: the guest runs on, undebugged
    bool waiting = false;              // gdb let the guest go and waits for a stop reply
    bool began = false;                // the first stop, before any guest instruction, happened
    // How gdb let the guest go on, across stretches (a step or a watched
    // continue goes on in the next call): freely, one step, or step by step
    // comparing the watchpoints.
    enum class Mode { Free, Step, Watch } mode = Mode::Free;
    bool interrupt_pending = false;    // a Ctrl-C came while the guest was in hl's stubs
    // What gdb left on its way out that a trap already under way may still
    // come from (GdbStub::leftover_trap).
    bool leftover_step = false;
    std::set<uint64_t> lifted;
    std::string last_reply;            // framed, for a '-'
    // address -> the bytes gdb's breakpoint instruction (gdb_stub_arch.hpp) took the place of
    std::map<uint64_t, std::vector<uint8_t>> breakpoints;
    // Write watchpoints: the bytes as last seen, compared after every step
    // of a watched continue (the debug registers do not fire here).
    struct Watch {
        uint64_t address = 0;
        std::vector<uint8_t> bytes;
    };
    std::vector<Watch> watches;

    // Sends a reply packet; false when the connection is gone.
    bool send(std::string_view data);
    // All of bytes, as they are; false (and hung up) when the connection is gone.
    bool write_all(std::string_view bytes);
    // The next event from gdb, waiting for it (or only looking, without
    // wait); nullopt when nothing came (without wait) or the connection is
    // gone. Answers '+' and '-' to packets as the protocol says, and a '-'
    // from gdb with the last reply again.
    std::optional<gdb::RspEvent> next(bool wait);
    // Closes the connection: gdb is gone, the guest runs on.
    void hang_up();
};

} // namespace hl
