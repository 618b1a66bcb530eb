// The pure parts of snapshot files: SHA-256, the header's rules, and the
// Linux process state's encoding (snapshot/).
#include "snapshot/process_state.hpp"
#include "snapshot/sha256.hpp"
#include "snapshot/snapshot_file.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

using namespace hl;

namespace {

std::span<const uint8_t> text(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// A header that passes, for a file of file_size bytes (16 MiB of memory at 8 KiB).
SnapshotHeader good_header()
{
    SnapshotHeader h{};
    std::memcpy(h.magic, kSnapshotMagic, sizeof h.magic);
    h.format = kSnapshotFormat;
    h.memory_size = 16u << 20;
    h.image_offset = kHeaderBlock;
    h.image_size = 1000;
    h.cpu_offset = kHeaderBlock + 1000;
    h.cpu_size = 500;
    h.memory_offset = 2 * kHeaderBlock;
    return h;
}
constexpr uint64_t kGoodSize = 2 * kHeaderBlock + (16u << 20);

std::string refusal(const SnapshotHeader& h, uint64_t file_size = kGoodSize, size_t bytes = sizeof(SnapshotHeader))
{
    try {
        check_snapshot_header({reinterpret_cast<const uint8_t*>(&h), bytes}, file_size, "s.hlsnap");
    } catch (const SnapshotError& error) {
        return error.what();
    }
    return "(accepted)";
}

SnapshotError::Kind refusal_kind(const SnapshotHeader& h)
{
    try {
        check_snapshot_header({reinterpret_cast<const uint8_t*>(&h), sizeof h}, kGoodSize, "s.hlsnap");
    } catch (const SnapshotError& error) {
        return error.kind();
    }
    FAIL("accepted");
    return SnapshotError::Kind::Invalid;
}

} // namespace

TEST_CASE("snapshot format: SHA-256 gives the standard's digests")
{
    CHECK(to_hex(sha256(text(""))) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(to_hex(sha256(text("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(sha256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // Fed in pieces that straddle blocks, as a file is.
    const std::string million(1000000, 'a');
    Sha256 pieces;
    for (size_t at = 0; at < million.size(); at += 777)
        pieces.update(text(million.substr(at, 777)));
    CHECK(to_hex(pieces.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("snapshot format: SHA-256 with the CPU's SHA extensions compresses as the portable code does")
{
    if (!sha256_blocks::accelerated_available()) {
        WARN("skipped: this CPU has no SHA extensions");
        return;
    }
    std::vector<uint8_t> data(64 * 40);
    uint32_t seed = 12345;
    for (uint8_t& byte : data) {
        seed = seed * 1103515245 + 12345;
        byte = static_cast<uint8_t>(seed >> 16);
    }
    for (const size_t blocks : {size_t{1}, size_t{2}, size_t{3}, size_t{17}, size_t{40}}) {
        uint32_t portable[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        uint32_t accelerated[8];
        std::memcpy(accelerated, portable, sizeof portable);
        sha256_blocks::portable(portable, data.data(), blocks);
        sha256_blocks::accelerated(accelerated, data.data(), blocks);
        INFO(blocks << " blocks");
        CHECK(std::memcmp(portable, accelerated, sizeof portable) == 0);
    }
}

TEST_CASE("snapshot format: a header is checked against the file before anything else is read")
{
    CHECK(refusal(good_header()) == "(accepted)");
    SnapshotHeader h = good_header();
    h.magic[0] = 0x7f;
    CHECK(refusal(h) == "s.hlsnap: not an hl snapshot file (no HLSNAP magic)");
    CHECK(refusal(good_header(), 100, 100) ==
          "s.hlsnap: truncated: 100 bytes, less than its 4096-byte header");
    h = good_header();
    h.format = 2;
    CHECK(refusal(h) == "s.hlsnap: snapshot format 2, this hl reads format 1 (take the snapshot again with this hl)");
    CHECK(refusal_kind(h) == SnapshotError::Kind::Version);
    h = good_header();
    h.flags = 6;
    CHECK(refusal(h) == "s.hlsnap: unknown flags 0x6");
    h = good_header();
    h.reserved[3] = 1;
    CHECK(refusal(h) == "s.hlsnap: reserved header fields are not zero");
    h = good_header();
    h.memory_size = 12345;
    CHECK(refusal(h) == "s.hlsnap: memory size 12345 is not one hl can run");
    h = good_header();
    h.memory_offset = kHeaderBlock + 8;
    CHECK(refusal(h) == "s.hlsnap: its memory starts at 4104, which is not a page boundary after the header");
    h = good_header();
    h.image_offset = 0;
    CHECK(refusal(h) == "s.hlsnap: its image section lies outside the file's metadata");
    h = good_header();
    h.image_size = UINT64_MAX;
    CHECK(refusal(h) == "s.hlsnap: its image section lies outside the file's metadata");
    h = good_header();
    h.cpu_size = kHeaderBlock;   // runs into memory
    CHECK(refusal(h) == "s.hlsnap: its CPU section lies outside the file's metadata");
    h = good_header();
    h.process_offset = kHeaderBlock + 1500;
    h.process_size = UINT64_MAX - 10;
    CHECK(refusal(h) == "s.hlsnap: its process section lies outside the file's metadata");
    CHECK(refusal(good_header(), kGoodSize - 1) == "s.hlsnap: truncated: " + std::to_string(kGoodSize - 1) +
                                                       " bytes, its memory ends at 8192 + 16777216");
    h = good_header();
    h.image_offset = 0;
    CHECK(refusal_kind(h) == SnapshotError::Kind::Invalid);
}

TEST_CASE("snapshot format: a Linux process state travels whole, and only with its standard streams")
{
    const Layout layout = test::typical_layout();
    LinuxProcess p = LinuxProcess::for_layout(layout);
    p.brk = p.arena_start + 3 * HL_PAGE_SIZE + 5;
    p.mappings[p.arena_end - 4 * HL_PAGE_SIZE] = 2 * HL_PAGE_SIZE;
    p.mappings[p.arena_end - HL_PAGE_SIZE] = HL_PAGE_SIZE;
    p.clear_child_tid = 0x1234;
    p.fs_base = 0x5678;
    p.signal_mask = 0x9;
    p.cwd = "/data/sub";
    p.fds[1].close_on_exec = true;
    p.fds.erase(0);

    std::string error;
    const std::optional<LinuxProcess> back = decode_process(encode_process(p), layout, error);
    REQUIRE(back);
    CHECK(error.empty());
    CHECK(back->brk == p.brk);
    CHECK(back->mappings == p.mappings);
    CHECK(back->clear_child_tid == 0x1234);
    CHECK(back->fs_base == 0x5678);
    CHECK(back->signal_mask == 0x9);
    CHECK(back->cwd == "/data/sub");
    REQUIRE(back->fds.size() == 2);
    CHECK(back->fds.at(1).kind == GuestFd::Kind::Output);
    CHECK(back->fds.at(1).stream == 1);
    CHECK(back->fds.at(1).close_on_exec);
    CHECK(back->fds.at(2).stream == 2);

    LinuxProcess with_file = p;
    with_file.fds[3].kind = GuestFd::Kind::File;
    with_file.fds[3].path = "/data/in.txt";
    CHECK_THROWS_WITH(encode_process(with_file), "cannot write a snapshot file: the guest has /data/in.txt open (fd 3); "
                                                 "only stdin, stdout and stderr can be saved");
}

TEST_CASE("snapshot format: a process state that does not fit its layout is refused, each with its reason")
{
    const Layout layout = test::typical_layout();
    const LinuxProcess good = LinuxProcess::for_layout(layout);
    auto refused = [&](const LinuxProcess& p, const Layout& against) {
        std::string error;
        const auto decoded = decode_process(encode_process(p), against, error);
        CHECK_FALSE(decoded);
        return error;
    };
    CHECK(refused(good, test::typical_layout(32u << 20)) == "the process's memory arena is not the layout's heap");
    LinuxProcess p = good;
    p.brk = p.arena_end + 1;
    CHECK(refused(p, layout) == "the program break lies outside the arena");
    p = good;
    p.cwd = "/data/../etc";
    CHECK(refused(p, layout) == "the working directory is not a normal absolute path");
    p = good;
    p.mappings[p.arena_end - HL_PAGE_SIZE] = 2 * HL_PAGE_SIZE;   // past the arena's end
    CHECK(refused(p, layout) == "a mapping lies outside the arena or over another");
    p = good;
    p.mappings[p.arena_start] = HL_PAGE_SIZE;   // under the break's page
    p.brk = p.arena_start + 1;
    CHECK(refused(p, layout) == "a mapping lies outside the arena or over another");

    std::vector<uint8_t> bytes = encode_process(good);
    std::string error;
    bytes.push_back(0);
    CHECK_FALSE(decode_process(bytes, layout, error));
    CHECK(error == "the process state has bytes after its end");
    bytes.resize(bytes.size() - 10);
    CHECK_FALSE(decode_process(bytes, layout, error));
    CHECK(error == "the process state is cut short");
    // Descriptor 2 as a stream that does not exist: the last record is its
    // number (4 bytes), kind, stream and close-on-exec.
    bytes = encode_process(good);
    bytes[bytes.size() - 2] = 7;
    CHECK_FALSE(decode_process(bytes, layout, error));
    CHECK(error == "descriptor 2 is not a standard stream");
}

TEST_CASE("snapshot format: hashing nothing, as an empty section is, changes nothing")
{
    // An empty span's data() may be null (fuzz_snapshot found a memcpy from it).
    Sha256 hash;
    hash.update({});
    hash.update(text("abc"));
    hash.update(std::span<const uint8_t>());
    CHECK(to_hex(hash.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
