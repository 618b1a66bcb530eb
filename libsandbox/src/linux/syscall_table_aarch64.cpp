// The aarch64 system calls the personality serves: none yet. Its handlers
// assume x86-64's structures in places (struct stat, arch_prctl for the
// thread pointer), so a sandbox refuses a Linux process on aarch64 before it
// is built (arch::unported_feature) and nothing asks this table; it fills
// with the aarch64 layouts of those structures.
#include "linux/syscall_table.hpp"

namespace hl::linux_abi {

const ServedCall* served_call(uint64_t)
{
    return nullptr;
}

} // namespace hl::linux_abi
