// Writes of gdb's 'G' and 'P' packets into an architecture's register view
// (x86_64/gdb_registers.cpp, aarch64/gdb_registers.cpp), all or nothing: a
// copy takes the write, and only a write the guest may hold replaces the
// view. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hl::gdb {

// Register number's value from its bytes, through set(thread, number, bytes).
template <typename Thread, typename Set>
bool write_register(Thread& thread, unsigned number, std::span<const uint8_t> value, Set set)
{
    Thread changed = thread;
    if (!set(changed, number, value))
        return false;
    thread = changed;
    return true;
}

// Every register of count from bytes in gdb's order, each size(n) bytes long;
// those not offered (offered(thread, n) false: gdb read them as "xx") are
// skipped as they come back.
template <typename Thread, typename Size, typename Offered, typename Set>
bool write_registers(Thread& thread, std::span<const uint8_t> bytes, unsigned count, Size size, Offered offered,
                     Set set)
{
    Thread changed = thread;
    size_t at = 0;
    for (unsigned n = 0; n < count; ++n) {
        const unsigned bytes_of_n = size(n);
        if (at + bytes_of_n > bytes.size())
            return false;
        if (offered(thread, n) && !set(changed, n, bytes.subspan(at, bytes_of_n)))
            return false;
        at += bytes_of_n;
    }
    if (at != bytes.size())
        return false;
    thread = changed;
    return true;
}

} // namespace hl::gdb
