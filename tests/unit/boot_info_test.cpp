// Boot info and argv as the guest will find them.
#include "boot_info.hpp"
#include "test_layouts.hpp"

#include <hl/sandbox.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using namespace hl;

TEST_CASE("boot info carries argc, argv and the memory map")
{
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    write_boot_info(memory, layout, {"img.hl", "-x", ""}, {});
    hl_boot_info info;
    std::memcpy(&info, memory.data() + HL_BOOT_INFO_ADDR, sizeof info);
    CHECK(info.magic == HL_BOOT_MAGIC);
    CHECK(info.abi_version == HL_ABI_VERSION);
    CHECK(info.argc == 3);
    CHECK(info.heap_start == layout.heap_start());
    CHECK(info.heap_size == layout.heap_size());
    CHECK(info.stack_top == layout.stack_top());
    CHECK(info.memory_size == layout.memory_size());
    CHECK(info.flags == 0);
    CHECK(info.argv == HL_BOOT_INFO_ADDR + sizeof info);
    uint64_t argv[4];
    std::memcpy(argv, memory.data() + info.argv, sizeof argv);
    CHECK(std::string(reinterpret_cast<const char*>(memory.data() + argv[0])) == "img.hl");
    CHECK(std::string(reinterpret_cast<const char*>(memory.data() + argv[1])) == "-x");
    CHECK(std::string(reinterpret_cast<const char*>(memory.data() + argv[2])).empty());
    CHECK(argv[3] == 0);
    for (int i = 0; i < 3; ++i)
        CHECK(*layout.permission(guest_addr(argv[i])) == PagePermission{.user = true, .writable = false, .executable = false});
}

TEST_CASE("boot info refuses arguments that do not fit or hold NUL")
{
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    CHECK_THROWS_WITH(write_boot_info(memory, layout, {"a", std::string(1 << 20, 'x')}, {}),
                      "arguments take 1048675 bytes, more than the 256Ki the boot info can hold");
    CHECK_THROWS_WITH(write_boot_info(memory, layout, {"a", std::string("b\0c", 3)}, {}),
                      "argument 1 contains a NUL byte");
}

TEST_CASE("boot info says which streams are terminals")
{
    CHECK(boot_flags({}) == 0);
    CHECK(boot_flags({.stdout_terminal = TerminalSize{}}) == HL_BOOT_STDOUT_TERMINAL);
    CHECK(boot_flags({.stderr_terminal = TerminalSize{50, 132}}) == HL_BOOT_STDERR_TERMINAL);
    CHECK(boot_flags({.stdout_terminal = TerminalSize{}, .stderr_terminal = TerminalSize{}}) ==
          (HL_BOOT_STDOUT_TERMINAL | HL_BOOT_STDERR_TERMINAL));

    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    write_boot_info(memory, layout, {"img.hl"}, {.flags = HL_BOOT_STDOUT_TERMINAL | HL_BOOT_STDERR_TERMINAL});
    hl_boot_info info;
    std::memcpy(&info, memory.data() + HL_BOOT_INFO_ADDR, sizeof info);
    CHECK(info.flags == (HL_BOOT_STDOUT_TERMINAL | HL_BOOT_STDERR_TERMINAL));
    CHECK(info._reserved == 0);
}

TEST_CASE("boot info of a version 1 image says version 1")
{
    // A version 1 runtime checks abi_version for 1 and reads the 64 bytes before flags.
    const Layout layout = test::typical_layout();
    std::vector<uint8_t> memory(layout.memory_size());
    write_boot_info(memory, layout, {"old.hl"}, {.abi_version = 1, .flags = HL_BOOT_STDOUT_TERMINAL});
    hl_boot_info info;
    std::memcpy(&info, memory.data() + HL_BOOT_INFO_ADDR, sizeof info);
    CHECK(info.magic == HL_BOOT_MAGIC);
    CHECK(info.abi_version == 1);
    CHECK(info.argc == 1);
    uint64_t argv0 = 0;
    std::memcpy(&argv0, memory.data() + info.argv, sizeof argv0);
    CHECK(std::string(reinterpret_cast<const char*>(memory.data() + argv0)) == "old.hl");
}
