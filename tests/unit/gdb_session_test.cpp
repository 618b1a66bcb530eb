// The gdb stub's answers without a guest: a fake target records what the
// packets asked of it; and the x86-64 register view gdb gets.
#include "arch.hpp"
#include "gdb/gdb_session.hpp"
#include "gdb/rsp_packets.hpp"
#include "registers_target.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace hl;
using namespace hl::gdb;

namespace {

struct FakeTarget : test::RegistersTarget {
    std::map<uint64_t, uint8_t> memory;   // readable bytes
    std::vector<std::string> calls;
    std::optional<std::vector<uint8_t>> read_memory(uint64_t address, uint64_t length) override
    {
        std::vector<uint8_t> out;
        for (uint64_t a = address; a < address + length; ++a) {
            if (!memory.count(a))
                return std::nullopt;
            out.push_back(memory[a]);
        }
        return out;
    }
    bool write_memory(uint64_t address, std::span<const uint8_t> bytes) override
    {
        for (size_t i = 0; i < bytes.size(); ++i) {
            if (!memory.count(address + i))
                return false;
            memory[address + i] = bytes[i];
        }
        return true;
    }
    bool insert_breakpoint(BreakpointType type, uint64_t address, uint64_t length) override
    {
        calls.push_back("insert " + std::to_string(static_cast<int>(type)) + " " + std::to_string(address) + " " +
                        std::to_string(length));
        return address != 0;
    }
    bool remove_breakpoint(BreakpointType type, uint64_t address, uint64_t length) override
    {
        calls.push_back("remove " + std::to_string(static_cast<int>(type)) + " " + std::to_string(address) + " " +
                        std::to_string(length));
        return true;
    }
};

const StopEvent kTrap{};

} // namespace

TEST_CASE("gdb session: stop replies for a trap, a breakpoint, a watchpoint, an exit and a fatal signal")
{
    CHECK(stop_reply(kTrap) == "T05thread:1;");
    CHECK(stop_reply({.software_breakpoint = true}) == "T05swbreak:;thread:1;");
    CHECK(stop_reply({.watch = 0x105010}) == "T05watch:105010;thread:1;");
    CHECK(stop_reply({.kind = StopEvent::Kind::Signal, .signal = 11}) == "T0bthread:1;");
    CHECK(stop_reply({.kind = StopEvent::Kind::Exited, .status = 3}) == "W03");
    CHECK(stop_reply({.kind = StopEvent::Kind::Terminated, .signal = 6}) == "X06");
}

TEST_CASE("gdb session: registers in gdb's amd64 order, the x87, SSE and AVX ones unavailable")
{
    FakeTarget target;
    target.thread.registers.rax = 0x1122334455667788;
    target.thread.registers.rip = 0x100027;
    target.thread.registers.rflags = 0x10246;
    target.thread.thread_pointer = 0x5000;
    Session session(target);
    const std::string g = session.handle("g", kTrap).reply;
    CHECK(g.substr(0, 16) == "8877665544332211");
    CHECK(g.substr(16 * 16, 16) == "2700100000000000");   // rip
    CHECK(g.substr(17 * 16, 8) == "46020100");            // eflags, 4 bytes
    CHECK(g.substr(17 * 16 + 8, 8) == "1b000000");        // cs: the user code selector
    CHECK(g.find('x') == 17 * 16 + 7 * 8);                // st0 onwards: unavailable
    // fs_base and gs_base, then ymm0h-ymm15h (unavailable)
    CHECK(g.substr(g.size() - 16 * 32 - 32, 32) == "00500000000000000000000000000000");
    CHECK(g.substr(g.size() - 16 * 32) == std::string(16 * 32, 'x'));
    CHECK(session.handle("p10", kTrap).reply == "2700100000000000");   // register 16, rip
    CHECK(session.handle("p18", kTrap).reply == std::string(20, 'x')); // st0
    CHECK(session.handle("p3b", kTrap).reply == std::string(32, 'x')); // ymm0h
    CHECK(session.handle("p99", kTrap).reply == "E01");
    CHECK(session.handle("pzz", kTrap).reply == "E01");
}

