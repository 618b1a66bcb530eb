// Request blocks: the structs a hypercall's value points at (<hl/abi.h>).
// Copied out of guest memory before any field is used, so the guest cannot
// change one between its check and its use; written back whole.
#pragma once

#include <hl/guest_memory.hpp>

#include <cstring>
#include <string>

namespace hl {

// Copies the block at address into request. A block with out fields must be
// guest-writable (access Write), since the host writes them back; error says
// why not when it returns false.
template <typename Request>
bool read_request(GuestMemory& memory, GuestAddr address, Request& request, std::string& error,
                  GuestAccess access = GuestAccess::Write)
{
    const Checked<const uint8_t> view = memory.read_view(address, sizeof(Request));
    error = view.ok() && access == GuestAccess::Write ? memory.write_view(address, sizeof(Request)).error
                                                      : view.error;
    if (!error.empty())
        return false;
    std::memcpy(&request, view.bytes.data(), sizeof(Request));
    return true;
}

// Writes the block back (after a successful read_request with access Write).
template <typename Request>
void write_request(GuestMemory& memory, GuestAddr address, const Request& request)
{
    // Checked again: cheap, and keeps this function safe on its own.
    const auto view = memory.write_view(address, sizeof(Request));
    if (view.ok())
        std::memcpy(view.bytes.data(), &request, sizeof(Request));
}

} // namespace hl
