// A Linux process's state in a snapshot file (see process_state.hpp).
#include "snapshot/process_state.hpp"

#include "linux/guest_paths.hpp"
#include "pages.hpp"
#include "snapshot/byte_stream.hpp"

#include <hl/error.hpp>

namespace hl {
namespace {

constexpr uint64_t kMaxMappings = 65536;
constexpr uint64_t kMaxPath = 4096;

} // namespace

std::vector<uint8_t> encode_process(const LinuxProcess& p)
{
    ByteWriter out;
    out.u64(p.arena_start);
    out.u64(p.arena_end);
    out.u64(p.brk);
    out.u64(p.clear_child_tid);
    out.u64(p.fs_base);
    out.u64(p.signal_mask);
    out.text(p.cwd);
    out.u64(p.mappings.size());
    for (const auto& [start, length] : p.mappings) {
        out.u64(start);
        out.u64(length);
    }
    out.u64(p.fds.size());
    for (const auto& [number, fd] : p.fds) {
        if (fd.kind != GuestFd::Kind::Input && fd.kind != GuestFd::Kind::Output)
            throw Error("cannot write a snapshot file: the guest has " + fd.path + " open (fd " +
                        std::to_string(number) + "); only stdin, stdout and stderr can be saved");
        out.u32(static_cast<uint32_t>(number));
        out.u8(fd.kind == GuestFd::Kind::Input ? 0 : 1);
        out.u8(static_cast<uint8_t>(fd.stream));
        out.u8(fd.close_on_exec ? 1 : 0);
    }
    return out.bytes();
}

std::optional<LinuxProcess> decode_process(std::span<const uint8_t> bytes, const Layout& layout, std::string& error)
{
    ByteReader in(bytes);
    LinuxProcess p;
    uint64_t mappings = 0;
    if (!in.u64(p.arena_start) || !in.u64(p.arena_end) || !in.u64(p.brk) || !in.u64(p.clear_child_tid) ||
        !in.u64(p.fs_base) || !in.u64(p.signal_mask) || !in.text(p.cwd, kMaxPath) || !in.u64(mappings)) {
        error = "the process state is cut short";
        return std::nullopt;
    }
    if (p.arena_start != layout.heap_start() || p.arena_end != layout.heap_start() + layout.heap_size()) {
        error = "the process's memory arena is not the layout's heap";
        return std::nullopt;
    }
    if (p.brk < p.arena_start || p.brk > p.arena_end) {
        error = "the program break lies outside the arena";
        return std::nullopt;
    }
    if (!linux_abi::is_normal_guest_path(p.cwd)) {
        error = "the working directory is not a normal absolute path";
        return std::nullopt;
    }
    if (mappings > kMaxMappings) {
        error = "the process state has too many mappings";
        return std::nullopt;
    }
    uint64_t floor = page_up(p.brk);
    for (uint64_t i = 0; i < mappings; ++i) {
        uint64_t start = 0, length = 0;
        if (!in.u64(start) || !in.u64(length)) {
            error = "the process state is cut short";
            return std::nullopt;
        }
        // In order, page-aligned, apart, above the break and inside the arena.
        if (length == 0 || start % kPage != 0 || length % kPage != 0 || start < floor ||
            length > p.arena_end - start) {
            error = "a mapping lies outside the arena or over another";
            return std::nullopt;
        }
        p.mappings[start] = length;
        floor = start + length;
    }
    uint64_t fds = 0;
    if (!in.u64(fds) || fds > LinuxProcess::kMaxFds) {
        error = "the process state's descriptors are cut short or too many";
        return std::nullopt;
    }
    for (uint64_t i = 0; i < fds; ++i) {
        uint32_t number = 0;
        uint8_t kind = 0, stream = 0, cloexec = 0;
        if (!in.u32(number) || !in.u8(kind) || !in.u8(stream) || !in.u8(cloexec)) {
            error = "the process state is cut short";
            return std::nullopt;
        }
        if (number >= LinuxProcess::kMaxFds || p.fds.count(static_cast<int>(number)) || kind > 1 || cloexec > 1 ||
            (kind == 0 && stream != 0) || (kind == 1 && stream != 1 && stream != 2)) {
            error = "descriptor " + std::to_string(number) + " is not a standard stream";
            return std::nullopt;
        }
        GuestFd& fd = p.fds[static_cast<int>(number)];
        fd.kind = kind == 0 ? GuestFd::Kind::Input : GuestFd::Kind::Output;
        fd.stream = stream;
        fd.close_on_exec = cloexec == 1;
    }
    if (!in.done()) {
        error = "the process state has bytes after its end";
        return std::nullopt;
    }
    return p;
}

} // namespace hl