TEST_CASE("gdb session: the x87, SSE and AVX registers from the XSAVE image, read-only")
{
    FakeTarget target;
    std::array<uint8_t, 512> fx{};
    fx[0] = 0x7f, fx[1] = 0x03;                 // fcw 0x37f
    fx[2] = 0x00, fx[3] = 0x38;                 // fsw: TOP 7
    fx[4] = 0x80;                               // abridged tag: physical register 7 (st0) in use
    fx[24] = 0x80, fx[25] = 0x1f;               // mxcsr 0x1f80
    const uint8_t one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};   // 1.0L
    std::memcpy(fx.data() + 32, one, sizeof one);
    fx[160] = 0x2a;                             // xmm0's low byte
    std::array<uint8_t, 256> ymm_high{};
    ymm_high[0] = 0x11;                         // ymm0h's low byte
    ymm_high[15 * 16 + 15] = 0x99;              // ymm15h's high byte
    target.thread.vectors = VectorRegisters{.fxsave = fx, .ymm_high = ymm_high, .xsave = {}};
    Session session(target);
    CHECK(session.handle("p18", kTrap).reply == "0000000000000080ff3f");   // st0
    CHECK(session.handle("p20", kTrap).reply == "7f030000");               // fctrl
    CHECK(session.handle("p22", kTrap).reply == "ff3f0000");               // ftag: st0 (physical 7) valid, the rest empty
    CHECK(session.handle("p28", kTrap).reply == "2a" + std::string(30, '0'));   // xmm0
    CHECK(session.handle("p38", kTrap).reply == "801f0000");               // mxcsr
    CHECK(session.handle("g", kTrap).reply.find('x') == std::string::npos);
    CHECK(session.handle("P38=801f0000", kTrap).reply == "OK");            // its own value
    CHECK(session.handle("P38=00000000", kTrap).reply == "E16");           // read-only
    CHECK(session.handle("p3b", kTrap).reply == "11" + std::string(30, '0'));   // ymm0h
    CHECK(session.handle("p4a", kTrap).reply == std::string(30, '0') + "99");   // ymm15h
    CHECK(session.handle("p4b", kTrap).reply == "E01");                    // the last is ymm15h
    CHECK(session.handle("P3b=11000000000000000000000000000000", kTrap).reply == "OK");
    CHECK(session.handle("P3b=12000000000000000000000000000000", kTrap).reply == "E16");
}

TEST_CASE("gdb session: register writes change what the guest may change, and nothing else")
{
    FakeTarget target;
    target.thread.registers.rflags = 0x202;
    Session session(target);
    CHECK(session.handle("P0=0100000000000000", kTrap).reply == "OK");
    CHECK(target.thread.registers.rax == 1);
    CHECK(session.handle("P11=ffffffff", kTrap).reply == "OK");        // eflags: only the arithmetic flags
    CHECK(target.thread.registers.rflags == (0x202 | 0x0cd5));
    CHECK(session.handle("P12=08000000", kTrap).reply == "E16");       // cs: the machine's
    CHECK(session.handle("P12=1b000000", kTrap).reply == "OK");        // its own value: fine
    CHECK(session.handle("P39=0060000000000000", kTrap).reply == "OK");   // fs_base
    CHECK(target.thread.thread_pointer == 0x6000);
    CHECK(session.handle("P0=01", kTrap).reply == "E16");              // the wrong size
    CHECK(session.handle("P0", kTrap).reply == "E01");
    // A whole 'G' packet: what 'g' said, with rbx changed.
    std::string g = session.handle("g", kTrap).reply;
    for (char& c : g)
        if (c == 'x')
            c = '0';
    g.replace(16, 16, "0200000000000000");
    CHECK(session.handle("G" + g, kTrap).reply == "OK");
    CHECK(target.thread.registers.rbx == 2);
    CHECK(session.handle("G" + g.substr(0, 10), kTrap).reply == "E16");
}

TEST_CASE("gdb session: memory reads and writes, hex and binary, and the refusals")
{
    FakeTarget target;
    for (uint64_t a = 0x1000; a < 0x1010; ++a)
        target.memory[a] = static_cast<uint8_t>(a);
    Session session(target);
    CHECK(session.handle("m1000,4", kTrap).reply == "00010203");
    CHECK(session.handle("m0,4", kTrap).reply == "E14");
    CHECK(session.handle("m1000", kTrap).reply == "E01");
    CHECK(session.handle("m1000,100000", kTrap).reply == "E01");   // more than a packet holds
    CHECK(session.handle("M1000,2:aabb", kTrap).reply == "OK");
    CHECK(target.memory[0x1001] == 0xbb);
    CHECK(session.handle("M1000,2:aa", kTrap).reply == "E01");     // fewer bytes than said
    CHECK(session.handle("M0,1:aa", kTrap).reply == "E14");
    CHECK(session.handle("X1002,2:}\x03}\x04", kTrap).reply == "OK");   // '#' and '$', escaped
    CHECK(target.memory[0x1002] == '#');
    CHECK(target.memory[0x1003] == '$');
    CHECK(session.handle("X1000,0:", kTrap).reply == "OK");        // gdb's probe
}

