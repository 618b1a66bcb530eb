// The registers of the architecture hl is built for: the one place that
// chooses between x86_64/registers.hpp and aarch64/registers.hpp, whose
// Registers offer the same accessors to code common to both. Each
// architecture's own code may name the other's (its pure parts are
// compiled and tested on every host).
#pragma once

#include "aarch64/registers.hpp"
#include "x86_64/registers.hpp"

namespace hl {

#if defined(__aarch64__)
using Registers = aarch64::Registers;
using VectorRegisters = aarch64::VectorRegisters;
#elif defined(__x86_64__)
using Registers = x86_64::Registers;
using VectorRegisters = x86_64::VectorRegisters;
#else
#error "hl runs guests on x86-64 and aarch64 hosts only"
#endif

} // namespace hl
