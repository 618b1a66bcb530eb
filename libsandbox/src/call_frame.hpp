// Marshalling one call across the guest boundary: the arguments into the call
// frame and data area at HL_CALL_AREA_ADDR, the result back out. Pure of KVM;
// every guest-provided address goes through GuestMemory's checked views.
#pragma once

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>
#include <hl/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hl {

// "add: argument 2": how messages name argument i (from 0) of e.
std::string argument_name(const Export& e, size_t i);

// Throws CallError when args do not match the export: count, each type,
// string UTF-8, each value's and all values' sizes against the ABI limits.
void check_call_arguments(const Export& e, const std::vector<Value>& args);

// Writes the frame and the string/bytes data for a checked call.
void write_call_frame(GuestMemory& memory, const Export& e, const std::vector<Value>& args);

// The export's result from the frame, or nullopt with why in error when the
// guest returned something the ABI does not allow (bad pointer, over-long,
// not UTF-8).
std::optional<Value> read_call_result(const GuestMemory& memory, const Export& e, std::string& error);

} // namespace hl
