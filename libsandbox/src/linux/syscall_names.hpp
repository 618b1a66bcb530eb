// Linux system-call names of the guest's architecture (syscall_names_x86_64.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hl::linux_abi {

// "write", "exit_group"; nullptr for a number the architecture does not define.
const char* syscall_name(uint64_t number);
// The number of the call named name, if the architecture has one.
std::optional<uint64_t> syscall_number(std::string_view name);

} // namespace hl::linux_abi
