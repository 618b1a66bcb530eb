// Sizes and durations as users write them: "64Mi", "512Ki", "4096", "0x1000";
// "5s", "250ms", "2m". Pure; used by the CLIs, the project file and messages.
#pragma once

#include <hl/version.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hl {

// Binary units only (Ki, Mi, Gi; also K, M, G and KiB, MiB, GiB meaning the
// same). nullopt on anything else, including overflow and negative numbers.
std::optional<uint64_t> parse_size(std::string_view text);

// The shortest exact form: 16Mi, 12Ki, 4097.
std::string format_size(uint64_t bytes);

// A non-negative integer followed by ns, us, ms, s, m or h; a bare number is
// seconds. nullopt on anything else.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// "0x1f": how messages print addresses and lengths.
std::string format_hex(uint64_t value);

// The shortest exact form parse_duration reads back: 300ms, 2s, 1500us.
std::string format_duration(std::chrono::nanoseconds duration);

} // namespace hl
