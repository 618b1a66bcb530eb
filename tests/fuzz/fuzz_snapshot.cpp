// libFuzzer target: bytes as a snapshot file, through Snapshot::load, which
// hlrun call and hlrun inspect use on a file they are given.
//
// The checksum over the header and sections would stop almost every mutation
// at its first check, so the target seals what it is given first (the
// metadata hash and the image's hash, where the header locates sections
// inside the input): mutations then reach the image, the CPU state, the
// process state and the layout behind the checksum, whose own checks are the
// ones that matter. The file's memory is what the input holds past its
// memory offset, the rest holes (zeros) up to the declared memory size.
//
// SnapshotError is the documented refusal. Any other exception, a crash or
// a sanitizer report is a finding; so is a loaded snapshot that does not
// describe the input, or a refusal that is not one line naming the file.
// Needs /dev/kvm (the CPU state is checked against this host); without it
// the target says so and stops.
#include "file_refusal.hpp"
#include "snapshot/sha256.hpp"
#include "snapshot/snapshot_file.hpp"

#include <hl/error.hpp>
#include <hl/sandbox.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace hl;

namespace {

[[noreturn]] void finding(const std::string& what) { fuzz::finding("fuzz_snapshot", what); }

bool inside(uint64_t offset, uint64_t size, uint64_t limit) { return offset <= limit && size <= limit - offset; }

// Seals the header's hashes over the sections it locates, when they lie in the input.
void seal(std::vector<uint8_t>& bytes)
{
    if (bytes.size() < sizeof(SnapshotHeader) || !looks_like_snapshot(bytes))
        return;
    SnapshotHeader h;
    std::memcpy(&h, bytes.data(), sizeof h);
    const uint64_t n = bytes.size();
    if (!inside(h.image_offset, h.image_size, n) || !inside(h.cpu_offset, h.cpu_size, n) ||
        !inside(h.process_offset, h.process_size, n))
        return;
    const auto section = [&](uint64_t offset, uint64_t size) {
        return std::span<const uint8_t>(bytes.data() + offset, size);
    };
    const Sha256Digest image = sha256(section(h.image_offset, h.image_size));
    std::memcpy(h.image_sha256, image.data(), image.size());
    hash_metadata(h, section(h.image_offset, h.image_size), section(h.cpu_offset, h.cpu_size),
                  section(h.process_offset, h.process_size), h.metadata_sha256);
    std::memcpy(bytes.data(), &h, sizeof h);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const bool kvm = access("/dev/kvm", R_OK | W_OK) == 0;
    if (!kvm) {
        std::fprintf(stderr, "fuzz_snapshot: needs /dev/kvm (a snapshot's CPU state is checked against the host)\n");
        std::exit(1);
    }
    std::vector<uint8_t> bytes(data, data + size);
    seal(bytes);
    const int fd = memfd_create("fuzz.hlsnap", MFD_CLOEXEC);
    if (fd < 0 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
        finding("cannot set up the input file");
    // The memory the header declares, as holes, when it is of a size hl runs.
    SnapshotHeader h{};
    const bool has_header = bytes.size() >= sizeof h && looks_like_snapshot(bytes);
    if (has_header) {
        std::memcpy(&h, bytes.data(), sizeof h);
        if (h.memory_size <= (uint64_t{64} << 20) && h.memory_offset <= (uint64_t{1} << 30) &&
            h.memory_offset + h.memory_size > bytes.size() &&
            ftruncate(fd, static_cast<off_t>(h.memory_offset + h.memory_size)) != 0)
            finding("cannot size the input file");
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    try {
        const Snapshot snapshot = Snapshot::load(path);
        if (!has_header || snapshot.memory_size() != h.memory_size ||
            snapshot.image().bytes().size() != h.image_size)
            finding("a loaded snapshot that does not describe its file");
    } catch (const SnapshotError& error) {
        fuzz::check_refusal("fuzz_snapshot", path, error.what());
    } catch (const std::exception& error) {
        finding(std::string("an undocumented exception: ") + error.what());
    }
    close(fd);
    return 0;
}
