// The gdb stub's answers (see gdb_session.hpp). Replies follow the GDB
// remote protocol: "" for a packet it does not know, "OK", "Enn" for an error.
#include "gdb/gdb_session.hpp"

#include "gdb/rsp_packets.hpp"

#include <charconv>
#include <cstdio>

namespace hl::gdb {
namespace {

constexpr std::string_view kErrorArguments = "E01";   // the packet's arguments do not parse
constexpr std::string_view kErrorMemory = "E14";      // EFAULT: memory the guest cannot reach
constexpr std::string_view kErrorRefused = "E16";     // the target refused (a breakpoint, a register)

std::optional<uint64_t> parse_hex(std::string_view text)
{
    uint64_t value = 0;
    if (text.empty())
        return std::nullopt;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// "ADDR,LENGTH" into its two numbers.
bool parse_range(std::string_view text, uint64_t& address, uint64_t& length)
{
    const size_t comma = text.find(',');
    if (comma == std::string_view::npos)
        return false;
    const auto a = parse_hex(text.substr(0, comma)), l = parse_hex(text.substr(comma + 1));
    if (!a || !l)
        return false;
    address = *a;
    length = *l;
    return true;
}

std::string hex_byte(int value)
{
    char text[3];
    std::snprintf(text, sizeof text, "%02x", value & 0xff);
    return text;
}

} // namespace

std::string stop_reply(const StopEvent& stop)
{
    switch (stop.kind) {
    case StopEvent::Kind::Exited: return "W" + hex_byte(stop.status);
    case StopEvent::Kind::Terminated: return "X" + hex_byte(stop.signal);
    case StopEvent::Kind::Signal: break;
    }
    std::string reply = "T" + hex_byte(stop.signal);
    if (stop.software_breakpoint)
        reply += "swbreak:;";
    if (stop.watch) {
        char text[40];
        std::snprintf(text, sizeof text, "watch:%llx;", static_cast<unsigned long long>(*stop.watch));
        reply += text;
    }
    return reply + "thread:1;";
}

Session::Answer Session::handle(std::string_view packet, const StopEvent& stop)
{
    if (packet.empty())
        return {""};
    const std::string_view args = packet.substr(1);
    switch (packet[0]) {
    case '?': return {stop_reply(stop)};
    case 'g': return {target_.read_registers()};
    case 'G': return {target_.write_registers(args) ? "OK" : std::string(kErrorRefused)};
    case 'p': return read_register(args);
    case 'P': return write_register(args);
    case 'm': return read_memory(args);
    case 'M': return write_memory(args, false);
    case 'X': return write_memory(args, true);
    case 'Z': return breakpoint(args, true);
    case 'z': return breakpoint(args, false);
    case 'H': return {"OK"};                  // one thread: every thread is it
    case 'T': return {args == "1" || args == "p1.1" ? "OK" : std::string(kErrorArguments)};
    case 'c':
    case 's':
    case 'C':
    case 'S': return resume(packet);
    case 'D': return {"OK", true, Resume::Detach};
    case 'k': return {"", false, Resume::Kill};
    case 'q':
    case 'Q': return query(packet);
    case 'v':
        if (packet.rfind("vKill", 0) == 0)
            return {"OK", true, Resume::Kill};
        return {""};   // vCont and the rest: gdb falls back to c and s
    default: return {""};
    }
}

Session::Answer Session::resume(std::string_view packet)
{
    // c [ADDR], s [ADDR], C SIG [;ADDR], S SIG [;ADDR]: resuming elsewhere
    // than where the guest stopped is not offered (gdb sets the PC itself).
    const bool step = packet[0] == 's' || packet[0] == 'S';
    std::string_view rest = packet.substr(1);
    if (packet[0] == 'C' || packet[0] == 'S') {
        const size_t semicolon = rest.find(';');
        if (!parse_hex(rest.substr(0, semicolon)))
            return {std::string(kErrorArguments)};
        rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
    }
    if (!rest.empty())
        return {std::string(kErrorArguments)};
    return {"", false, step ? Resume::Step : Resume::Continue};
}

Session::Answer Session::read_memory(std::string_view args)
{
    uint64_t address = 0, length = 0;
    if (!parse_range(args, address, length) || length > kMaxPacket / 2)
        return {std::string(kErrorArguments)};
    const auto bytes = target_.read_memory(address, length);
    return {bytes ? to_hex(*bytes) : std::string(kErrorMemory)};
}

Session::Answer Session::write_memory(std::string_view args, bool binary)
{
    const size_t colon = args.find(':');
    uint64_t address = 0, length = 0;
    if (colon == std::string_view::npos || !parse_range(args.substr(0, colon), address, length))
        return {std::string(kErrorArguments)};
    std::vector<uint8_t> bytes;
    const std::string_view data = args.substr(colon + 1);
    if (!(binary ? unescape_binary(data, bytes) : from_hex(data, bytes)) || bytes.size() != length)
        return {std::string(kErrorArguments)};
    if (bytes.empty())
        return {"OK"};   // gdb's probe of X support
    return {target_.write_memory(address, bytes) ? "OK" : std::string(kErrorMemory)};
}

Session::Answer Session::breakpoint(std::string_view args, bool insert)
{
    // TYPE,ADDR,KIND (conditions and commands after ';' are not offered)
    const size_t first = args.find(',');
    if (first == std::string_view::npos || args.find(';') != std::string_view::npos)
        return {std::string(kErrorArguments)};
    const auto type = parse_hex(args.substr(0, first));
    uint64_t address = 0, length = 0;
    if (!type || !parse_range(args.substr(first + 1), address, length))
        return {std::string(kErrorArguments)};
    // Software breakpoints, and write watchpoints the stub keeps by stepping:
    // the debug registers do not fire for guest code on this host, so there
    // are no hardware breakpoints and no read or access watchpoints.
    if (*type != static_cast<uint64_t>(BreakpointType::Software) &&
        *type != static_cast<uint64_t>(BreakpointType::WriteWatch))
        return {""};
    const auto kind = static_cast<BreakpointType>(*type);
    const bool done = insert ? target_.insert_breakpoint(kind, address, length)
                             : target_.remove_breakpoint(kind, address, length);
    return {done ? "OK" : std::string(kErrorRefused)};
}

Session::Answer Session::read_register(std::string_view args)
{
    const auto number = parse_hex(args);
    if (!number || *number > 0xffff)
        return {std::string(kErrorArguments)};
    const auto value = target_.read_register(static_cast<unsigned>(*number));
    return {value ? *value : std::string(kErrorArguments)};
}

Session::Answer Session::write_register(std::string_view args)
{
    const size_t equals = args.find('=');
    std::vector<uint8_t> bytes;
    const auto number = parse_hex(args.substr(0, equals));
    if (equals == std::string_view::npos || !number || *number > 0xffff || !from_hex(args.substr(equals + 1), bytes))
        return {std::string(kErrorArguments)};
    return {target_.write_register(static_cast<unsigned>(*number), bytes) ? "OK" : std::string(kErrorRefused)};
}

Session::Answer Session::query(std::string_view packet)
{
    if (packet.rfind("qSupported", 0) == 0) {
        char reply[128];
        std::snprintf(reply, sizeof reply, "PacketSize=%zx;qXfer:features:read+;swbreak+;QStartNoAckMode+",
                      kMaxPacket);
        return {reply};
    }
    if (packet == "QStartNoAckMode") {
        no_ack_ = true;
        return {"OK"};
    }
    if (packet == "qAttached")
        return {"1"};      // quitting gdb detaches: the guest runs on
    if (packet == "qC")
        return {"QC1"};
    if (packet == "qfThreadInfo")
        return {"m1"};
    if (packet == "qsThreadInfo")
        return {"l"};
    if (packet == "qSymbol::")
        return {"OK"};
    const std::string_view features = "qXfer:features:read:target.xml:";
    if (packet.rfind(features, 0) == 0) {
        uint64_t offset = 0, length = 0;
        if (!parse_range(packet.substr(features.size()), offset, length))
            return {std::string(kErrorArguments)};
        const std::string xml = target_.target_xml();
        if (offset >= xml.size())
            return {"l"};
        const std::string part = xml.substr(offset, std::min<uint64_t>(length, kMaxPacket / 2));
        return {(offset + part.size() >= xml.size() ? "l" : "m") + part};
    }
    if (packet.rfind("qXfer:", 0) == 0)
        return {"E00"};
    return {""};
}

} // namespace hl::gdb
