// Harvesting KVM's dirty ring (libsandbox/src/kvm/kvm_dirty_ring.hpp), on a
// ring in plain memory filled as KVM fills it.
#include "kvm/kvm_dirty_ring.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace hl;

namespace {

void publish(std::vector<kvm_dirty_gfn>& ring, uint32_t at, uint32_t slot, uint64_t page)
{
    kvm_dirty_gfn& entry = ring[at % ring.size()];
    entry.slot = slot;
    entry.offset = page;
    entry.flags = KVM_DIRTY_GFN_F_DIRTY;
}

bool marked(const std::vector<uint64_t>& pages, uint64_t page) { return (pages[page / 64] >> (page % 64)) & 1; }

} // namespace

TEST_CASE("dirty ring: published entries mark their pages and go back to KVM, up to the first unpublished")
{
    std::vector<kvm_dirty_gfn> ring(8);
    std::vector<uint64_t> pages(2, 0);   // 128 pages
    uint32_t next = 0;
    publish(ring, 0, 0, 3);
    publish(ring, 1, 0, 70);
    publish(ring, 2, 0, 3);   // the same page again: one bit
    CHECK(harvest_dirty_ring(ring, next, pages) == 3);
    CHECK(next == 3);
    CHECK(marked(pages, 3));
    CHECK(marked(pages, 70));
    CHECK(pages[0] == uint64_t{1} << 3);
    for (int i = 0; i < 3; ++i)
        CHECK(ring[i].flags == KVM_DIRTY_GFN_F_RESET);
    CHECK(ring[3].flags == 0);
    // Nothing new: nothing taken.
    CHECK(harvest_dirty_ring(ring, next, pages) == 0);
    CHECK(next == 3);
}

TEST_CASE("dirty ring: the index wraps, other slots and pages past memory are handed back unmarked")
{
    std::vector<kvm_dirty_gfn> ring(4);
    std::vector<uint64_t> pages(1, 0);   // 64 pages
    uint32_t next = 0xfffffffe;          // about to wrap the 32-bit index
    publish(ring, 0xfffffffe, 0, 1);
    publish(ring, 0xffffffff, 1, 2);                      // slot 1: not hl's
    publish(ring, 0, uint32_t{1} << 16, 5);               // address space 1, slot 0: not hl's
    publish(ring, 1, 0, 64);                              // past the 64 pages
    CHECK(harvest_dirty_ring(ring, next, pages) == 4);
    CHECK(next == 2);
    CHECK(pages[0] == uint64_t{1} << 1);
    for (const kvm_dirty_gfn& entry : ring)
        CHECK(entry.flags == KVM_DIRTY_GFN_F_RESET);
    // A full lap at most, even if every entry still reads as published.
    for (uint32_t at = 2; at < 6; ++at)
        publish(ring, at, 0, 7);
    CHECK(harvest_dirty_ring(ring, next, pages) == 4);
    CHECK(next == 6);
}
