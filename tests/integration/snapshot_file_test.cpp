// Snapshot files on a real sandbox: written, read back, and sandboxes made
// from them; sparse on disk; and every way a damaged or foreign file is
// refused before anything trusts it.
#include "functions_guest.hpp"
#include "musl.hpp"
#include "process.hpp"

#include "kvm/kvm_saved_state_x86_64.hpp"
#include "snapshot/sha256.hpp"
#include "snapshot/snapshot_file.hpp"

#include <hl/sandbox.hpp>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <linux/kvm.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace hl;
using namespace hl::test;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        char pattern[] = "/tmp/hl-snapshot-test-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::vector<uint8_t> read_all(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::filesystem::path& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

SnapshotHeader header_of(const std::vector<uint8_t>& bytes)
{
    SnapshotHeader h;
    std::memcpy(&h, bytes.data(), sizeof h);
    return h;
}

// Re-seals a file whose metadata a test changed, so that only the change is refused.
void reseal(std::vector<uint8_t>& bytes)
{
    SnapshotHeader h = header_of(bytes);
    const auto section = [&](uint64_t offset, uint64_t size) {
        return std::span<const uint8_t>(bytes.data() + offset, size);
    };
    hash_metadata(h, section(h.image_offset, h.image_size), section(h.cpu_offset, h.cpu_size),
                  section(h.process_offset, h.process_size), h.metadata_sha256);
    std::memcpy(bytes.data(), &h, sizeof h);
}

std::string load_error(const std::filesystem::path& path, SnapshotError::Kind* kind = nullptr)
{
    try {
        Snapshot::load(path);
    } catch (const SnapshotError& error) {
        if (kind)
            *kind = error.kind();
        return error.what();
    }
    return "(loaded)";
}


} // namespace

TEST_CASE("snapshot files: a sandbox from a file goes on where the saved one was")
{
    HL_REQUIRE_KVM();
    TempDir dir;
    const auto file = dir.path / "functions.hlsnap";
    {
        Guest origin;
        REQUIRE(origin.call("next", {}) == Value(int64_t{101}));
        origin.sandbox.snapshot().save(file);
    }
    const Snapshot loaded = Snapshot::load(file);
    CHECK(loaded.memory_size() == HL_MEMORY_DEFAULT);
    for (int i = 0; i < 3; ++i) {
        Sandbox s = Sandbox::from_snapshot(loaded, {});
        CHECK(s.image().exports().size() > 10);
        CHECK(must_return(s, "next") == Value(int64_t{102}));
        CHECK(must_return(s, "greet", {std::string("file")}) == Value(std::string("hello, file!")));
    }
    // Sparse: the 16 MiB of memory take the disk of the pages in use.
    struct stat st {};
    REQUIRE(stat(file.c_str(), &st) == 0);
    CHECK(static_cast<uint64_t>(st.st_size) > HL_MEMORY_DEFAULT);
    CHECK(static_cast<uint64_t>(st.st_blocks) * 512 < (uint64_t{4} << 20));
    // A loaded snapshot saves again, and the copy loads.
    loaded.save(dir.path / "again.hlsnap");
    Sandbox again = Sandbox::from_snapshot(Snapshot::load(dir.path / "again.hlsnap"), {});
    CHECK(must_return(again, "next") == Value(int64_t{102}));
}

TEST_CASE("snapshot files: fresh calls return to a file taken right after initialisation")
{
    HL_REQUIRE_KVM();
    TempDir dir;
    {
        Guest origin;
        origin.sandbox.snapshot().save(dir.path / "clean.hlsnap");
    }
    Sandbox s = Sandbox::from_snapshot(Snapshot::load(dir.path / "clean.hlsnap"), {});
    s.set_fresh_per_call(true);
    for (int i = 0; i < 3; ++i)
        CHECK(must_return(s, "next") == Value(int64_t{101}));
}

