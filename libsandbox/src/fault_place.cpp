// What lies at a faulting address (see fault_place.hpp).
#include "fault_place.hpp"

namespace hl {

std::string fault_place(uint64_t address, const Layout& layout)
{
    if (address < HL_PAGE_SIZE)
        return "null page";
    const uint64_t stack_bottom = layout.stack_top() - layout.stack_size();
    if (address >= stack_bottom - HL_PAGE_SIZE && address < stack_bottom)
        return "stack guard page: stack overflow";
    if (const Region* region = layout.region_at(guest_addr(address))) {
        const PagePermission& p = region->permission;
        if (!p.user)
            return region->name + ": host only";
        std::string rights = p.writable ? "read-write" : "read-only";
        return region->name + ": " + rights + (p.executable ? ", executable" : ", not executable");
    }
    if (address >= layout.memory_size())
        return "outside guest memory";
    return "not mapped";
}

} // namespace hl
