// What the gdb stub answers while the guest is stopped: each packet of the
// GDB remote protocol turned into the reply and, for the packets that let
// the guest go on (continue, step, detach, kill), how. Pure: it acts on a
// DebugTarget, which the sandbox implements over its vCPU and memory
// (gdb_target.cpp) and the unit tests with a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hl::gdb {

// Why the guest is stopped, as a stop reply says it.
struct StopEvent {
    enum class Kind {
        Signal,       // stopped, may go on: T<signal> (a breakpoint, a step, an interrupt, a fault)
        Exited,       // the guest exited with status: W<status>
        Terminated,   // the run ended otherwise (a fault it cannot go on from): X<signal>
    };
    Kind kind = Kind::Signal;
    int signal = 5;                      // SIGTRAP
    int status = 0;                      // Exited
    bool software_breakpoint = false;    // "swbreak:": the PC is at the breakpoint's instruction
    std::optional<uint64_t> watch{};     // "watch:ADDR": the data address a watchpoint caught
};

// "T05thread:1;", "T05swbreak:;thread:1;", "W00", "X0b".
std::string stop_reply(const StopEvent& stop);

// Breakpoint types as Z and z packets number them.
enum class BreakpointType { Software = 0, Hardware = 1, WriteWatch = 2, ReadWatch = 3, AccessWatch = 4 };

class DebugTarget {
public:
    virtual ~DebugTarget() = default;
    // The registers, in the order and sizes of target_xml(), as the 'g'
    // packet carries them: hex, little-endian, "xx" for a byte it cannot read.
    virtual std::string read_registers() = 0;
    // From a 'G' packet's hex; false when it cannot be (the wrong length, a
    // value the guest may not hold).
    virtual bool write_registers(std::string_view hex) = 0;
    // One register by its number in target_xml(); nullopt for no such register.
    virtual std::optional<std::string> read_register(unsigned number) = 0;
    virtual bool write_register(unsigned number, std::span<const uint8_t> value) = 0;
    // The target description gdb asks for (qXfer:features:read:target.xml).
    virtual std::string target_xml() = 0;
    // Guest memory the guest can read; nullopt where it cannot.
    virtual std::optional<std::vector<uint8_t>> read_memory(uint64_t address, uint64_t length) = 0;
    // Guest memory of the guest's own (never the machine's tables or stubs).
    virtual bool write_memory(uint64_t address, std::span<const uint8_t> bytes) = 0;
    virtual bool insert_breakpoint(BreakpointType type, uint64_t address, uint64_t length) = 0;
    virtual bool remove_breakpoint(BreakpointType type, uint64_t address, uint64_t length) = 0;
};

enum class Resume { Continue, Step, Detach, Kill };

class Session {
public:
    explicit Session(DebugTarget& target) : target_(target) {}

    struct Answer {
        Answer(std::string text) : reply(std::move(text)) {}   // NOLINT: a reply is an answer
        Answer(std::string text, bool send_it, Resume how) : reply(std::move(text)), send(send_it), resume(how) {}
        std::string reply;                 // the packet to send (framed by the caller)
        bool send = true;                  // false: this packet has no reply ('k', or a resume)
        std::optional<Resume> resume;      // set: the guest goes on so
    };
    // Answers one packet; stop is why the guest is stopped now (for '?').
    Answer handle(std::string_view packet, const StopEvent& stop);
    // Whether gdb asked to do without '+' and '-' (QStartNoAckMode).
    bool no_ack() const { return no_ack_; }

private:
    Answer read_memory(std::string_view args);
    Answer write_memory(std::string_view args, bool binary);
    Answer breakpoint(std::string_view args, bool insert);
    Answer read_register(std::string_view args);
    Answer write_register(std::string_view args);
    Answer query(std::string_view packet);
    Answer resume(std::string_view packet);

    DebugTarget& target_;
    bool no_ack_ = false;
};

} // namespace hl::gdb