TEST_CASE("snapshot files: a musl guest's process state travels, open files do not")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    TempDir dir;
    const auto quiet = [](int, std::span<const uint8_t> b) { return static_cast<int64_t>(b.size()); };
    {
        Sandbox origin(Image::load(guest_image("musl")), {.output = quiet});
        REQUIRE(origin.initialize().ending == RunResult::Ending::Ready);
        REQUIRE(must_return(origin, "remember", {std::string("ab")}) == Value(int64_t{3}));
        REQUIRE(must_return(origin, "tls_next") == Value(int64_t{8}));
        origin.snapshot().save(dir.path / "musl.hlsnap");
    }
    Sandbox s = Sandbox::from_snapshot(Snapshot::load(dir.path / "musl.hlsnap"), {.output = quiet});
    CHECK(must_return(s, "remember", {std::string("ab")}) == Value(int64_t{6}));
    CHECK(must_return(s, "tls_next") == Value(int64_t{9}));
    CHECK(must_return(s, "sort", {std::string("3 1 2")}) == Value(std::string("1 2 3")));

    // A sandbox from a file maps directories of its own.
    std::filesystem::create_directory(dir.path / "data");
    std::ofstream(dir.path / "data" / "line.txt") << "first line\nsecond\n";
    Sandbox reading = Sandbox::from_snapshot(Snapshot::load(dir.path / "musl.hlsnap"),
                                             {.output = quiet, .directories = {{(dir.path / "data").string(), "/data"}}});
    CHECK(must_return(reading, "first_line", {std::string("/data/line.txt")}) == Value(std::string("first line\n")));
}

