// GDB remote serial protocol framing (see rsp_packets.hpp).
#include "gdb/rsp_packets.hpp"

namespace hl::gdb {
namespace {

int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

constexpr char kDigits[] = "0123456789abcdef";

} // namespace

void RspDecoder::feed(std::span<const uint8_t> bytes, std::vector<RspEvent>& events)
{
    for (const uint8_t c : bytes) {
        switch (state_) {
        case State::Idle:
            if (c == '$') {
                data_.clear();
                sum_ = 0;
                bad_digit_ = false;
                too_long_ = false;
                state_ = State::Data;
            } else if (c == '+') {
                events.push_back({RspEvent::Kind::Ack, {}});
            } else if (c == '-') {
                events.push_back({RspEvent::Kind::Nack, {}});
            } else if (c == 0x03) {
                events.push_back({RspEvent::Kind::Interrupt, {}});
            }
            break;
        case State::Data:
            if (c == '#') {
                state_ = State::Checksum1;
                break;
            }
            sum_ = static_cast<uint8_t>(sum_ + c);
            if (data_.size() < kMaxPacket)
                data_.push_back(static_cast<char>(c));
            else
                too_long_ = true;
            break;
        case State::Checksum1:
        case State::Checksum2: {
            const int digit = hex_digit(c);
            bad_digit_ = bad_digit_ || digit < 0;
            checksum_ = static_cast<uint8_t>((state_ == State::Checksum1 ? 0 : checksum_ << 4) | (digit & 0xf));
            if (state_ == State::Checksum1) {
                state_ = State::Checksum2;
                break;
            }
            state_ = State::Idle;
            if (too_long_)
                events.push_back({RspEvent::Kind::TooLong, {}});
            else if (bad_digit_ || checksum_ != sum_)
                events.push_back({RspEvent::Kind::BadChecksum, {}});
            else
                events.push_back({RspEvent::Kind::Packet, std::move(data_)});
            data_.clear();
            break;
        }
        }
    }
}

std::string frame_packet(std::string_view data)
{
    std::string out = "$";
    uint8_t sum = 0;
    for (const char ch : data) {
        const auto c = static_cast<uint8_t>(ch);
        if (c == '#' || c == '$' || c == '}' || c == '*') {
            out.push_back('}');
            out.push_back(static_cast<char>(c ^ 0x20));
            sum = static_cast<uint8_t>(sum + '}' + (c ^ 0x20));
        } else {
            out.push_back(ch);
            sum = static_cast<uint8_t>(sum + c);
        }
    }
    out.push_back('#');
    out.push_back(kDigits[sum >> 4]);
    out.push_back(kDigits[sum & 0xf]);
    return out;
}

bool unescape_binary(std::string_view data, std::vector<uint8_t>& out)
{
    out.clear();
    out.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
        if (data[i] != '}') {
            out.push_back(static_cast<uint8_t>(data[i]));
            continue;
        }
        if (++i == data.size())
            return false;
        out.push_back(static_cast<uint8_t>(data[i] ^ 0x20));
    }
    return true;
}

std::string to_hex(std::span<const uint8_t> bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0xf]);
    }
    return out;
}

bool from_hex(std::string_view text, std::vector<uint8_t>& out)
{
    if (text.size() % 2 != 0)
        return false;
    out.clear();
    out.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); i += 2) {
        const int high = hex_digit(static_cast<uint8_t>(text[i])), low = hex_digit(static_cast<uint8_t>(text[i + 1]));
        if (high < 0 || low < 0)
            return false;
        out.push_back(static_cast<uint8_t>(high << 4 | low));
    }
    return true;
}

} // namespace hl::gdb
