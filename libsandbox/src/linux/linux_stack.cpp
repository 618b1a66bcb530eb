// The initial stack of a static Linux executable (see linux_stack.hpp).
#include "linux/linux_stack.hpp"

#include "linux/kernel_abi.hpp"

#include <hl/abi.h>
#include <hl/units.hpp>

#include <cstring>

namespace hl::linux_abi {
namespace {

// Auxiliary vector keys (<elf.h>'s AT_*).
enum : uint64_t {
    kAtNull = 0, kAtPhdr = 3, kAtPhent = 4, kAtPhnum = 5, kAtPagesz = 6, kAtBase = 7, kAtFlags = 8,
    kAtEntry = 9, kAtUid = 11, kAtEuid = 12, kAtGid = 13, kAtEgid = 14, kAtPlatform = 15, kAtHwcap = 16,
    kAtClktck = 17, kAtSecure = 23, kAtRandom = 25, kAtExecfn = 31,
};

void check_strings(const std::vector<std::string>& strings, const char* what)
{
    for (size_t i = 0; i < strings.size(); ++i)
        if (strings[i].find('\0') != std::string::npos)
            throw LayoutError(std::string(what) + " " + std::to_string(i) + " contains a NUL byte");
}

// Fills the stack from the top down, failing once it passes the limit.
class StackWriter {
public:
    StackWriter(std::span<uint8_t> memory, uint64_t top, uint64_t floor) : memory_(memory), at_(top), floor_(floor) {}

    uint64_t push_bytes(const void* bytes, uint64_t size)
    {
        reserve(size);
        if (!overflow_) // past the limit nothing is written: the run is refused
            std::memcpy(memory_.data() + at_, bytes, size);
        return at_;
    }
    uint64_t push_string(const std::string& s) { return push_bytes(s.c_str(), s.size() + 1); }
    void align(uint64_t to)
    {
        if (at_ % to > at_ - floor_)
            overflow_ = true;
        at_ = overflow_ ? floor_ : at_ - at_ % to;
    }
    void reserve(uint64_t size)
    {
        if (size > at_ - floor_)
            overflow_ = true;
        at_ = overflow_ ? floor_ : at_ - size;
    }
    void store(uint64_t address, uint64_t value) { std::memcpy(memory_.data() + address, &value, sizeof value); }
    uint64_t at() const { return at_; }
    bool overflowed() const { return overflow_; }

private:
    std::span<uint8_t> memory_;
    uint64_t at_, floor_;
    bool overflow_ = false;
};

uint64_t bytes_needed(const LinuxStart& start)
{
    uint64_t need = 0;
    for (const auto* list : {&start.argv, &start.environment})
        for (const std::string& s : *list)
            need += s.size() + 1 + sizeof(uint64_t);
    return need;
}

} // namespace

uint64_t write_linux_stack(std::span<uint8_t> memory, const Layout& layout, const LinuxStart& start)
{
    check_strings(start.argv, "argument");
    check_strings(start.environment, "environment entry");
    const uint64_t limit = layout.stack_size() / 4;
    StackWriter stack(memory, layout.stack_top(), layout.stack_top() - limit);

    const uint64_t random = stack.push_bytes(start.random.data(), start.random.size());
    const uint64_t platform = stack.push_string(guest_abi().machine);
    const uint64_t execfn = stack.push_string(start.argv.empty() ? std::string() : start.argv[0]);
    std::vector<uint64_t> argv, env;
    for (const std::string& s : start.argv)
        argv.push_back(stack.push_string(s));
    for (const std::string& s : start.environment)
        env.push_back(stack.push_string(s));
    uint64_t phdr = start.program_headers_at.value_or(0);
    if (!start.program_headers_at) {
        stack.align(8);
        phdr = stack.push_bytes(start.program_headers.data(), start.program_headers.size());
    }

    const std::vector<std::pair<uint64_t, uint64_t>> auxv = {
        {kAtPhdr, phdr}, {kAtPhent, start.program_header_size}, {kAtPhnum, start.program_header_count},
        {kAtPagesz, HL_PAGE_SIZE}, {kAtBase, 0}, {kAtFlags, 0}, {kAtEntry, start.entry},
        {kAtUid, 0}, {kAtEuid, 0}, {kAtGid, 0}, {kAtEgid, 0}, {kAtPlatform, platform}, {kAtHwcap, 0},
        {kAtClktck, 100}, {kAtSecure, 0}, {kAtRandom, random}, {kAtExecfn, execfn}, {kAtNull, 0},
    };
    const uint64_t words = 1 + argv.size() + 1 + env.size() + 1 + 2 * auxv.size();
    stack.reserve(words * sizeof(uint64_t));
    stack.align(16);
    if (stack.overflowed())
        throw LayoutError("arguments and environment take " + format_size(bytes_needed(start)) +
                          ", more than the " + format_size(limit) +
                          " a quarter of the stack allows (give the image a larger stack)");
    uint64_t at = stack.at();
    const uint64_t sp = at;
    auto put = [&](uint64_t value) {
        stack.store(at, value);
        at += sizeof value;
    };
    put(argv.size());
    for (uint64_t a : argv)
        put(a);
    put(0);
    for (uint64_t e : env)
        put(e);
    put(0);
    for (const auto& [key, value] : auxv) {
        put(key);
        put(value);
    }
    return sp;
}

} // namespace hl::linux_abi
