// brk, mmap and friends over the process's arena (see linux_memory.hpp).
#include "linux/linux_memory.hpp"

#include "pages.hpp"

#include <cerrno>
#include <cstring>
#include <iterator>
#include <optional>
#include <sys/mman.h>

namespace hl::linux_abi {
namespace {

bool page_aligned(uint64_t address) { return address % kPage == 0; }

// length in whole pages; nullopt for 0 or a length no memory could hold.
std::optional<uint64_t> pages_for(uint64_t length)
{
    if (length == 0 || length > (uint64_t{1} << 47))
        return std::nullopt;
    return page_up(length);
}

void zero(GuestMemory& memory, uint64_t start, uint64_t length)
{
    std::memset(memory.host_view().data() + start, 0, length);
    memory.mark_host_dirty(guest_addr(start), length);
}

// Whether [start, start + length) lies in the part of the arena mappings may take.
bool in_mapping_area(const LinuxProcess& p, uint64_t start, uint64_t length)
{
    return start >= p.mapping_floor() && start <= p.arena_end && length <= p.arena_end - start;
}

bool overlaps_mapping(const LinuxProcess& p, uint64_t start, uint64_t length)
{
    auto next = p.mappings.lower_bound(start);
    if (next != p.mappings.end() && next->first < start + length)
        return true;
    if (next == p.mappings.begin())
        return false;
    const auto before = std::prev(next);
    return before->first + before->second > start;
}

// Removes [start, start + length) from the mappings, splitting those it cuts.
void unmap(LinuxProcess& p, uint64_t start, uint64_t length)
{
    const uint64_t end = start + length;
    auto it = p.mappings.lower_bound(start);
    if (it != p.mappings.begin())
        --it;
    while (it != p.mappings.end() && it->first < end) {
        const uint64_t m_start = it->first, m_end = it->first + it->second;
        if (m_end <= start) {
            ++it;
            continue;
        }
        it = p.mappings.erase(it);
        if (m_start < start)
            p.mappings[m_start] = start - m_start;
        if (m_end > end)
            it = p.mappings.emplace(end, m_end - end).first;
    }
}

// Adds [start, start + length), merging with the mappings it touches.
void map(LinuxProcess& p, uint64_t start, uint64_t length)
{
    uint64_t end = start + length;
    auto next = p.mappings.find(end);
    if (next != p.mappings.end()) {
        end += next->second;
        p.mappings.erase(next);
    }
    auto it = p.mappings.lower_bound(start);
    if (it != p.mappings.begin() && std::prev(it)->first + std::prev(it)->second == start) {
        --it;
        it->second = end - it->first;
        return;
    }
    p.mappings[start] = end - start;
}

// The highest free range of length bytes in the mapping area, top down as Linux places them.
std::optional<uint64_t> find_free(const LinuxProcess& p, uint64_t length)
{
    uint64_t top = p.arena_end;
    for (auto it = p.mappings.rbegin(); it != p.mappings.rend(); ++it) {
        const uint64_t end = it->first + it->second;
        if (top >= end && top - end >= length)
            return top - length;
        top = it->first;
    }
    const uint64_t floor = p.mapping_floor();
    if (top >= floor && top - floor >= length)
        return top - length;
    return std::nullopt;
}

// The mapping that holds all of [start, start + length), if one does.
const std::pair<const uint64_t, uint64_t>* mapping_holding(const LinuxProcess& p, uint64_t start, uint64_t length)
{
    auto it = p.mappings.upper_bound(start);
    if (it == p.mappings.begin())
        return nullptr;
    --it;
    if (start + length > it->first + it->second)
        return nullptr;
    return &*it;
}

} // namespace

int64_t brk(LinuxProcess& p, GuestMemory& memory, uint64_t address)
{
    // Linux answers every request with the break it ends up with.
    if (address < p.arena_start || address > p.break_ceiling())
        return static_cast<int64_t>(p.brk);
    if (address > p.brk)
        zero(memory, p.brk, address - p.brk); // memory given back earlier holds old data
    p.brk = address;
    return static_cast<int64_t>(p.brk);
}

int64_t mmap(LinuxProcess& p, GuestMemory& memory, uint64_t address, uint64_t length, uint64_t prot,
             uint64_t flags, int64_t fd, uint64_t offset)
{
    const auto pages = pages_for(length);
    if (!pages)
        return length == 0 ? -EINVAL : -ENOMEM;
    if (!(flags & MAP_ANONYMOUS))
        return -ENODEV;   // no file can be mapped: the guest's files are read by read()
    (void)fd;
    (void)offset;
    if ((flags & MAP_TYPE) != MAP_PRIVATE && (flags & MAP_TYPE) != MAP_SHARED)
        return -EINVAL;
    if (prot & PROT_EXEC)
        return -EACCES;   // W^X: memory the guest can write never becomes executable
    const bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed) {
        if (!page_aligned(address))
            return -EINVAL;
        if (!in_mapping_area(p, address, *pages))
            return -ENOMEM;
        if (overlaps_mapping(p, address, *pages)) {
            if (flags & MAP_FIXED_NOREPLACE)
                return -EEXIST;
            unmap(p, address, *pages);
        }
    } else {
        const auto found = find_free(p, *pages);
        if (!found)
            return -ENOMEM;
        address = *found;
    }
    zero(memory, address, *pages);
    map(p, address, *pages);
    return static_cast<int64_t>(address);
}

