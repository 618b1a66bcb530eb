// libFuzzer target: bytes as what a debugger sends the gdb stub, through the
// framing (RspDecoder) and every packet through the stub's answers
// (gdb::Session) over a target with a little memory and the x86-64
// register view. Whatever arrives, the stub answers or refuses; a crash, a
// sanitizer report, or a reply that is not a well-formed packet is a finding.
#include "arch.hpp"
#include "gdb/gdb_session.hpp"
#include "gdb/rsp_packets.hpp"
#include "registers_target.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace hl;
using namespace hl::gdb;

namespace {

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_gdb: %s\n", what.c_str());
    std::abort();
}

struct Target : test::RegistersTarget {
    std::vector<uint8_t> memory = std::vector<uint8_t>(256, 0x90);   // at 0x1000
    bool breakpoint = false;
    std::optional<std::vector<uint8_t>> read_memory(uint64_t address, uint64_t length) override
    {
        if (address < 0x1000 || length > memory.size() || address - 0x1000 > memory.size() - length)
            return std::nullopt;
        return std::vector<uint8_t>(memory.begin() + static_cast<long>(address - 0x1000),
                                    memory.begin() + static_cast<long>(address - 0x1000 + length));
    }
    bool write_memory(uint64_t address, std::span<const uint8_t> bytes) override
    {
        if (address < 0x1000 || bytes.size() > memory.size() || address - 0x1000 > memory.size() - bytes.size())
            return false;
        std::copy(bytes.begin(), bytes.end(), memory.begin() + static_cast<long>(address - 0x1000));
        return true;
    }
    bool insert_breakpoint(BreakpointType, uint64_t address, uint64_t) override
    {
        breakpoint = true;
        return address >= 0x1000 && address < 0x1100;
    }
    bool remove_breakpoint(BreakpointType, uint64_t, uint64_t) override { return true; }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    RspDecoder decoder;
    std::vector<RspEvent> events;
    decoder.feed({data, size}, events);
    Target target;
    Session session(target);
    const StopEvent stop{};
    for (const RspEvent& event : events) {
        if (event.kind != RspEvent::Kind::Packet)
            continue;
        if (event.data.size() > kMaxPacket)
            finding("a packet longer than the limit got through");
        const Session::Answer answer = session.handle(event.data, stop);
        // Every reply frames into a packet the decoder reads back whole.
        std::vector<RspEvent> back;
        RspDecoder check;
        const std::string framed = frame_packet(answer.reply);
        check.feed({reinterpret_cast<const uint8_t*>(framed.data()), framed.size()}, back);
        if (back.size() != 1 || (back[0].kind != RspEvent::Kind::Packet && answer.reply.size() <= kMaxPacket))
            finding("a reply that does not frame: " + answer.reply.substr(0, 80));
    }
    return 0;
}
