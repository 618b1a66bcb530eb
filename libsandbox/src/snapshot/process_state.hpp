// A Linux personality process (LinuxProcess) as a snapshot file stores it:
// the arena, the break, the mappings, the thread and signal words, the
// working directory and the descriptors, which can only be the standard
// streams (a file open in a mapped directory is the host's, and does not
// travel). Pure.
#pragma once

#include "linux/linux_process.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl {

// The bytes for process; throws hl::Error naming the first descriptor that
// is not a standard stream.
std::vector<uint8_t> encode_process(const LinuxProcess& process);

// The process in bytes, checked against layout: its arena must be the
// layout's heap, the break and every mapping inside it and apart, each
// descriptor a standard stream. On failure, `error` says what is wrong.
std::optional<LinuxProcess> decode_process(std::span<const uint8_t> bytes, const Layout& layout, std::string& error);

} // namespace hl
