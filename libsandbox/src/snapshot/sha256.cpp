// SHA-256 as FIPS 180-4 defines it (see sha256.hpp).
#include "snapshot/sha256.hpp"

#include <cstring>

namespace hl {
namespace {

constexpr uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

} // namespace

Sha256::Sha256()
    : state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
{
}

namespace sha256_blocks {

void portable(uint32_t state[8], const uint8_t* data, size_t count)
{
    for (; count > 0; --count, data += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = uint32_t{data[4 * i]} << 24 | uint32_t{data[4 * i + 1]} << 16 | uint32_t{data[4 * i + 2]} << 8 |
                   uint32_t{data[4 * i + 3]};
        for (int i = 16; i < 64; ++i) {
            const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; ++i) {
            const uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[i] + w[i];
            const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

} // namespace sha256_blocks

void Sha256::blocks(const uint8_t* data, size_t count)
{
    static const bool accelerated = sha256_blocks::accelerated_available();
    if (accelerated)
        sha256_blocks::accelerated(state_.data(), data, count);
    else
        sha256_blocks::portable(state_.data(), data, count);
}

void Sha256::update(std::span<const uint8_t> bytes)
{
    if (bytes.empty()) // its data() may be null, which memcpy may not be given
        return;
    size_t used = length_ % 64;
    length_ += bytes.size();
    size_t at = 0;
    if (used > 0) {
        const size_t take = std::min(bytes.size(), 64 - used);
        std::memcpy(buffer_.data() + used, bytes.data(), take);
        at = take;
        if (used + take < 64)
            return;
        blocks(buffer_.data(), 1);
    }
    const size_t whole = (bytes.size() - at) / 64;
    blocks(bytes.data() + at, whole);
    at += whole * 64;
    std::memcpy(buffer_.data(), bytes.data() + at, bytes.size() - at);
}

Sha256Digest Sha256::finish()
{
    const uint64_t bits = length_ * 8;
    const uint8_t one = 0x80;
    update({&one, 1});
    const uint8_t zero = 0;
    while (length_ % 64 != 56)
        update({&zero, 1});
    uint8_t size[8];
    for (int i = 0; i < 8; ++i)
        size[i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    update(size);
    Sha256Digest digest;
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 4; ++j)
            digest[4 * i + j] = static_cast<uint8_t>(state_[i] >> (24 - 8 * j));
    return digest;
}

Sha256Digest sha256(std::span<const uint8_t> bytes)
{
    Sha256 hash;
    hash.update(bytes);
    return hash.finish();
}

std::string to_hex(const Sha256Digest& digest)
{
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (const uint8_t byte : digest) {
        hex += digits[byte >> 4];
        hex += digits[byte & 15];
    }
    return hex;
}

} // namespace hl
