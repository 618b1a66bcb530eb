// The x86-64 registers as the gdb stub shows them (arch.hpp): the target
// description gdb's amd64 support expects (the i386 core, SSE, segment base
// and AVX features), and the 'g' packet in its order. The x87 and SSE
// registers come from the vCPU's FXSAVE image and the upper halves of the
// YMM registers from its XSAVE area, read-only; without them (a guest
// without AVX) they go as unavailable ("xx"). gdb puts $ymm0 together from
// xmm0 and ymm0h.
#include "arch.hpp"

#include "gdb/register_writes.hpp"
#include "x86_64/cpu_tables.hpp"

#include <array>
#include <cstring>

namespace hl::arch {
namespace {

struct GdbRegister {
    const char* name;
    unsigned bytes;
    const char* type;
};

// gdb's amd64 numbering, which the core feature must follow.
constexpr GdbRegister kRegisters[] = {
    {"rax", 8, "int64"},   {"rbx", 8, "int64"},   {"rcx", 8, "int64"},     {"rdx", 8, "int64"},
    {"rsi", 8, "int64"},   {"rdi", 8, "int64"},   {"rbp", 8, "data_ptr"},  {"rsp", 8, "data_ptr"},
    {"r8", 8, "int64"},    {"r9", 8, "int64"},    {"r10", 8, "int64"},     {"r11", 8, "int64"},
    {"r12", 8, "int64"},   {"r13", 8, "int64"},   {"r14", 8, "int64"},     {"r15", 8, "int64"},
    {"rip", 8, "code_ptr"}, {"eflags", 4, "int32"}, {"cs", 4, "int32"},     {"ss", 4, "int32"},
    {"ds", 4, "int32"},    {"es", 4, "int32"},    {"fs", 4, "int32"},      {"gs", 4, "int32"},
    {"st0", 10, "i387_ext"}, {"st1", 10, "i387_ext"}, {"st2", 10, "i387_ext"}, {"st3", 10, "i387_ext"},
    {"st4", 10, "i387_ext"}, {"st5", 10, "i387_ext"}, {"st6", 10, "i387_ext"}, {"st7", 10, "i387_ext"},
    {"fctrl", 4, "int32"}, {"fstat", 4, "int32"}, {"ftag", 4, "int32"},    {"fiseg", 4, "int32"},
    {"fioff", 4, "int32"}, {"foseg", 4, "int32"}, {"fooff", 4, "int32"},   {"fop", 4, "int32"},
    {"xmm0", 16, "vec128"}, {"xmm1", 16, "vec128"}, {"xmm2", 16, "vec128"}, {"xmm3", 16, "vec128"},
    {"xmm4", 16, "vec128"}, {"xmm5", 16, "vec128"}, {"xmm6", 16, "vec128"}, {"xmm7", 16, "vec128"},
    {"xmm8", 16, "vec128"}, {"xmm9", 16, "vec128"}, {"xmm10", 16, "vec128"}, {"xmm11", 16, "vec128"},
    {"xmm12", 16, "vec128"}, {"xmm13", 16, "vec128"}, {"xmm14", 16, "vec128"}, {"xmm15", 16, "vec128"},
    {"mxcsr", 4, "int32"}, {"fs_base", 8, "int64"}, {"gs_base", 8, "int64"},
    {"ymm0h", 16, "uint128"}, {"ymm1h", 16, "uint128"}, {"ymm2h", 16, "uint128"}, {"ymm3h", 16, "uint128"},
    {"ymm4h", 16, "uint128"}, {"ymm5h", 16, "uint128"}, {"ymm6h", 16, "uint128"}, {"ymm7h", 16, "uint128"},
    {"ymm8h", 16, "uint128"}, {"ymm9h", 16, "uint128"}, {"ymm10h", 16, "uint128"}, {"ymm11h", 16, "uint128"},
    {"ymm12h", 16, "uint128"}, {"ymm13h", 16, "uint128"}, {"ymm14h", 16, "uint128"}, {"ymm15h", 16, "uint128"},
};
constexpr unsigned kCount = sizeof kRegisters / sizeof kRegisters[0];
constexpr unsigned kRip = 16, kEflags = 17, kCs = 18, kSs = 19, kFirstX87 = 24, kFirstXmm = 40, kFsBase = 57,
                   kFirstYmmHigh = 59;

// The flags a program may change: CF PF AF ZF SF DF OF. The rest (TF, IF,
// IOPL...) are the machine's.
constexpr uint64_t kUserFlags = 0x0cd5;

// Register n of the 17 general ones (rip last), const or not.
template <typename R>
auto general(R& r, unsigned n)
{
    decltype(&r.rax) slots[] = {&r.rax, &r.rbx, &r.rcx, &r.rdx, &r.rsi, &r.rdi, &r.rbp, &r.rsp, &r.r8,
                                &r.r9,  &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15, &r.rip};
    return slots[n];
}

uint64_t value_of(const GdbThread& t, unsigned n)
{
    if (n <= kRip)
        return *general(t.registers, n);
    switch (n) {
    case kEflags: return t.registers.rflags;
    case kCs: return cpu::kUserCodeSelector;
    case kSs: return cpu::kUserDataSelector;
    case kFsBase: return t.thread_pointer;
    default: return 0;                             // ds es fs gs, gs_base
    }
}

template <typename T>
T field(const std::array<uint8_t, 512>& fx, size_t offset)
{
    T value;
    std::memcpy(&value, fx.data() + offset, sizeof value);
    return value;
}

// The full x87 tag word gdb shows, from FXSAVE's abridged one: per physical
// register 0 valid, 1 zero, 2 special, 3 empty.
uint64_t full_tag_word(const std::array<uint8_t, 512>& fx)
{
    const auto abridged = field<uint8_t>(fx, 4);
    const unsigned top = (field<uint16_t>(fx, 2) >> 11) & 7;
    uint64_t tags = 0;
    for (unsigned physical = 0; physical < 8; ++physical) {
        unsigned tag = 3;
        if (abridged & (1u << physical)) {
            const size_t st = 32 + ((physical - top) & 7) * 16;
            const auto mantissa = field<uint64_t>(fx, st);
            const unsigned exponent = field<uint16_t>(fx, st + 8) & 0x7fff;
            tag = exponent == 0x7fff ? 2 : exponent == 0 ? (mantissa == 0 ? 1 : 2) : (mantissa >> 63) ? 0 : 2;
        }
        tags |= uint64_t{tag} << (2 * physical);
    }
    return tags;
}

// Register n's bytes, little-endian; empty when it is not offered.
std::vector<uint8_t> bytes_of(const GdbThread& t, unsigned n)
{
    const unsigned size = kRegisters[n].bytes;
    std::vector<uint8_t> out(size, 0);
    if (n >= kFirstYmmHigh) {
        if (!t.vectors || !t.vectors->ymm_high)
            return {};
        std::memcpy(out.data(), t.vectors->ymm_high->data() + (n - kFirstYmmHigh) * 16, 16);
        return out;
    }
    if (n < kFirstX87 || n >= kFsBase) {
        const uint64_t value = value_of(t, n);
        std::memcpy(out.data(), &value, std::min<size_t>(size, sizeof value));
        return out;
    }
    if (!t.vectors)
        return {};
    const auto& fx = t.vectors->fxsave;
    auto put = [&](uint64_t value) { std::memcpy(out.data(), &value, std::min<size_t>(size, sizeof value)); };
    if (n < kFirstX87 + 8)
        std::memcpy(out.data(), fx.data() + 32 + (n - kFirstX87) * 16, 10);        // st0-st7
    else if (n >= kFirstXmm && n < kFirstXmm + 16)
        std::memcpy(out.data(), fx.data() + 160 + (n - kFirstXmm) * 16, 16);       // xmm0-xmm15
    else
        switch (n - kFirstX87 - 8) {
        case 0: put(field<uint16_t>(fx, 0)); break;            // fctrl
        case 1: put(field<uint16_t>(fx, 2)); break;            // fstat
        case 2: put(full_tag_word(fx)); break;                 // ftag
        case 3: put(field<uint16_t>(fx, 12)); break;           // fiseg
        case 4: put(field<uint32_t>(fx, 8)); break;            // fioff
        case 5: put(field<uint16_t>(fx, 20)); break;           // foseg
        case 6: put(field<uint32_t>(fx, 16)); break;           // fooff
        case 7: put(field<uint16_t>(fx, 6) & 0x7ff); break;    // fop
        default: put(field<uint32_t>(fx, 24)); break;          // mxcsr
        }
    return out;
}

std::string hex_of(const std::vector<uint8_t>& bytes, unsigned size)
{
    if (bytes.empty())
        return std::string(2 * size, 'x');
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const uint8_t byte : bytes) {
        out.push_back(digits[byte >> 4]);
        out.push_back(digits[byte & 0xf]);
    }
    return out;
}

// Sets register n from its little-endian bytes, when the guest may hold that value.
bool set(GdbThread& t, unsigned n, std::span<const uint8_t> bytes)
{
    if (n >= kCount || bytes.size() != kRegisters[n].bytes)
        return false;
    uint64_t value = 0;
    std::memcpy(&value, bytes.data(), std::min<size_t>(bytes.size(), sizeof value));
    // An instruction or thread pointer the CPU could not hold: refused.
    const bool canonical = (value >> 47) == 0 || (value >> 47) == 0x1ffff;
    if ((n == kRip || n == kFsBase) && !canonical)
        return false;
    if (n <= kRip) {
        *general(t.registers, n) = value;
        return true;
    }
    if (n == kEflags) {
        t.registers.rflags = (t.registers.rflags & ~kUserFlags) | (value & kUserFlags);
        return true;
    }
    if (n == kFsBase) {
        t.thread_pointer = value;
        return true;
    }
    // The segments, gs_base, x87, SSE and AVX: only their present value
    // (what gdb writes back with a whole 'G' packet).
    const std::vector<uint8_t> now = bytes_of(t, n);
    return !now.empty() && std::equal(now.begin(), now.end(), bytes.begin());
}

} // namespace

