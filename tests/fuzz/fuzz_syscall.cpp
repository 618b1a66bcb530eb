// libFuzzer target: the Linux personality's system calls (linux/), fed
// made-up calls over real guest memory. Input: a flags byte (bit 0: strict),
// a length byte L, 16 x L bytes copied to the start of the heap (what
// pointers find there), then records of seven 64-bit words: the number and six arguments. Each
// argument's low two bits say how it is read, so that pointers land in
// guest memory often: 0 the value >> 2, 1 the heap start + (value >> 2) mod
// 128 KiB, 2 the arena's end - (value >> 2) mod 128 KiB, 3 the raw value.
//
// A finding: a crash or sanitizer report; a message or trace that is not one
// line of plain text; a process whose arena bookkeeping breaks its
// invariants (the break inside the arena and below every mapping, mappings
// page-aligned, inside the arena, apart); an mmap or mremap result outside
// the arena; output on a descriptor other than 1 and 2; a descriptor open on
// a host file outside the one mapped directory (a tree at /d: file f,
// directory sub, and a link `out` to /etc).
#include "linux/file_namespace.hpp"
#include "linux/linux_syscalls.hpp"
#include "plain_text.hpp"

#include <hl/abi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace hl;
using hl::test::plain_text;

namespace {

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_syscall: %s\n", what.c_str());
    std::abort();
}

const std::vector<Segment> kSegments = {
    {.vaddr = 0x400000, .memsz = 0x2000, .filesz = 0x2000, .offset = 0x1000, .readable = true, .executable = true},
    {.vaddr = 0x402000, .memsz = 0x3000, .filesz = 0x100, .offset = 0x3000, .readable = true, .writable = true},
};

const Layout& layout()
{
    static const Layout l = Layout::compute(kSegments, ImageNote{}, 8u << 20);
    return l;
}

void check_process(const LinuxProcess& p)
{
    if (p.brk < p.arena_start || p.brk > p.break_ceiling())
        finding("the break " + std::to_string(p.brk) + " left [arena start, lowest mapping]");
    uint64_t previous_end = 0;
    for (const auto& [start, length] : p.mappings) {
        if (start % HL_PAGE_SIZE || length % HL_PAGE_SIZE || length == 0)
            finding("a mapping that is not whole pages");
        if (start < p.mapping_floor() || start + length > p.arena_end || start + length < start)
            finding("a mapping outside the arena");
        if (start < previous_end)
            finding("overlapping mappings");
        previous_end = start + length;
    }
}

// The tree mapped at /d, made once per fuzzing process and removed at its
// exit; its name is never destroyed, so that the exit handler can use it.
const std::string& tree()
{
    static const std::string* const root = [] {
        char pattern[] = "/tmp/hl_fuzz_syscall_XXXXXX";
        if (!mkdtemp(pattern))
            finding("cannot make the mapped tree");
        const std::filesystem::path dir = pattern;
        std::ofstream(dir / "f") << "a file the guest may read\n";
        std::filesystem::create_directory(dir / "sub");
        std::filesystem::create_directory_symlink("/etc", dir / "out");
        return new std::string(dir.string());
    }();
    static const bool removed_at_exit = std::atexit([] { std::filesystem::remove_all(*root); }) == 0;
    (void)removed_at_exit;
    return *root;
}

const std::shared_ptr<const linux_abi::FileNamespace>& files()
{
    static const auto namespace_ = linux_abi::FileNamespace::open({{tree(), "/d"}});
    return namespace_;
}

void check_descriptors(const LinuxProcess& p)
{
    if (p.fds.size() > LinuxProcess::kMaxFds)
        finding("more than kMaxFds descriptors open");
    for (const auto& [number, fd] : p.fds) {
        if (!fd.host)
            continue;
        char target[4096];
        const std::string link = "/proc/self/fd/" + std::to_string(fd.host->get());
        const ssize_t n = readlink(link.c_str(), target, sizeof target);
        const std::string path(target, n > 0 ? static_cast<size_t>(n) : 0);
        if (path != tree() && !path.starts_with(tree() + "/"))
            finding("guest fd " + std::to_string(number) + " is open on " + path + ", outside the mapped directory");
    }
}

uint64_t argument(uint64_t raw, const LinuxProcess& p)
{
    const uint64_t value = raw >> 2;
    switch (raw & 3) {
    case 0: return value;
    case 1: return p.arena_start + value % 0x20000;
    case 2: return p.arena_end - value % 0x20000;
    default: return raw;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    const bool strict = data[0] & 1;
    const size_t prefix = std::min<size_t>(size - 2, size_t{16} * data[1]);
    data += 2;
    size -= 2;
    GuestMemory memory(layout());
    LinuxProcess process = LinuxProcess::for_layout(layout(), files());
    process.fds[1].terminal = TerminalSize{};   // so that ioctl's one answer is reached too
    std::memcpy(memory.host_view().data() + process.arena_start, data, prefix);
    data += prefix;
    size -= prefix;

    const OutputFn output = [](int fd, std::span<const uint8_t> bytes) -> int64_t {
        if (fd != 1 && fd != 2)
            finding("output on fd " + std::to_string(fd));
        return static_cast<int64_t>(bytes.size());
    };
    uint64_t input_left = 1 << 16;
    const InputFn input = [&input_left](std::span<uint8_t> buffer) -> int64_t {
        const size_t n = std::min<uint64_t>(buffer.size(), input_left);
        std::memset(buffer.data(), 'x', n);
        input_left -= n;
        return static_cast<int64_t>(n);
    };
    linux_abi::SyscallEnv env{memory, layout(), output, input, process, strict};

    constexpr size_t kRecord = 7 * sizeof(uint64_t);
    for (size_t calls = 0; size >= kRecord && calls < 64; ++calls, data += kRecord, size -= kRecord) {
        uint64_t words[7];
        std::memcpy(words, data, sizeof words);
        arch::SystemCall call;
        call.number = words[0] % 460;
        for (int i = 0; i < 6; ++i)
            call.args[i] = argument(words[i + 1], process);
        const linux_abi::SyscallOutcome out = linux_abi::serve_system_call(call, env);
        if (!plain_text(out.message) || !plain_text(describe_hypercall(out.record)))
            finding("a message or trace that is not one line of plain text");
        check_process(process);
        check_descriptors(process);
        const bool maps = call.number == 9 /* mmap */ || call.number == 25 /* mremap */;
        if (maps && out.result >= 0 &&
            (static_cast<uint64_t>(out.result) < process.arena_start ||
             static_cast<uint64_t>(out.result) >= process.arena_end))
            finding("mmap or mremap returned " + std::to_string(out.result) + ", outside the arena");
        if (out.action != linux_abi::SyscallOutcome::Action::Resume)
            break;
    }
    return 0;
}