TEST_CASE("snapshot files: damaged, foreign or unreadable files are refused with what is wrong")
{
    HL_REQUIRE_KVM();
    TempDir dir;
    const auto good = dir.path / "good.hlsnap";
    {
        Guest origin;
        origin.sandbox.snapshot().save(good);
    }
    const std::vector<uint8_t> bytes = read_all(good);
    const SnapshotHeader h = header_of(bytes);
    const auto bad = dir.path / "bad.hlsnap";
    SnapshotError::Kind kind{};

    CHECK(load_error(dir.path / "missing.hlsnap", &kind) ==
          (dir.path / "missing.hlsnap").string() + ": cannot open: No such file or directory");
    CHECK(kind == SnapshotError::Kind::Unreadable);
    CHECK(load_error(dir.path, &kind) == dir.path.string() + ": not a regular file");

    write_all(bad, {bytes.begin(), bytes.begin() + 100});
    CHECK(load_error(bad, &kind) == bad.string() + ": truncated: 100 bytes, less than its 4096-byte header");
    CHECK(kind == SnapshotError::Kind::Invalid);
    write_all(bad, {bytes.begin(), bytes.begin() + static_cast<long>(h.memory_offset + 4096)});
    CHECK(load_error(bad) == bad.string() + ": truncated: " + std::to_string(h.memory_offset + 4096) +
                                 " bytes, its memory ends at " + std::to_string(h.memory_offset) + " + " +
                                 std::to_string(h.memory_size));

    std::vector<uint8_t> changed = bytes;
    changed[h.image_offset + 200] ^= 1;
    write_all(bad, changed);
    CHECK(load_error(bad) == bad.string() + ": corrupted: its header and sections do not match their checksum");

    changed = bytes;
    SnapshotHeader v = h;
    v.format = 9;
    std::memcpy(changed.data(), &v, sizeof v);
    write_all(bad, changed);
    CHECK(load_error(bad, &kind) ==
          bad.string() + ": snapshot format 9, this hl reads format 1 (take the snapshot again with this hl)");
    CHECK(kind == SnapshotError::Kind::Version);

    // The machine's tables are hl's own, whatever the file says (memory is not in the checksum).
    changed = bytes;
    changed[h.memory_offset + HL_GDT_ADDR + 8] ^= 0x60;   // a descriptor's privilege level
    write_all(bad, changed);
    CHECK(load_error(bad) == bad.string() + ": its memory holds other gdt than hl builds for this guest");

    // A CPU state that wants XSAVE features no host has (bit 63 of XCR0 is reserved).
    changed = bytes;
    const uint64_t xcr0_at = h.cpu_offset + sizeof(kvm_regs) + sizeof(kvm_sregs);
    uint64_t xcr0;
    std::memcpy(&xcr0, changed.data() + xcr0_at, sizeof xcr0);
    xcr0 |= uint64_t{1} << 62;
    std::memcpy(changed.data() + xcr0_at, &xcr0, sizeof xcr0);
    reseal(changed);
    write_all(bad, changed);
    CHECK(load_error(bad, &kind).find(bad.string() + ": the CPU state needs XSAVE features this host lacks (XCR0 0x4") ==
          0);
    CHECK(kind == SnapshotError::Kind::Host);

    // An XSAVE image KVM would refuse, each re-sealed: a compacted format,
    // MXCSR's reserved bits, a component XCR0 does not enable.
    const uint64_t xsave_at = h.cpu_offset + sizeof(SavedHeader);
    auto with_xsave_word = [&](size_t offset, uint64_t value, size_t size) {
        std::vector<uint8_t> c = bytes;
        std::memcpy(c.data() + xsave_at + offset, &value, size);
        reseal(c);
        write_all(bad, c);
        return load_error(bad, &kind);
    };
    CHECK(with_xsave_word(520, uint64_t{1} << 63 | 3, 8) ==
          bad.string() + ": the CPU state is corrupted (XCOMP_BV 0x8000000000000003, expected 0 (the standard format))");
    CHECK(kind == SnapshotError::Kind::Invalid);
    CHECK(with_xsave_word(24, 0x11f80, 4) == bad.string() + ": the CPU state is corrupted (MXCSR 0x11f80 sets reserved bits)");
    CHECK(with_xsave_word(512, uint64_t{1} << 61, 8).rfind(
              bad.string() + ": the CPU state is corrupted (XSTATE_BV 0x2", 0) == 0);
    CHECK(with_xsave_word(540, 1, 1) ==
          bad.string() + ": the CPU state is corrupted (a reserved byte of the XSAVE header is not zero)");

    // The APIC base is the machine's, whatever the file says: a sandbox from
    // it runs, although KVM would refuse this one (reserved bits).
    {
        changed = bytes;
        const uint64_t apic_at = h.cpu_offset + offsetof(SavedHeader, sregs) + offsetof(kvm_sregs, apic_base);
        const uint64_t elsewhere = uint64_t{1} << 62 | 0xfee00900;
        std::memcpy(changed.data() + apic_at, &elsewhere, sizeof elsewhere);
        reseal(changed);
        write_all(bad, changed);
        Sandbox from = Sandbox::from_snapshot(Snapshot::load(bad), {});
        CHECK(must_return(from, "next") == Value(int64_t{101}));
    }

    // An image that breaks hl's rules, re-sealed so that only the image is wrong.
    changed = bytes;
    changed[h.image_offset + 4] = 1;   // ELFCLASS32
    SnapshotHeader i = h;
    const Sha256Digest image_hash = sha256({changed.data() + h.image_offset, h.image_size});
    std::memcpy(i.image_sha256, image_hash.data(), image_hash.size());
    std::memcpy(changed.data(), &i, sizeof i);
    reseal(changed);
    write_all(bad, changed);
    CHECK(load_error(bad).rfind(bad.string() + ": its image is not valid: " + bad.string() + " (its image): ", 0) == 0);

    // Not a snapshot at all: an image.
    CHECK(load_error(guest_image("functions"), &kind) ==
          guest_image("functions") + ": not an hl snapshot file (no HLSNAP magic)");
    CHECK(kind == SnapshotError::Kind::Invalid);
    // The good one still loads.
    CHECK(load_error(good) == "(loaded)");
}

