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
    void blocks(const uint8_t* data, size_t count);
    std::array<uint32_t, 8> state_;
    std::array<uint8_t, 64> buffer_{};
    uint64_t length_ = 0;   // bytes hashed so far
};

Sha256Digest sha256(std::span<const uint8_t> bytes);

// The compression function over `count` 64-byte blocks, twice: portable, and
// with the x86 SHA extensions (sha256_x86.cpp), ~8x faster. Sha256 takes the
// second where the CPU has them; both are here so that tests compare them.
namespace sha256_blocks {
void portable(uint32_t state[8], const uint8_t* data, size_t count);
bool accelerated_available();
void accelerated(uint32_t state[8], const uint8_t* data, size_t count); // only where available
} // namespace sha256_blocks
// Lower-case hex, as sha256sum prints it.
std::string to_hex(const Sha256Digest& digest);

} // namespace hl
