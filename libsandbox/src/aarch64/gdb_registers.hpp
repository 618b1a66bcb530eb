// The aarch64 registers as the gdb stub shows them (arch.hpp's gdb_*
// functions on aarch64 hosts): gdb's org.gnu.gdb.aarch64.core (x0-x30, sp,
// pc, cpsr), .fpu (v0-v31, fpsr, fpcr) and .tls (tpidr) features, and the
// 'g' packet in their order. Pure, so every host's unit tests check it.
#pragma once

#include "aarch64/registers.hpp"
#include "gdb/gdb_thread.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace hl::aarch64 {

using GdbThread = BasicGdbThread<Registers, VectorRegisters>;

std::string gdb_target_xml();
// Every register as hex, little-endian ("xx" for bytes not offered).
std::string gdb_registers(const GdbThread& thread);
std::optional<std::string> gdb_register(const GdbThread& thread, unsigned number);
// Writes change x0-x30, sp, pc, tpidr and cpsr's NZCV; the rest of cpsr
// (the exception level, the masks) and the vector registers (read-only, as
// on x86-64) only take their present value. A write that would change them,
// or a pc that is not a 4-byte aligned 39-bit address, is refused and
// changes nothing.
bool gdb_set_registers(GdbThread& thread, std::span<const uint8_t> bytes);
bool gdb_set_register(GdbThread& thread, unsigned number, std::span<const uint8_t> value);

} // namespace hl::aarch64