TEST_CASE("hlrun snapshot: writes a file that hlrun call starts from and hlrun inspect describes")
{
    HL_REQUIRE_KVM();
    TempDir dir;
    const std::string file = (dir.path / "functions.hlsnap").string();
    ProcessResult r = hlrun({"snapshot", "-o", file, guest_image("functions")});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.err.rfind("hlrun: info: wrote " + file + ": 16Mi of memory, ", 0) == 0);
    CHECK(std::filesystem::directory_iterator(dir.path)->path() == file);   // nothing left beside it

    r = hlrun({"call", file, "next"});
    CHECK(r.status == 0);
    CHECK(r.out == "101\n");
    r = hlrun({"call", "--fresh", "--repeat", "3", file, "next"});
    CHECK(r.out == "101\n");
    r = hlrun({"call", "--memory", "32Mi", file, "next"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --memory: " + file + " is a snapshot file, whose memory size is fixed (16Mi)\n");

    r = hlrun({"inspect", file});
    CHECK(r.status == 0);
    CHECK(r.out.rfind("snapshot    " + file + "\nmemory      16Mi (", 0) == 0);
    CHECK(r.out.find("initialised yes: fresh calls return to it\nimage       " + file + " (its image)\n") !=
          std::string::npos);
    CHECK(r.out.find("  i64 next()\n") != std::string::npos);
    r = hlrun({"inspect", "--json", file});
    CHECK(r.out.find(",\"initialised\":true,\"image\":{\"image\":") != std::string::npos);
}

TEST_CASE("hlrun snapshot: a guest that never gets ready leaves no file, and bad files get their own status")
{
    HL_REQUIRE_KVM();
    TempDir dir;
    const std::string file = (dir.path / "hello.hlsnap").string();
    ProcessResult r = hlrun({"snapshot", "-o", file, guest_image("hello")});
    CHECK(r.status == 125);
    CHECK(r.err.find("hlrun: error: the guest exited with status 0 before it was ready for calls (its main must call "
                     "hl_serve): there is nothing to snapshot\n") != std::string::npos);
    CHECK(std::filesystem::is_empty(dir.path));
    r = hlrun({"snapshot", "-o", (dir.path / "no" / "such.hlsnap").string(), guest_image("functions")});
    CHECK(r.status == 120);
    CHECK(r.err.rfind("hlrun: error: --output: cannot create " + (dir.path / "no" / "such.hlsnap").string() +
                          ".tmp.",
                      0) == 0);
    r = hlrun({"snapshot", guest_image("functions")});
    CHECK(r.status == 120);

    const std::string good = (dir.path / "good.hlsnap").string();
    REQUIRE(hlrun({"snapshot", "-o", good, guest_image("functions")}).status == 0);
    const std::vector<uint8_t> bytes = read_all(good);
    const SnapshotHeader h = header_of(bytes);
    const std::string bad = (dir.path / "bad.hlsnap").string();

    write_all(bad, {bytes.begin(), bytes.begin() + static_cast<long>(h.memory_offset)});
    r = hlrun({"call", bad, "next"});
    CHECK(r.status == 116);
    CHECK(r.err == "hlrun: error: " + bad + ": truncated: " + std::to_string(h.memory_offset) +
                       " bytes, its memory ends at " + std::to_string(h.memory_offset) + " + 16777216\n");
    std::vector<uint8_t> changed = bytes;
    SnapshotHeader v = h;
    v.format = 2;
    std::memcpy(changed.data(), &v, sizeof v);
    write_all(bad, changed);
    r = hlrun({"inspect", bad});
    CHECK(r.status == 115);
    CHECK(r.err == "hlrun: error: " + bad + ": snapshot format 2, this hl reads format 1 (take the snapshot again "
                                            "with this hl)\n");
    changed = bytes;
    const uint64_t xcr0_at = h.cpu_offset + sizeof(kvm_regs) + sizeof(kvm_sregs);
    changed[xcr0_at + 7] |= 0x40;   // bit 62 of XCR0: no CPU has it
    reseal(changed);
    write_all(bad, changed);
    r = hlrun({"call", bad, "next"});
    CHECK(r.status == 114);
    CHECK(r.err.rfind("hlrun: error: " + bad + ": the CPU state needs XSAVE features this host lacks", 0) == 0);
    r = hlrun({"call", (dir.path / "missing.hlsnap").string(), "next"});
    CHECK(r.status == 121);
}