TEST_CASE("gdb session: breakpoints and write watchpoints reach the target, the rest are not offered")
{
    FakeTarget target;
    Session session(target);
    CHECK(session.handle("Z0,100027,1", kTrap).reply == "OK");
    CHECK(session.handle("z0,100027,1", kTrap).reply == "OK");
    CHECK(session.handle("Z2,105010,4", kTrap).reply == "OK");      // write watchpoints: the stub steps and compares
    CHECK(session.handle("Z1,100027,1", kTrap).reply.empty());       // no hardware breakpoints,
    CHECK(session.handle("Z3,105010,4", kTrap).reply.empty());       // no read or access watchpoints
    CHECK(session.handle("Z4,105010,4", kTrap).reply.empty());
    CHECK(session.handle("Z0,0,1", kTrap).reply == "E16");
    CHECK(session.handle("Z0,100027,1;X1,ab", kTrap).reply == "E01");
    CHECK(session.handle("Z9,100027,1", kTrap).reply.empty());
    CHECK(session.handle("Z0,100027", kTrap).reply == "E01");
    CHECK(target.calls == std::vector<std::string>{"insert 0 1048615 1", "remove 0 1048615 1", "insert 2 1069072 4",
                                                   "insert 0 0 1"});
}

TEST_CASE("gdb session: continue, step, detach and kill resume the guest, replies wait for the stop")
{
    FakeTarget target;
    Session session(target);
    auto c = session.handle("c", kTrap);
    CHECK(c.resume == Resume::Continue);
    CHECK_FALSE(c.send);
    CHECK(session.handle("s", kTrap).resume == Resume::Step);
    CHECK(session.handle("C0b", kTrap).resume == Resume::Continue);
    CHECK(session.handle("S05", kTrap).resume == Resume::Step);
    CHECK(session.handle("c100000", kTrap).reply == "E01");        // resuming elsewhere: not offered
    CHECK(session.handle("Cxy", kTrap).reply == "E01");
    const auto d = session.handle("D", kTrap);
    CHECK(d.resume == Resume::Detach);
    CHECK(d.reply == "OK");
    CHECK(session.handle("k", kTrap).resume == Resume::Kill);
    CHECK(session.handle("vKill;1", kTrap).resume == Resume::Kill);
    CHECK_FALSE(session.handle("vCont?", kTrap).resume);
    CHECK(session.handle("vCont?", kTrap).reply.empty());
}

TEST_CASE("gdb session: queries, the target description in pieces, and no-ack mode")
{
    FakeTarget target;
    Session session(target);
    CHECK(session.handle("qSupported:multiprocess+;swbreak+", kTrap).reply ==
          "PacketSize=4000;qXfer:features:read+;swbreak+;QStartNoAckMode+");
    CHECK(session.handle("?", kTrap).reply == "T05thread:1;");
    CHECK(session.handle("qAttached", kTrap).reply == "1");
    CHECK(session.handle("qfThreadInfo", kTrap).reply == "m1");
    CHECK(session.handle("qsThreadInfo", kTrap).reply == "l");
    CHECK(session.handle("qC", kTrap).reply == "QC1");
    CHECK(session.handle("Hg0", kTrap).reply == "OK");
    CHECK(session.handle("qUnknownThing", kTrap).reply.empty());
    CHECK(session.handle("", kTrap).reply.empty());
    const std::string xml = arch::gdb_target_xml();
    std::string read;
    for (uint64_t offset = 0;;) {
        char range[40];
        std::snprintf(range, sizeof range, "%llx,100", static_cast<unsigned long long>(offset));
        const std::string part = session.handle(std::string("qXfer:features:read:target.xml:") + range, kTrap).reply;
        REQUIRE_FALSE(part.empty());
        read += part.substr(1);
        offset += part.size() - 1;
        if (part[0] == 'l')
            break;
        REQUIRE(part[0] == 'm');
    }
    CHECK(read == xml);
    CHECK(xml.find("<feature name=\"org.gnu.gdb.i386.core\">") != std::string::npos);
    CHECK(xml.find("<feature name=\"org.gnu.gdb.i386.avx\">\n<reg name=\"ymm0h\" bitsize=\"128\" type=\"uint128\" "
                   "regnum=\"59\"/>") != std::string::npos);
    CHECK(session.handle("qXfer:features:read:other.xml:0,100", kTrap).reply == "E00");
    CHECK_FALSE(session.no_ack());
    CHECK(session.handle("QStartNoAckMode", kTrap).reply == "OK");
    CHECK(session.no_ack());
}
