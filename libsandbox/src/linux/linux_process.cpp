// The Linux process's arena bookkeeping (see linux_process.hpp).
#include "linux/linux_process.hpp"

#include "pages.hpp"

namespace hl {

LinuxProcess LinuxProcess::for_layout(const Layout& layout)
{
    LinuxProcess process;
    process.arena_start = layout.heap_start();
    process.arena_end = layout.heap_start() + layout.heap_size();
    process.brk = process.arena_start;
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

} // namespace hl
