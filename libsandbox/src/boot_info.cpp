// Boot info and argv in guest memory (see boot_info.hpp).
#include "boot_info.hpp"

#include <hl/sandbox.hpp>

#include <cstring>

namespace hl {

uint32_t boot_flags(const SandboxOptions& options)
{
    return (options.stdout_terminal ? HL_BOOT_STDOUT_TERMINAL : 0u) |
           (options.stderr_terminal ? HL_BOOT_STDERR_TERMINAL : 0u);
}

void write_boot_info(std::span<uint8_t> memory, const Layout& layout, const std::vector<std::string>& argv,
                     const BootFacts& facts)
{
    const uint64_t pointers = HL_BOOT_INFO_ADDR + sizeof(hl_boot_info);
    uint64_t strings = pointers + (argv.size() + 1) * sizeof(uint64_t);
    uint64_t need = strings - HL_BOOT_INFO_ADDR;
    for (size_t i = 0; i < argv.size(); ++i) {
        if (argv[i].find('\0') != std::string::npos)
            throw LayoutError("argument " + std::to_string(i) + " contains a NUL byte");
        need += argv[i].size() + 1;
    }
    if (need > HL_BOOT_INFO_MAX_SIZE)
        throw LayoutError("arguments take " + std::to_string(need) + " bytes, more than the " +
                          format_size(HL_BOOT_INFO_MAX_SIZE) + " the boot info can hold");

    hl_boot_info info{};
    info.magic = HL_BOOT_MAGIC;
    info.abi_version = facts.abi_version;
    info.argc = static_cast<uint32_t>(argv.size());
    info.argv = pointers;
    info.heap_start = layout.heap_start();
    info.heap_size = layout.heap_size();
    info.stack_top = layout.stack_top();
    info.stack_size = layout.stack_size();
    info.memory_size = layout.memory_size();
    info.flags = facts.flags;
    std::memcpy(memory.data() + HL_BOOT_INFO_ADDR, &info, sizeof info);

    for (size_t i = 0; i <= argv.size(); ++i) {
        const uint64_t address = i < argv.size() ? strings : 0;
        std::memcpy(memory.data() + pointers + i * sizeof(uint64_t), &address, sizeof address);
        if (i < argv.size()) {
            std::memcpy(memory.data() + strings, argv[i].c_str(), argv[i].size() + 1);
            strings += argv[i].size() + 1;
        }
    }
}

} // namespace hl
