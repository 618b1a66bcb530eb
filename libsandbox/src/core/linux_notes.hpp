// The parts of Linux's core-file notes that are the same on x86-64 and
// aarch64: struct elf_prpsinfo (NT_PRPSINFO) whole, which linux_notes.cpp
// writes and reads for both (arch::core_process_note), and the fields of
// struct elf_prstatus (NT_PRSTATUS) before its registers, whose layout each
// architecture's core_notes.cpp adds. Pure.
#pragma once

#include "arch.hpp"

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl::core {

inline constexpr size_t kPrstatusSignalOffset = 0;      // pr_info.si_signo
inline constexpr size_t kPrstatusCursigOffset = 12;     // pr_cursig (short)
inline constexpr size_t kPrstatusPidOffset = 32;        // pr_pid
inline constexpr size_t kPrstatusRegistersOffset = 112; // pr_reg

template <typename T>
void put(std::vector<uint8_t>& bytes, size_t offset, T value)
{
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}

template <typename T>
T get(std::span<const uint8_t> bytes, size_t offset)
{
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

// An NT_PRSTATUS of `size` bytes with the signal and pid set; the caller
// puts the registers at kPrstatusRegistersOffset.
std::vector<uint8_t> prstatus(size_t size, int signal);

} // namespace hl::core
