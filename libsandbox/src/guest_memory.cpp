// Guest memory ownership and checked views (see guest_memory.hpp).
#include <hl/guest_memory.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>

#include <hl/units.hpp>

namespace hl {

GuestMemory::GuestMemory(const Layout& layout) : GuestMemory(layout, -1, 0) {}

GuestMemory::GuestMemory(const Layout& layout, int fd, uint64_t offset)
    : layout_(layout), size_(layout.memory_size())
{
    // MAP_NORESERVE: untouched guest pages cost the host nothing.
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_NORESERVE | (fd < 0 ? MAP_ANONYMOUS : 0), fd, static_cast<off_t>(offset));
    if (p == MAP_FAILED)
        throw Error("cannot map " + format_size(size_) + " of guest memory: " + std::strerror(errno));
    base_ = static_cast<uint8_t*>(p);
    host_dirty_.assign((size_ / HL_PAGE_SIZE + 63) / 64, 0);
}

void GuestMemory::map_copy_on_write(int fd, uint64_t offset)
{
    // MAP_FIXED replaces the old pages in one step: the address, which the
    // VM's memory slot names, stays the same.
    void* p = mmap(base_, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd,
                   static_cast<off_t>(offset));
    if (p == MAP_FAILED)
        throw Error("cannot map a snapshot's memory: " + std::string(std::strerror(errno)));
}

void GuestMemory::mark_host_dirty(GuestAddr where, uint64_t length)
{
    if (length == 0)
        return;
    const uint64_t address = value_of(where);
    for (uint64_t page = address / HL_PAGE_SIZE; page <= (address + length - 1) / HL_PAGE_SIZE; ++page)
        host_dirty_[page / 64] |= uint64_t{1} << (page % 64);
}

void GuestMemory::clear_host_dirty()
{
    std::fill(host_dirty_.begin(), host_dirty_.end(), 0);
}

GuestMemory::~GuestMemory()
{
    munmap(base_, size_);
}

std::string GuestMemory::check(GuestAddr where, uint64_t length, GuestAccess access) const
{
    const uint64_t address = value_of(where);
    // An empty range touches no byte, so any address will do: an empty string
    // or bytes value may well be {NULL, 0}.
    if (length == 0)
        return {};
    const char* verb = access == GuestAccess::Write ? "writable" : "readable";
    // Written so that address + length is never computed before it is known to fit.
    if (address >= size_ || length > size_ - address)
        return "range " + format_hex(address) + "+" + std::to_string(length) + " is outside guest memory (" +
               format_size(size_) + ")";
    // Walk region by region: each region has one permission for all its pages.
    const uint64_t end = address + length;
    for (uint64_t cursor = address; cursor < end;) {
        const Region* region = layout_.region_at(guest_addr(cursor));
        if (!region)
            return "address " + format_hex(cursor) + " is not mapped for the guest";
        const PagePermission& p = region->permission;
        if (!p.user || (access == GuestAccess::Write && !p.writable))
            return "address " + format_hex(cursor) + " (" + region->name + ") is not " + verb + " by the guest";
        cursor = region->end();
    }
    return {};
}

// An empty view points at the start of guest memory whatever the address: never
// null, never outside the mapping, so a zero-byte memcpy through it is defined.
Checked<const uint8_t> GuestMemory::read_view(GuestAddr address, uint64_t length) const
{
    std::string error = check(address, length, GuestAccess::Read);
    if (!error.empty())
        return {{}, std::move(error)};
    return {{base_ + (length ? value_of(address) : 0), static_cast<size_t>(length)}, {}};
}

Checked<uint8_t> GuestMemory::write_view(GuestAddr address, uint64_t length)
{
    std::string error = check(address, length, GuestAccess::Write);
    if (!error.empty())
        return {{}, std::move(error)};
    mark_host_dirty(address, length);
    return {{base_ + (length ? value_of(address) : 0), static_cast<size_t>(length)}, {}};
}

} // namespace hl
