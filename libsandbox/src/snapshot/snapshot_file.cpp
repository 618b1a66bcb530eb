// Snapshot files: the header's rules, and Snapshot::save and Snapshot::load
// (see snapshot_file.hpp and hl-snapshot(5)).
#include "snapshot/snapshot_file.hpp"

#include "arch.hpp"
#include "kvm/kvm_backend.hpp"
#include "linux/file_namespace.hpp"
#include "pages.hpp"
#include "sandbox_machine.hpp"
#include "snapshot/file_io.hpp"
#include "snapshot/process_state.hpp"
#include "snapshot/sha256.hpp"

#include <hl/abi.h>
#include <hl/units.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hl {
namespace {

using Kind = SnapshotError::Kind;

[[noreturn]] void refuse(Kind kind, const std::string& name, const std::string& what)
{
    throw SnapshotError(kind, name + ": " + what);
}

// Whether [offset, offset + size) lies inside [kHeaderBlock, limit), without overflow.
bool section_fits(uint64_t offset, uint64_t size, uint64_t limit)
{
    return offset >= kHeaderBlock && offset <= limit && size <= limit - offset;
}

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

std::span<const uint8_t> as_bytes(const SnapshotHeader& header)
{
    return {reinterpret_cast<const uint8_t*>(&header), sizeof header};
}

// The machine's own structures in the file's memory must be exactly what this
// hl builds for the layout: the page tables and descriptor tables decide what
// the guest can reach, and a file is not trusted with them.
void check_machine_structures(const Layout& layout, std::span<const uint8_t> memory, const std::string& name)
{
    void* p = ::mmap(nullptr, memory.size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (p == MAP_FAILED)
        throw Error(name + ": cannot check its memory: " + std::strerror(errno));
    const std::span<uint8_t> expected(static_cast<uint8_t*>(p), memory.size());
    arch::write_machine_structures(layout, expected);
    std::vector<Region> system = arch::system_regions();
    system.push_back({"page tables", layout.page_tables_start(), layout.page_tables_size(), {}});
    std::string differs;
    for (const Region& region : system)
        if (region.end() <= memory.size() &&
            std::memcmp(memory.data() + region.start, expected.data() + region.start, region.size) != 0) {
            differs = region.name;
            break;
        }
    ::munmap(p, memory.size());
    if (!differs.empty())
        refuse(Kind::Invalid, name, "its memory holds other " + differs + " than hl builds for this guest");
}

} // namespace

bool looks_like_snapshot(std::span<const uint8_t> bytes)
{
    return bytes.size() >= sizeof kSnapshotMagic && std::memcmp(bytes.data(), kSnapshotMagic, sizeof kSnapshotMagic) == 0;
}

SnapshotHeader check_snapshot_header(std::span<const uint8_t> bytes, uint64_t file_size, const std::string& name)
{
    if (!looks_like_snapshot(bytes))
        refuse(Kind::Invalid, name, "not an hl snapshot file (no HLSNAP magic)");
    if (bytes.size() < sizeof(SnapshotHeader) || file_size < kHeaderBlock)
        refuse(Kind::Invalid, name, "truncated: " + std::to_string(file_size) + " bytes, less than its " +
                                        std::to_string(kHeaderBlock) + "-byte header");
    SnapshotHeader h;
    std::memcpy(&h, bytes.data(), sizeof h);
    if (h.format != kSnapshotFormat)
        refuse(Kind::Version, name,
               "snapshot format " + std::to_string(h.format) + ", this hl reads format " +
                   std::to_string(kSnapshotFormat) + " (take the snapshot again with this hl)");
    if (h.flags & ~kSnapshotInitialState)
        refuse(Kind::Invalid, name, "unknown flags " + format_hex(h.flags & ~kSnapshotInitialState));
    for (const uint64_t word : h.reserved)
        if (word != 0)
            refuse(Kind::Invalid, name, "reserved header fields are not zero");
    if (h.memory_size < HL_MEMORY_MIN || h.memory_size > HL_MEMORY_MAX || h.memory_size % kPage != 0)
        refuse(Kind::Invalid, name, "memory size " + std::to_string(h.memory_size) + " is not one hl can run");
    if (h.memory_offset % kPage != 0 || h.memory_offset < kHeaderBlock)
        refuse(Kind::Invalid, name, "its memory starts at " + std::to_string(h.memory_offset) +
                                        ", which is not a page boundary after the header");
    const uint64_t limit = h.memory_offset;
    if (!section_fits(h.image_offset, h.image_size, limit) || h.image_size == 0 || h.image_size > kMaxSectionBytes)
        refuse(Kind::Invalid, name, "its image section lies outside the file's metadata");
    if (!section_fits(h.cpu_offset, h.cpu_size, limit) || h.cpu_size == 0 || h.cpu_size > kMaxSectionBytes)
        refuse(Kind::Invalid, name, "its CPU section lies outside the file's metadata");
    if ((h.process_size != 0 || h.process_offset != 0) &&
        (!section_fits(h.process_offset, h.process_size, limit) || h.process_size > kMaxSectionBytes))
        refuse(Kind::Invalid, name, "its process section lies outside the file's metadata");
    if (h.memory_size > UINT64_MAX - h.memory_offset || file_size < h.memory_offset + h.memory_size)
        refuse(Kind::Invalid, name, "truncated: " + std::to_string(file_size) + " bytes, its memory ends at " +
                                        std::to_string(h.memory_offset) + " + " + std::to_string(h.memory_size));
    return h;
}

void hash_metadata(const SnapshotHeader& header, std::span<const uint8_t> image, std::span<const uint8_t> cpu,
                   std::span<const uint8_t> process, uint8_t out[32])
{
    SnapshotHeader h = header;
    std::memset(h.metadata_sha256, 0, sizeof h.metadata_sha256);
    Sha256 hash;
    hash.update(as_bytes(h));
    hash.update(image);
    hash.update(cpu);
    hash.update(process);
    const Sha256Digest digest = hash.finish();
    std::memcpy(out, digest.data(), digest.size());
}

void Snapshot::write_to(int out) const
{
    if (!data_)
        throw Error("cannot write an empty snapshot");
    const Data& data = *data_;
    const std::vector<uint8_t> process = data.process ? encode_process(*data.process) : std::vector<uint8_t>{};
    const std::span<const uint8_t> image = data.image.bytes();
    const std::span<const uint8_t> cpu = data.vcpu.bytes;

    SnapshotHeader h{};
    std::memcpy(h.magic, kSnapshotMagic, sizeof h.magic);
    h.format = kSnapshotFormat;
    h.flags = data.initial_state ? kSnapshotInitialState : 0;
    std::strncpy(h.hl_version, HL_VERSION, sizeof h.hl_version - 1);
    const Sha256Digest image_hash = sha256(image);
    std::memcpy(h.image_sha256, image_hash.data(), image_hash.size());
    h.memory_size = data.memory->size();
    h.image_offset = kHeaderBlock;
    h.image_size = image.size();
    h.cpu_offset = round_up(h.image_offset + h.image_size, 8);
    h.cpu_size = cpu.size();
    const uint64_t after_cpu = round_up(h.cpu_offset + h.cpu_size, 8);
    h.process_offset = process.empty() ? 0 : after_cpu;
    h.process_size = process.size();
    h.memory_offset = page_up(after_cpu + process.size());
    const auto ranges = data.memory->data_pages();
    for (const auto& [first, last] : ranges)
        h.stored_bytes += (last - first) * kPage;
    hash_metadata(h, image, cpu, process, h.metadata_sha256);

    const uint8_t* memory = data.memory->view().data();
    bool ok = write_exactly(out, reinterpret_cast<const uint8_t*>(&h), sizeof h, 0) &&
              write_exactly(out, image.data(), image.size(), h.image_offset) &&
              write_exactly(out, cpu.data(), cpu.size(), h.cpu_offset) &&
              write_exactly(out, process.data(), process.size(), after_cpu);
    for (const auto& [first, last] : ranges)
        ok = ok && write_exactly(out, memory + first * kPage, (last - first) * kPage, h.memory_offset + first * kPage);
    // The pages of zeros stay holes: the file's size covers them.
    ok = ok && ::ftruncate(out, static_cast<off_t>(h.memory_offset + h.memory_size)) == 0;
    if (!ok)
        throw Error(std::string("cannot write the snapshot file: ") + std::strerror(errno));
}

void Snapshot::save(const std::filesystem::path& path) const
{
    const std::string name = path.string();
    if (!data_)
        throw Error("cannot write an empty snapshot to " + name);
    // Sandboxes mapping the old file keep it.
    write_file_whole(path, "snapshot file", 0644, [this](int fd) { write_to(fd); });
}

bool Snapshot::is_snapshot_file(const std::filesystem::path& path)
{
    Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    uint8_t magic[sizeof kSnapshotMagic];
    return in.fd >= 0 && read_exactly(in.fd, magic, sizeof magic, 0) && looks_like_snapshot(magic);
}

const Image& Snapshot::image() const
{
    if (!data_)
        throw CallError("an empty snapshot has no image");
    return data_->image;
}

bool Snapshot::after_initialize() const { return data_ && data_->initial_state; }

Snapshot Snapshot::load(const std::filesystem::path& path)
{
    const std::string name = path.string();
    Fd in{::open(name.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0)
        refuse(Kind::Unreadable, name, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(in.fd, &st) != 0)
        refuse(Kind::Unreadable, name, std::string("cannot read: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        refuse(Kind::Unreadable, name, "not a regular file");
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);
    std::vector<uint8_t> first(std::min<uint64_t>(file_size, kHeaderBlock));
    if (!read_exactly(in.fd, first.data(), first.size(), 0))
        refuse(Kind::Unreadable, name, std::string("cannot read: ") + std::strerror(errno));
    const SnapshotHeader h = check_snapshot_header(first, file_size, name);

    std::vector<uint8_t> image_bytes(h.image_size), cpu(h.cpu_size), process(h.process_size);
    if (!read_exactly(in.fd, image_bytes.data(), image_bytes.size(), h.image_offset) ||
        !read_exactly(in.fd, cpu.data(), cpu.size(), h.cpu_offset) ||
        !read_exactly(in.fd, process.data(), process.size(), h.process_offset))
        refuse(Kind::Unreadable, name, std::string("cannot read: ") + std::strerror(errno));
    uint8_t digest[32];
    hash_metadata(h, image_bytes, cpu, process, digest);
    if (std::memcmp(digest, h.metadata_sha256, sizeof digest) != 0)
        refuse(Kind::Invalid, name, "corrupted: its header and sections do not match their checksum");
    const Sha256Digest image_hash = sha256(image_bytes);
    if (std::memcmp(image_hash.data(), h.image_sha256, image_hash.size()) != 0)
        refuse(Kind::Invalid, name, "corrupted: its image does not match the image's hash");

    std::optional<Image> image;
    try {
        image = Image::parse(name + " (its image)", std::move(image_bytes));
    } catch (const ImageError& error) {
        refuse(Kind::Invalid, name, std::string("its image is not valid: ") + error.what());
    }
    std::optional<Layout> layout;
    try {
        layout = Layout::compute(image->segments(), image->note(), h.memory_size);
    } catch (const LayoutError& error) {
        refuse(Kind::Invalid, name, std::string("its memory cannot hold its image: ") + error.what());
    }
    auto data = std::make_shared<Data>(*image);
    data->id = unique_id();
    data->initial_state = (h.flags & kSnapshotInitialState) != 0;
    data->vcpu.bytes = std::move(cpu);
    const AdoptedState adopted = adopt_saved_state(data->vcpu, {.page_tables = arch::root_table_address(*layout),
                                                                .entry = image->entry(),
                                                                .stack_top = layout->stack_top(),
                                                                .argument = HL_BOOT_INFO_ADDR});
    if (!adopted.error.empty())
        refuse(adopted.host_lacks ? Kind::Host : Kind::Invalid, name, adopted.error);
    if (!process.empty() != image->serves_system_calls())
        refuse(Kind::Invalid, name,
               process.empty() ? "its image serves system calls, but it holds no process state"
                               : "it holds a process state, but its image does not serve system calls");
    if (!process.empty()) {
        std::string error;
        data->process = decode_process(process, *layout, error);
        if (!data->process)
            refuse(Kind::Invalid, name, error);
        data->files = linux_abi::FileNamespace::open({});
        data->process->files = data->files;
    } else {
        data->files = linux_abi::FileNamespace::open({});
    }

    const int memory_fd = ::dup(in.fd);
    if (memory_fd < 0)
        refuse(Kind::Unreadable, name, std::string("cannot read: ") + std::strerror(errno));
    data->memory = SnapshotMemory::map_file(memory_fd, h.memory_offset, h.memory_size);
    check_machine_structures(*layout, data->memory->view(), name);
    if (arch::resets_fpu_at(*layout, data->memory->view(), data->vcpu.resume_at))
        data->fpu = FpuRestore::GuestResets;
    Snapshot snapshot;
    snapshot.data_ = std::move(data);
    return snapshot;
}

} // namespace hl
