// The GDB remote protocol's framing without a socket: packets whole and in
// pieces, checksums, acknowledgements, interrupts, noise, oversized packets,
// and replies framed as gdb reads them.
#include "gdb/rsp_packets.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace hl::gdb;

namespace {

std::vector<RspEvent> decode(RspDecoder& decoder, std::string_view bytes)
{
    std::vector<RspEvent> events;
    decoder.feed({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, events);
    return events;
}

std::vector<RspEvent> decode(std::string_view bytes)
{
    RspDecoder decoder;
    return decode(decoder, bytes);
}

} // namespace

TEST_CASE("rsp: a packet with a right checksum is its payload, in one piece or byte by byte")
{
    const std::string packet = frame_packet("qSupported:multiprocess+;swbreak+");
    auto events = decode(packet);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == RspEvent::Kind::Packet);
    CHECK(events[0].data == "qSupported:multiprocess+;swbreak+");
    RspDecoder decoder;
    std::vector<RspEvent> all;
    for (const char c : packet) {
        const auto some = decode(decoder, std::string_view(&c, 1));
        all.insert(all.end(), some.begin(), some.end());
    }
    REQUIRE(all.size() == 1);
    CHECK(all[0].data == "qSupported:multiprocess+;swbreak+");
    CHECK(decode("$g#67")[0].data == "g");
    CHECK(decode("$g#67")[0].kind == RspEvent::Kind::Packet);
    CHECK(decode("$?#3F")[0].kind == RspEvent::Kind::Packet);   // upper-case digits too
}

TEST_CASE("rsp: acknowledgements, interrupts and noise between packets")
{
    const auto events = decode("+-\x03garbage\r\n$g#67+");
    REQUIRE(events.size() == 5);
    CHECK(events[0].kind == RspEvent::Kind::Ack);
    CHECK(events[1].kind == RspEvent::Kind::Nack);
    CHECK(events[2].kind == RspEvent::Kind::Interrupt);
    CHECK(events[3].kind == RspEvent::Kind::Packet);
    CHECK(events[4].kind == RspEvent::Kind::Ack);
}

TEST_CASE("rsp: a wrong or malformed checksum asks for the packet again")
{
    CHECK(decode("$g#68")[0].kind == RspEvent::Kind::BadChecksum);
    CHECK(decode("$g#6z")[0].kind == RspEvent::Kind::BadChecksum);
    CHECK(decode("$g#zz")[0].kind == RspEvent::Kind::BadChecksum);
    // The decoder is ready for the next packet after a bad one.
    const auto events = decode("$g#00$g#67");
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == RspEvent::Kind::BadChecksum);
    CHECK(events[1].kind == RspEvent::Kind::Packet);
}

TEST_CASE("rsp: a packet longer than the limit is dropped whole, and the next one is read")
{
    const std::string huge(kMaxPacket + 10, 'a');
    const auto events = decode(frame_packet(huge) + frame_packet("g"));
    REQUIRE(events.size() == 2);
    CHECK(events[0].kind == RspEvent::Kind::TooLong);
    CHECK(events[0].data.empty());
    CHECK(events[1].data == "g");
    CHECK(decode(frame_packet(std::string(kMaxPacket, 'b')))[0].kind == RspEvent::Kind::Packet);
}

TEST_CASE("rsp: a packet cut short waits for the rest")
{
    RspDecoder decoder;
    const std::string packet = frame_packet("m1000,4");
    CHECK(decode(decoder, packet.substr(0, 7)).empty());
    const auto events = decode(decoder, packet.substr(7));
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == RspEvent::Kind::Packet);
    CHECK(events[0].data == "m1000,4");
}

TEST_CASE("rsp: replies escape what gdb would read as framing, and the checksum covers the escapes")
{
    CHECK(frame_packet("OK") == "$OK#9a");
    CHECK(frame_packet("") == "$#00");
    const std::string framed = frame_packet("a#b$c}d*e");
    CHECK(framed.substr(0, framed.size() - 3) == "$a}\x03" "b}\x04" "c}]d}\x0a" "e");
    const auto events = decode(framed);
    REQUIRE(events.size() == 1);
    REQUIRE(events[0].kind == RspEvent::Kind::Packet);
    std::vector<uint8_t> bytes;
    REQUIRE(unescape_binary(events[0].data, bytes));
    CHECK(std::string(bytes.begin(), bytes.end()) == "a#b$c}d*e");
    CHECK_FALSE(unescape_binary("abc}", bytes));
}

TEST_CASE("rsp: hex both ways, refusing odd lengths and non-digits")
{
    const std::vector<uint8_t> bytes = {0x00, 0x7f, 0xab, 0xff};
    CHECK(to_hex(bytes) == "007fabff");
    std::vector<uint8_t> back;
    REQUIRE(from_hex("007FabfF", back));
    CHECK(back == bytes);
    CHECK_FALSE(from_hex("abc", back));
    CHECK_FALSE(from_hex("zz", back));
    REQUIRE(from_hex("", back));
    CHECK(back.empty());
}