std::string gdb_target_xml()
{
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                      "<architecture>i386:x86-64</architecture>\n";
    auto feature = [&](const char* name, unsigned first, unsigned end, const char* types) {
        xml += std::string("<feature name=\"") + name + "\">\n" + types;
        for (unsigned n = first; n < end; ++n)
            xml += std::string("<reg name=\"") + kRegisters[n].name + "\" bitsize=\"" +
                   std::to_string(kRegisters[n].bytes * 8) + "\" type=\"" + kRegisters[n].type + "\" regnum=\"" +
                   std::to_string(n) + "\"/>\n";
        xml += "</feature>\n";
    };
    feature("org.gnu.gdb.i386.core", 0, 40, "");
    feature("org.gnu.gdb.i386.sse", 40, kFsBase,
            "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
            "<vector id=\"v16u8\" type=\"uint8\" count=\"16\"/>\n<vector id=\"v4u32\" type=\"uint32\" count=\"4\"/>\n"
            "<vector id=\"v2u64\" type=\"uint64\" count=\"2\"/>\n"
            "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
            "<field name=\"v16_int8\" type=\"v16u8\"/><field name=\"v4_int32\" type=\"v4u32\"/>"
            "<field name=\"v2_int64\" type=\"v2u64\"/><field name=\"uint128\" type=\"uint128\"/></union>\n");
    feature("org.gnu.gdb.i386.segments", kFsBase, kFirstYmmHigh, "");
    feature("org.gnu.gdb.i386.avx", kFirstYmmHigh, kCount, "");
    return xml + "</target>\n";
}

std::string gdb_registers(const GdbThread& thread)
{
    std::string out;
    for (unsigned n = 0; n < kCount; ++n)
        out += hex_of(bytes_of(thread, n), kRegisters[n].bytes);
    return out;
}

std::optional<std::string> gdb_register(const GdbThread& thread, unsigned number)
{
    if (number >= kCount)
        return std::nullopt;
    return hex_of(bytes_of(thread, number), kRegisters[number].bytes);
}

bool gdb_set_register(GdbThread& thread, unsigned number, std::span<const uint8_t> value)
{
    return gdb::write_register(thread, number, value, set);
}

bool gdb_set_registers(GdbThread& thread, std::span<const uint8_t> bytes)
{
    return gdb::write_registers(
        thread, bytes, kCount, [](unsigned n) { return kRegisters[n].bytes; },
        [](const GdbThread& t, unsigned n) { return !bytes_of(t, n).empty(); }, set);
}

} // namespace hl::arch
