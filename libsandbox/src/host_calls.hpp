// Serving HL_CALL_HOST: a guest calling a function the host registered.
// Malformed requests (bad pointers, unterminated names, too many arguments)
// break the ABI and stop the guest; an unknown name, another signature or a
// function that throws are answered with an error the guest can handle.
#pragma once

#include "hypercalls.hpp"

#include <hl/host_function.hpp>

#include <vector>

namespace hl {

HypercallOutcome serve_host_call(HypercallOutcome out, GuestAddr address, GuestMemory& memory,
                                 const std::vector<HostFunction>& functions);

} // namespace hl
