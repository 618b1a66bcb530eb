// The aarch64 registers as the gdb stub shows them (see gdb_registers.hpp).
// The feature and register names are gdb's own (gdb/features/aarch64-*.xml):
// gdb finds its registers by them.
#include "aarch64/gdb_registers.hpp"

#include "aarch64/exception_vectors.hpp"
#include "aarch64/translation_tables.hpp"
#include "gdb/register_writes.hpp"
#include "gdb/rsp_packets.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace hl::aarch64 {
namespace {

// gdb's aarch64 numbering: x0-x30, sp, pc, cpsr, v0-v31, fpsr, fpcr, then tpidr.
constexpr unsigned kSp = 31, kPc = 32, kCpsr = 33, kFirstV = 34, kFpsr = 66, kFpcr = 67, kTpidr = 68,
                   kCount = 69;

unsigned size_of(unsigned n) { return n >= kFirstV && n < kFpsr ? 16 : n == kCpsr || n == kFpsr || n == kFpcr ? 4 : 8; }

// Register n's bytes, little-endian; empty when it is not offered.
std::vector<uint8_t> bytes_of(const GdbThread& t, unsigned n)
{
    std::vector<uint8_t> out(size_of(n), 0);
    auto put = [&](uint64_t value) { std::memcpy(out.data(), &value, std::min<size_t>(out.size(), sizeof value)); };
    if (n < kSp)
        put(t.registers.x[n]);
    else if (n == kSp)
        put(t.registers.sp);
    else if (n == kPc)
        put(t.registers.pc);
    else if (n == kCpsr)
        put(t.registers.pstate);
    else if (n == kTpidr)
        put(t.thread_pointer);
    else if (!t.vectors)
        return {};
    else if (n < kFpsr)
        std::memcpy(out.data(), t.vectors->v[n - kFirstV].data(), 16);
    else
        put(n == kFpsr ? t.vectors->fpsr : t.vectors->fpcr);
    return out;
}

std::string hex_of(const std::vector<uint8_t>& bytes, unsigned size)
{
    return bytes.empty() ? std::string(2 * size, 'x') : gdb::to_hex(bytes);
}

// Sets register n from its little-endian bytes, when the guest may hold that value.
bool set(GdbThread& t, unsigned n, std::span<const uint8_t> bytes)
{
    if (n >= kCount || bytes.size() != size_of(n))
        return false;
    uint64_t value = 0;
    std::memcpy(&value, bytes.data(), std::min<size_t>(bytes.size(), sizeof value));
    if (n < kSp)
        t.registers.x[n] = value;
    else if (n == kSp)
        t.registers.sp = value;
    else if (n == kPc) {
        // An instruction address the guest's translation could not hold, or a misaligned one: refused.
        if (value % 4 != 0 || (value >> kVirtualAddressBits) != 0)
            return false;
        t.registers.pc = value;
    } else if (n == kCpsr) {
        // NZCV and the like are the guest's; the exception level and the masks are the machine's.
        if ((value & ~kEl0PstateBits) != (t.registers.pstate & ~kEl0PstateBits))
            return false;
        t.registers.pstate = value;
    } else if (n == kTpidr)
        t.thread_pointer = value;
    else {
        // v0-v31, fpsr, fpcr: only their present value (what gdb writes back with a whole 'G' packet).
        const std::vector<uint8_t> now = bytes_of(t, n);
        return !now.empty() && std::equal(now.begin(), now.end(), bytes.begin());
    }
    return true;
}

std::string reg(const std::string& name, unsigned n, const char* type)
{
    return "<reg name=\"" + name + "\" bitsize=\"" + std::to_string(size_of(n) * 8) + "\" type=\"" + type +
           "\" regnum=\"" + std::to_string(n) + "\"/>\n";
}

} // namespace

std::string gdb_target_xml()
{
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                      "<architecture>aarch64</architecture>\n<feature name=\"org.gnu.gdb.aarch64.core\">\n";
    for (unsigned n = 0; n < kSp; ++n)
        xml += reg("x" + std::to_string(n), n, "int");
    xml += reg("sp", kSp, "data_ptr") + reg("pc", kPc, "code_ptr") + reg("cpsr", kCpsr, "int");
    xml += "</feature>\n<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
           "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
           "<vector id=\"v2i\" type=\"int64\" count=\"2\"/>\n<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
           "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n<vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
           "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n<vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
           "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n<vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
           "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/>\n<vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
           "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
           "<field name=\"s\" type=\"v2i\"/></union>\n"
           "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
           "<field name=\"s\" type=\"v4i\"/></union>\n"
           "<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>\n"
           "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
           "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
           "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
           "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/><field name=\"q\" type=\"vnq\"/></union>\n";
    for (unsigned n = kFirstV; n < kFpsr; ++n)
        xml += reg("v" + std::to_string(n - kFirstV), n, "aarch64v");
    xml += reg("fpsr", kFpsr, "int") + reg("fpcr", kFpcr, "int");
    xml += "</feature>\n<feature name=\"org.gnu.gdb.aarch64.tls\">\n" + reg("tpidr", kTpidr, "data_ptr");
    return xml + "</feature>\n</target>\n";
}

std::string gdb_registers(const GdbThread& thread)
{
    std::string out;
    for (unsigned n = 0; n < kCount; ++n)
        out += hex_of(bytes_of(thread, n), size_of(n));
    return out;
}

std::optional<std::string> gdb_register(const GdbThread& thread, unsigned number)
{
    if (number >= kCount)
        return std::nullopt;
    return hex_of(bytes_of(thread, number), size_of(number));
}

bool gdb_set_register(GdbThread& thread, unsigned number, std::span<const uint8_t> value)
{
    return gdb::write_register(thread, number, value, set);
}

bool gdb_set_registers(GdbThread& thread, std::span<const uint8_t> bytes)
{
    return gdb::write_registers(
        thread, bytes, kCount, size_of, [](const GdbThread& t, unsigned n) { return !bytes_of(t, n).empty(); }, set);
}

} // namespace hl::aarch64
