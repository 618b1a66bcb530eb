// Linux system-call names of the guest's architecture: its table
// (syscall_names_x86_64.cpp, syscall_names_aarch64.cpp) and the look-ups
// both make of it (syscall_names.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hl::linux_abi {

// The names by number; nullptr where the architecture defines none.
std::span<const char* const> syscall_names();
// "write", "exit_group"; nullptr for a number the architecture does not define.
const char* syscall_name(uint64_t number);
// The number of the call named name, if the architecture has one.
std::optional<uint64_t> syscall_number(std::string_view name);

} // namespace hl::linux_abi
