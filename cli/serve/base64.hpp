// Base64 (RFC 4648, the standard alphabet, with padding): how bytes travel
// in hlrun serve's JSON. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hl::cli {

std::string base64_encode(std::span<const uint8_t> bytes);
// nullopt unless text is canonical base64: a multiple of 4 characters from
// the alphabet, '=' only as the last one or two, and padding bits zero.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

} // namespace hl::cli
