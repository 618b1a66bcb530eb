// The Linux process's arena and descriptor bookkeeping (see linux_process.hpp).
#include "linux/linux_process.hpp"

#include "linux/file_namespace.hpp"
#include "pages.hpp"

namespace hl {

LinuxProcess LinuxProcess::for_layout(const Layout& layout, std::shared_ptr<const linux_abi::FileNamespace> files)
{
    LinuxProcess process;
    process.arena_start = layout.heap_start();
    process.arena_end = layout.heap_start() + layout.heap_size();
    process.brk = process.arena_start;
    process.fds[0].kind = GuestFd::Kind::Input;
    for (const int stream : {1, 2}) {
        process.fds[stream].kind = GuestFd::Kind::Output;
        process.fds[stream].stream = stream;
    }
    process.files = std::move(files);
    return process;
}

uint64_t LinuxProcess::mapping_floor() const
{
    return page_up(brk);
}

uint64_t LinuxProcess::break_ceiling() const
{
    return mappings.empty() ? arena_end : mappings.begin()->first;
}

int LinuxProcess::lowest_free_fd() const
{
    int fd = 0;
    for (const auto& [open, _] : fds) {   // in order: the first gap is the lowest free
        if (open != fd)
            break;
        ++fd;
    }
    return fd < kMaxFds ? fd : -1;
}

} // namespace hl
