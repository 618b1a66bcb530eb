// The aarch64 registers as the gdb stub shows them: gdb's features and
// numbering, the 'g' packet, and writes that change only what the guest
// may change. Pure: runs on every host.
#include "aarch64/boot_state.hpp"
#include "aarch64/gdb_registers.hpp"
#include "gdb/rsp_packets.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace hl;
using namespace hl::aarch64;

namespace {

GdbThread sample_thread()
{
    GdbThread t;
    for (size_t i = 0; i < t.registers.x.size(); ++i)
        t.registers.x[i] = 0x1000 + i;
    t.registers.sp = 0x7ff0;
    t.registers.pc = 0x100034;
    t.registers.pstate = kBootPstate | (1ull << 30);   // Z set
    t.thread_pointer = 0x5000;
    return t;
}

std::vector<uint8_t> le64(uint64_t value)
{
    std::vector<uint8_t> bytes(8);
    for (size_t i = 0; i < 8; ++i)
        bytes[i] = static_cast<uint8_t>(value >> (8 * i));
    return bytes;
}

std::vector<uint8_t> le32(uint32_t value)
{
    std::vector<uint8_t> bytes = le64(value);
    bytes.resize(4);
    return bytes;
}

} // namespace

TEST_CASE("aarch64 gdb registers: gdb's core, fpu and tls features with its numbering")
{
    const std::string xml = gdb_target_xml();
    CHECK(xml.find("<architecture>aarch64</architecture>") != std::string::npos);
    CHECK(xml.find("<feature name=\"org.gnu.gdb.aarch64.core\">") != std::string::npos);
    CHECK(xml.find("<feature name=\"org.gnu.gdb.aarch64.fpu\">") != std::string::npos);
    CHECK(xml.find("<feature name=\"org.gnu.gdb.aarch64.tls\">") != std::string::npos);
    CHECK(xml.find("<reg name=\"x30\" bitsize=\"64\" type=\"int\" regnum=\"30\"/>") != std::string::npos);
    CHECK(xml.find("<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>") != std::string::npos);
    CHECK(xml.find("<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>") != std::string::npos);
    CHECK(xml.find("<reg name=\"cpsr\" bitsize=\"32\" type=\"int\" regnum=\"33\"/>") != std::string::npos);
    CHECK(xml.find("<reg name=\"v31\" bitsize=\"128\" type=\"aarch64v\" regnum=\"65\"/>") != std::string::npos);
    CHECK(xml.find("<reg name=\"fpcr\" bitsize=\"32\" type=\"int\" regnum=\"67\"/>") != std::string::npos);
    CHECK(xml.find("<reg name=\"tpidr\" bitsize=\"64\" type=\"data_ptr\" regnum=\"68\"/>") != std::string::npos);
}

TEST_CASE("aarch64 gdb registers: the g packet in gdb's order, vectors unavailable until read")
{
    GdbThread t = sample_thread();
    const std::string g = gdb_registers(t);
    // 31 x + sp + pc (8 bytes) + cpsr (4) + 32 v (16) + fpsr + fpcr (4) + tpidr (8).
    REQUIRE(g.size() == 2 * (33 * 8 + 4 + 32 * 16 + 4 + 4 + 8));
    CHECK(g.substr(0, 16) == "0010000000000000");                       // x0
    CHECK(g.substr(32 * 16, 16) == "3400100000000000");                 // pc
    CHECK(g.substr(33 * 16, 8) == "c0030040");                          // cpsr: Z and the masks
    CHECK(g.substr(33 * 16 + 8, 32) == std::string(32, 'x'));           // v0 not offered
    CHECK(g.substr(g.size() - 16) == "0050000000000000");               // tpidr
    CHECK(gdb_register(t, 32) == "3400100000000000");
    CHECK(gdb_register(t, 69) == std::nullopt);

    t.vectors = aarch64::VectorRegisters{};
    t.vectors->v[1][0] = 0xab;
    t.vectors->fpcr = 0x03000000;
    CHECK(gdb_register(t, 35) == "ab000000000000000000000000000000");
    CHECK(gdb_register(t, 67) == "00000003");
}

TEST_CASE("aarch64 gdb registers: writes change what the guest may change, and nothing else")
{
    GdbThread t = sample_thread();
    CHECK(gdb_set_register(t, 5, le64(42)));
    CHECK(t.registers.x[5] == 42);
    CHECK(gdb_set_register(t, 32, le64(0x100040)));
    CHECK(t.registers.pc == 0x100040);
    CHECK_FALSE(gdb_set_register(t, 32, le64(0x100042)));      // misaligned
    CHECK_FALSE(gdb_set_register(t, 32, le64(1ull << 40)));    // beyond the 39-bit address space
    CHECK(t.registers.pc == 0x100040);
    CHECK(gdb_set_register(t, 33, le32(static_cast<uint32_t>(kBootPstate) | (1u << 31))));   // N instead of Z
    CHECK(t.registers.pstate == (kBootPstate | (1ull << 31)));
    CHECK_FALSE(gdb_set_register(t, 33, le32(0x3c5)));         // EL1h: the machine's
    CHECK_FALSE(gdb_set_register(t, 5, le32(1)));              // wrong size
    CHECK(gdb_set_register(t, 68, le64(0x6000)));
    CHECK(t.thread_pointer == 0x6000);

    t.vectors = aarch64::VectorRegisters{};
    CHECK(gdb_set_register(t, 34, std::vector<uint8_t>(16, 0)));   // v0's present value
    CHECK_FALSE(gdb_set_register(t, 34, std::vector<uint8_t>(16, 1)));
}

TEST_CASE("aarch64 gdb registers: a G packet of what g read changes nothing, a changed one all or nothing")
{
    GdbThread t = sample_thread();
    std::vector<uint8_t> bytes;
    REQUIRE(gdb::from_hex(gdb_registers(t), bytes) == false);   // "xx" for the vectors is not hex
    t.vectors = aarch64::VectorRegisters{};
    REQUIRE(gdb::from_hex(gdb_registers(t), bytes));
    CHECK(gdb_set_registers(t, bytes));
    CHECK(t.registers.x[7] == 0x1007);

    bytes[7 * 8] = 0x99;                                        // x7
    bytes[32 * 8] = 0x36;                                       // pc misaligned: the whole write is refused
    CHECK_FALSE(gdb_set_registers(t, bytes));
    CHECK(t.registers.x[7] == 0x1007);
    bytes[32 * 8] = 0x38;
    CHECK(gdb_set_registers(t, bytes));
    CHECK(t.registers.x[7] == 0x1099);
    CHECK(t.registers.pc == 0x100038);
    bytes.pop_back();
    CHECK_FALSE(gdb_set_registers(t, bytes));
}