int64_t munmap(LinuxProcess& p, uint64_t address, uint64_t length)
{
    const auto pages = pages_for(length);
    if (!page_aligned(address) || !pages)
        return -EINVAL;
    unmap(p, address, *pages); // what is not a mapping stays as it is
    return 0;
}

int64_t mremap(LinuxProcess& p, GuestMemory& memory, uint64_t old_address, uint64_t old_length,
               uint64_t new_length, uint64_t flags, uint64_t new_address)
{
    (void)new_address;
    const auto old_pages = pages_for(old_length);
    const auto new_pages = pages_for(new_length);
    if (!page_aligned(old_address) || !old_pages || !new_pages || (flags & ~uint64_t{MREMAP_MAYMOVE}))
        return -EINVAL;
    if (!mapping_holding(p, old_address, *old_pages))
        return -EFAULT;
    if (*new_pages <= *old_pages) {
        unmap(p, old_address + *new_pages, *old_pages - *new_pages);
        return static_cast<int64_t>(old_address);
    }
    const uint64_t grow = *new_pages - *old_pages;
    const uint64_t tail = old_address + *old_pages;
    if (in_mapping_area(p, tail, grow) && !overlaps_mapping(p, tail, grow)) {
        zero(memory, tail, grow);
        map(p, tail, grow);
        return static_cast<int64_t>(old_address);
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    const auto moved = find_free(p, *new_pages);
    if (!moved)
        return -ENOMEM;
    uint8_t* base = memory.host_view().data();
    std::memmove(base + *moved, base + old_address, *old_pages);
    memory.mark_host_dirty(guest_addr(*moved), *old_pages);
    zero(memory, *moved + *old_pages, grow);
    unmap(p, old_address, *old_pages);
    map(p, *moved, *new_pages);
    return static_cast<int64_t>(*moved);
}

int64_t mprotect(const LinuxProcess& p, const Layout& layout, uint64_t address, uint64_t length, uint64_t prot)
{
    (void)p;
    if (!page_aligned(address))
        return -EINVAL;
    if (prot & PROT_EXEC)
        return -EACCES;
    if (length == 0)
        return 0;
    const auto pages = pages_for(length);
    if (!pages)
        return -ENOMEM;
    // Narrower protections are accepted and not enforced; the range must be
    // memory the guest may write (Linux: ENOMEM for what is not mapped).
    for (uint64_t page = address; page < address + *pages; page += kPage) {
        const auto permission = layout.permission(guest_addr(page));
        if (!permission || !permission->user || !permission->writable)
            return -ENOMEM;
    }
    return 0;
}

int64_t madvise(LinuxProcess& p, GuestMemory& memory, uint64_t address, uint64_t length, uint64_t advice)
{
    if (!page_aligned(address))
        return -EINVAL;
    if (length == 0)
        return 0;
    const auto pages = pages_for(length);
    if (!pages)
        return -EINVAL;
    // Private anonymous memory reads back as zeros after MADV_DONTNEED.
    if (advice == MADV_DONTNEED) {
        if (address < p.arena_start || address > p.arena_end || *pages > p.arena_end - address)
            return -ENOMEM;
        zero(memory, address, *pages);
    }
    return 0;
}

} // namespace hl::linux_abi
