// A gdb::DebugTarget whose registers are the x86-64 view the stub gives
// (arch::gdb_*) of a GdbThread, for the stub's unit tests and its fuzz
// target; memory and breakpoints are the deriving fake's.
#pragma once

#include "arch.hpp"
#include "gdb/gdb_session.hpp"
#include "gdb/rsp_packets.hpp"

namespace hl::test {

struct RegistersTarget : gdb::DebugTarget {
    arch::GdbThread thread;

    std::string read_registers() override { return arch::gdb_registers(thread); }
    bool write_registers(std::string_view hex) override
    {
        std::vector<uint8_t> bytes;
        return gdb::from_hex(hex, bytes) && arch::gdb_set_registers(thread, bytes);
    }
    std::optional<std::string> read_register(unsigned number) override { return arch::gdb_register(thread, number); }
    bool write_register(unsigned number, std::span<const uint8_t> value) override
    {
        return arch::gdb_set_register(thread, number, value);
    }
    std::string target_xml() override { return arch::gdb_target_xml(); }
};

} // namespace hl::test
