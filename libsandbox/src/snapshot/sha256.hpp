// SHA-256 (FIPS 180-4), for the hashes a snapshot file records: of the image
// it was made from (comparable with sha256sum's) and of its own metadata.
// Pure.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace hl {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
public:
    Sha256();
    void update(std::span<const uint8_t> bytes);
    Sha256Digest finish();

private:
    void block(const uint8_t* data);
    std::array<uint32_t, 8> state_;
    std::array<uint8_t, 64> buffer_{};
    uint64_t length_ = 0;   // bytes hashed so far
};

Sha256Digest sha256(std::span<const uint8_t> bytes);
// Lower-case hex, as sha256sum prints it.
std::string to_hex(const Sha256Digest& digest);

} // namespace hl
