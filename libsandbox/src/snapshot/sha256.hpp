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
// The round constants (FIPS 180-4, 4.2.2).
alignas(16) inline constexpr uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

void portable(uint32_t state[8], const uint8_t* data, size_t count);
bool accelerated_available();
void accelerated(uint32_t state[8], const uint8_t* data, size_t count); // only where available
} // namespace sha256_blocks
// Lower-case hex, as sha256sum prints it.
std::string to_hex(const Sha256Digest& digest);

} // namespace hl
