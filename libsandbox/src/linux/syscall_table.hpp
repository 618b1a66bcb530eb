// The system calls the personality serves, by number: the handler and how a
// trace names its arguments. One table per architecture, since numbers and
// a few calls differ (syscall_table_x86_64.cpp, syscall_table_aarch64.cpp).
#pragma once

#include "linux/syscall_handlers.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>

namespace hl::linux_abi {

struct ServedCall {
    SyscallHandler handler = nullptr;
    int arg_count = 0;
    std::array<const char*, 6> arg_names{};
    uint8_t hex_args = 0;   // bit i: argument i reads best in hex
};

// ServedCall::hex_args for the arguments numbered.
constexpr uint8_t hex_args(std::initializer_list<int> args)
{
    uint8_t mask = 0;
    for (int i : args)
        mask = static_cast<uint8_t>(mask | 1u << i);
    return mask;
}

// Every call the architecture's table serves, by number (syscall_table_ARCH.cpp).
const std::map<uint64_t, ServedCall>& served_calls();

// nullptr when the number is not served (ENOSYS).
inline const ServedCall* served_call(uint64_t number)
{
    const auto& calls = served_calls();
    const auto found = calls.find(number);
    return found == calls.end() ? nullptr : &found->second;
}

} // namespace hl::linux_abi
