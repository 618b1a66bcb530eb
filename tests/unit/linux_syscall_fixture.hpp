// A Linux process over real guest memory, without a VM, for tests of the
// personality's system calls: output and input kept as strings.
#pragma once

#include "linux/linux_syscalls.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>

namespace hl::test {

struct SyscallFixture {
    Layout layout = typical_layout();
    GuestMemory memory{layout};
    LinuxProcess process = LinuxProcess::for_layout(layout);
    std::string out, err, input_text;
    OutputFn output = [this](int fd, std::span<const uint8_t> bytes) -> int64_t {
        (fd == 1 ? out : err).append(bytes.begin(), bytes.end());
        return static_cast<int64_t>(bytes.size());
    };
    InputFn input = [this](std::span<uint8_t> buffer) -> int64_t {
        const size_t n = std::min(buffer.size(), input_text.size());
        std::memcpy(buffer.data(), input_text.data(), n);
        input_text.erase(0, n);
        return static_cast<int64_t>(n);
    };
    bool strict = false;
    const uint64_t heap = layout.heap_start();

    void put(uint64_t address, const void* bytes, size_t size)
    {
        std::memcpy(memory.host_view().data() + address, bytes, size);
    }
    void put(uint64_t address, const std::string& text) { put(address, text.c_str(), text.size() + 1); }
    std::string get(uint64_t address, size_t size)
    {
        return {reinterpret_cast<const char*>(memory.host_view().data() + address), size};
    }

    linux_abi::SyscallOutcome call(uint64_t number, std::array<uint64_t, 6> args = {})
    {
        arch::SystemCall c;
        c.number = number;
        c.args = args;
        linux_abi::SyscallEnv env{memory, layout, output, input, process, strict};
        return linux_abi::serve_system_call(c, env);
    }
    int64_t result(uint64_t number, std::array<uint64_t, 6> args = {})
    {
        const auto outcome = call(number, args);
        REQUIRE(outcome.action == linux_abi::SyscallOutcome::Action::Resume);
        return outcome.result;
    }
};

} // namespace hl::test
