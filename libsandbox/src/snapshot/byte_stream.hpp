// Little-endian fields in a byte buffer, for the parts of a snapshot file
// that are not memory: written in order, read back with every length checked.
// Pure.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace hl {

class ByteWriter {
public:
    void u8(uint8_t v) { bytes_.push_back(v); }
    void u32(uint32_t v) { put(&v, sizeof v); }
    void u64(uint64_t v) { put(&v, sizeof v); }
    void text(const std::string& s)
    {
        u64(s.size());
        put(s.data(), s.size());
    }
    const std::vector<uint8_t>& bytes() const { return bytes_; }

private:
    void put(const void* p, size_t n)
    {
        const auto* b = static_cast<const uint8_t*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
    }
    std::vector<uint8_t> bytes_;
};

// Each read returns false, and reads nothing more, once the bytes run out.
class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
    bool u8(uint8_t& v) { return get(&v, sizeof v); }
    bool u32(uint32_t& v) { return get(&v, sizeof v); }
    bool u64(uint64_t& v) { return get(&v, sizeof v); }
    bool text(std::string& s, uint64_t max)
    {
        uint64_t n = 0;
        if (!u64(n) || n > max || n > bytes_.size() - at_)
            return fail();
        s.assign(reinterpret_cast<const char*>(bytes_.data() + at_), n);
        at_ += n;
        return true;
    }
    bool done() const { return ok_ && at_ == bytes_.size(); }

private:
    bool get(void* p, size_t n)
    {
        if (!ok_ || n > bytes_.size() - at_)
            return fail();
        std::memcpy(p, bytes_.data() + at_, n);
        at_ += n;
        return true;
    }
    bool fail()
    {
        ok_ = false;
        return false;
    }
    std::span<const uint8_t> bytes_;
    size_t at_ = 0;
    bool ok_ = true;
};

} // namespace hl
