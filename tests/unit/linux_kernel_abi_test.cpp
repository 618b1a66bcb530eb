// What the Linux personality lays out differently per architecture
// (linux/kernel_abi.hpp): struct stat as each kernel's uapi headers define
// it, and the open flags asm-generic numbers apart from x86-64.
#include "linux/kernel_abi.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using namespace hl::linux_abi;

namespace {

FileStatus sample()
{
    FileStatus s;
    s.dev = 0x801;
    s.ino = 0x1234567;
    s.nlink = 3;
    s.mode = 0100644;
    s.uid = 1000;
    s.gid = 100;
    s.rdev = 0x1234;
    s.size = 300000;
    s.blksize = 4096;
    s.blocks = 592;
    s.atime = 1700000000;
    s.atime_ns = 11;
    s.mtime = 1700000001;
    s.mtime_ns = 22;
    s.ctime = 1700000002;
    s.ctime_ns = 33;
    return s;
}

template <typename T>
T at(const std::vector<uint8_t>& bytes, size_t offset)
{
    T value;
    REQUIRE(offset + sizeof value <= bytes.size());
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

} // namespace

TEST_CASE("linux ABI: x86-64's struct stat, 144 bytes, nlink before mode")
{
    const auto bytes = x86_64_abi().stat_bytes(sample());
    REQUIRE(bytes.size() == 144);
    CHECK(at<uint64_t>(bytes, 0) == 0x801);      // st_dev
    CHECK(at<uint64_t>(bytes, 8) == 0x1234567);  // st_ino
    CHECK(at<uint64_t>(bytes, 16) == 3);         // st_nlink
    CHECK(at<uint32_t>(bytes, 24) == 0100644);   // st_mode
    CHECK(at<uint32_t>(bytes, 28) == 1000);      // st_uid
    CHECK(at<uint32_t>(bytes, 32) == 100);       // st_gid
    CHECK(at<uint64_t>(bytes, 40) == 0x1234);    // st_rdev
    CHECK(at<int64_t>(bytes, 48) == 300000);     // st_size
    CHECK(at<int64_t>(bytes, 56) == 4096);       // st_blksize
    CHECK(at<int64_t>(bytes, 64) == 592);        // st_blocks
    CHECK(at<int64_t>(bytes, 72) == 1700000000); // st_atime
    CHECK(at<int64_t>(bytes, 104) == 1700000002);   // st_ctime
    CHECK(at<int64_t>(bytes, 112) == 33);
    CHECK(std::string(x86_64_abi().machine) == "x86_64");
    CHECK(x86_64_abi().o_directory == 0200000);
    CHECK(x86_64_abi().o_nofollow == 0400000);
}

TEST_CASE("linux ABI: aarch64's asm-generic struct stat, 128 bytes, mode before a 32-bit nlink")
{
    const auto bytes = aarch64_abi().stat_bytes(sample());
    REQUIRE(bytes.size() == 128);
    CHECK(at<uint64_t>(bytes, 0) == 0x801);      // st_dev
    CHECK(at<uint64_t>(bytes, 8) == 0x1234567);  // st_ino
    CHECK(at<uint32_t>(bytes, 16) == 0100644);   // st_mode
    CHECK(at<uint32_t>(bytes, 20) == 3);         // st_nlink
    CHECK(at<uint32_t>(bytes, 24) == 1000);      // st_uid
    CHECK(at<uint32_t>(bytes, 28) == 100);       // st_gid
    CHECK(at<uint64_t>(bytes, 32) == 0x1234);    // st_rdev
    CHECK(at<int64_t>(bytes, 48) == 300000);     // st_size
    CHECK(at<int32_t>(bytes, 56) == 4096);       // st_blksize
    CHECK(at<int64_t>(bytes, 64) == 592);        // st_blocks
    CHECK(at<int64_t>(bytes, 72) == 1700000000); // st_atime
    CHECK(at<int64_t>(bytes, 80) == 11);
    CHECK(at<int64_t>(bytes, 104) == 1700000002);   // st_ctime
    CHECK(at<int64_t>(bytes, 112) == 33);
    CHECK(std::string(aarch64_abi().machine) == "aarch64");
    CHECK(aarch64_abi().o_directory == 040000);
    CHECK(aarch64_abi().o_nofollow == 0100000);
}
