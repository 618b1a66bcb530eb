// What the Linux personality keeps of one guest process between its system
// calls: the program break, the anonymous mappings and the open
// descriptors. Plain data, copied into snapshots with the memory it
// describes (an open file's host descriptor is shared, its offset copied).
//
// brk and mmap share one arena, the layout's heap: the break grows up from
// its start, mappings are placed down from its end, and neither may pass the
// other. The pages stay readable and writable in the page tables whatever
// protection the guest asks for; none is ever executable (W^X).
#pragma once

#include <hl/layout.hpp>
#include <hl/sandbox.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hl {
namespace linux_abi {
class HostFd;
class FileNamespace;
struct DirectoryEntry;
} // namespace linux_abi

// One open descriptor of the guest.
struct GuestFd {
    enum class Kind {
        Input,       // the guest's stdin (SandboxOptions::input)
        Output,      // stdout or stderr: written to the OutputFn as fd `stream`
        File,        // a regular file of a mapped directory, read-only
        Directory,   // a directory of the guest's file namespace
    };
    Kind kind = Kind::Input;
    int stream = 0;                                    // Output: 1 or 2
    std::optional<TerminalSize> terminal;              // Output: set when the host says it is a terminal
    std::shared_ptr<const linux_abi::HostFd> host;     // File, and Directory unless it only holds mapped ones
    std::shared_ptr<const std::vector<linux_abi::DirectoryEntry>> entries;   // Directory: read when opened
    std::string path;                                  // File, Directory: its normal guest path
    uint64_t offset = 0;                               // File: in bytes; Directory: entries already read
    bool close_on_exec = false;                        // fcntl(F_SETFD) (nothing is ever exec'd)
};

struct LinuxProcess {
    // The most descriptors open at once, as a soft RLIMIT_NOFILE would allow.
    static constexpr int kMaxFds = 1024;

    uint64_t arena_start = 0, arena_end = 0;
    uint64_t brk = 0;                          // the program break: [arena_start, brk) is in use
    std::map<uint64_t, uint64_t> mappings;     // start -> length, both page multiples
    uint64_t clear_child_tid = 0;              // set_tid_address's address (no thread ever exits)
    uint64_t fs_base = 0;                      // as arch_prctl(ARCH_SET_FS) last set it
    uint64_t signal_mask = 0;                  // rt_sigprocmask's (no signal is ever delivered)
    std::map<int, GuestFd> fds;                // 0 input, 1 and 2 output at the start
    std::string cwd = "/";                     // the working directory: normal, absolute
    std::shared_ptr<const linux_abi::FileNamespace> files;   // null: no directory is mapped

    // A process whose arena is the layout's heap, with stdin, stdout and
    // stderr open and the mapped directories of `files` to read.
    static LinuxProcess for_layout(const Layout& layout,
                                   std::shared_ptr<const linux_abi::FileNamespace> files = nullptr);
    // The lowest address a mapping may take: the break, rounded up to a page.
    uint64_t mapping_floor() const;
    // The highest address the break may reach: the lowest mapping, or the arena's end.
    uint64_t break_ceiling() const;
    // The descriptor a new open gets (the lowest free one, as Linux gives), or -1 when kMaxFds are open.
    int lowest_free_fd() const;
};

} // namespace hl
