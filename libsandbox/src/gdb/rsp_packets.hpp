// The GDB remote serial protocol's framing, both ways: bytes from the
// debugger cut into packets ("$data#cs"), acknowledgements and interrupts
// (a bare 0x03), and replies framed with their checksum. Pure: the stub
// (gdb_stub_x86_64.cpp) owns the socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hl::gdb {

// The longest packet accepted (and advertised as PacketSize): room for a
// register set or a 4 KiB memory write in hex.
inline constexpr size_t kMaxPacket = 16 * 1024;

struct RspEvent {
    enum class Kind {
        Packet,       // data: the packet's payload as sent (binary data still escaped)
        BadChecksum,  // a whole packet whose checksum is wrong: answer '-'
        TooLong,      // a packet longer than kMaxPacket, dropped whole: answer '-'
        Interrupt,    // 0x03 between packets: stop the guest
        Ack,          // '+'
        Nack,         // '-': send the last reply again
    };
    Kind kind = Kind::Packet;
    std::string data;
};

class RspDecoder {
public:
    // Appends to events what bytes complete; keeps a packet that is not
    // whole yet for the next call. Bytes between packets other than '+',
    // '-', 0x03 and '$' are noise and are skipped.
    void feed(std::span<const uint8_t> bytes, std::vector<RspEvent>& events);

private:
    enum class State { Idle, Data, Checksum1, Checksum2 } state_ = State::Idle;
    std::string data_;
    uint8_t sum_ = 0;           // of the bytes between '$' and '#', as sent
    uint8_t checksum_ = 0;      // the two hex digits after '#'
    bool bad_digit_ = false;
    bool too_long_ = false;
};

// "$" data "#" checksum, with '#', '$', '}' and '*' in data escaped as
// binary data is ("}" and the byte XOR 0x20): what gdb undoes in binary
// replies (qXfer); text replies (hex, "OK", "E01", stop replies) hold none.
std::string frame_packet(std::string_view data);
// Binary data as an X packet carries it: "}" escapes the next byte (XOR
// 0x20). False when the data ends in a lone "}".
bool unescape_binary(std::string_view data, std::vector<uint8_t>& out);

// Lower-case hex of bytes, and back (nullopt-like: false on an odd length or a non-hex digit).
std::string to_hex(std::span<const uint8_t> bytes);
bool from_hex(std::string_view text, std::vector<uint8_t>& out);

} // namespace hl::gdb
