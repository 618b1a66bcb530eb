// Looking system calls up in the architecture's table (see syscall_names.hpp).
#include "linux/syscall_names.hpp"

namespace hl::linux_abi {

const char* syscall_name(uint64_t number)
{
    const std::span<const char* const> names = syscall_names();
    return number < names.size() ? names[number] : nullptr;
}

std::optional<uint64_t> syscall_number(std::string_view name)
{
    const std::span<const char* const> names = syscall_names();
    for (uint64_t number = 0; number < names.size(); ++number)
        if (names[number] && name == names[number])
            return number;
    return std::nullopt;
}

} // namespace hl::linux_abi
