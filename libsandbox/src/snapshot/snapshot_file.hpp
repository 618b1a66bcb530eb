// Snapshot files (hl-snapshot(5)): a snapshot written to disk, whose memory
// sandboxes map copy-on-write from the file itself, so that many sandboxes
// and many processes share one page-cache copy of it.
//
// Layout, little-endian: the header (SnapshotHeader) at 0 in a block of
// kHeaderBlock bytes; then the sections it locates (the image's ELF bytes,
// the vCPU state, the Linux process state); then, at a page-aligned offset,
// guest memory byte for byte, with the pages of zeros left as holes.
#pragma once

#include <hl/error.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace hl {

struct SnapshotHeader {
    char magic[8];               // kSnapshotMagic
    uint32_t format;             // kSnapshotFormat
    uint32_t flags;              // kSnapshotInitialState
    char hl_version[16];         // the writer's, NUL-padded
    uint8_t image_sha256[32];    // of the image section's bytes
    uint64_t memory_size;
    uint64_t image_offset, image_size;
    uint64_t cpu_offset, cpu_size;
    uint64_t process_offset, process_size;   // 0 and 0: no Linux process
    uint64_t memory_offset;      // a multiple of the page size, after every section
    uint64_t stored_bytes;       // of memory pages with data (what the holes leave)
    uint64_t reserved[6];        // zero
    uint8_t metadata_sha256[32]; // of this header (with this field zero) and every section but memory
};
static_assert(sizeof(SnapshotHeader) == 216, "snapshot header layout");

inline constexpr char kSnapshotMagic[8] = {'H', 'L', 'S', 'N', 'A', 'P', '\r', '\n'};
inline constexpr uint32_t kSnapshotFormat = 1;
inline constexpr uint32_t kSnapshotInitialState = 1u << 0;   // taken right after initialize()
inline constexpr uint64_t kHeaderBlock = 4096;
// Sections are bounded so that a hostile header cannot make the reader
// allocate without limit: an image is at most 256 MiB (Image::load's bound).
inline constexpr uint64_t kMaxSectionBytes = uint64_t{256} << 20;

// Whether bytes start like a snapshot file (the magic), whatever follows.
bool looks_like_snapshot(std::span<const uint8_t> bytes);

// The header at the start of bytes (the file's first kHeaderBlock bytes or
// fewer), checked against the file's size: magic, format, section bounds,
// alignment, that memory fits the file. Throws SnapshotError naming `name`
// and what is wrong. Pure.
SnapshotHeader check_snapshot_header(std::span<const uint8_t> bytes, uint64_t file_size, const std::string& name);

// The metadata hash the header must hold, over the header (that field
// zeroed) and the sections. Pure.
void hash_metadata(const SnapshotHeader& header, std::span<const uint8_t> image, std::span<const uint8_t> cpu,
                   std::span<const uint8_t> process, uint8_t out[32]);

} // namespace hl
