// The gdb stub is not ported to aarch64 yet: its breakpoints are x86-64's
// one-byte int3 and its steps the trap flag (gdb_stub_x86_64.cpp), where
// aarch64 needs four-byte brk instructions and debug-exception steps. Until
// then a sandbox refuses a debugger on aarch64 before it is built
// (arch::unported_feature), so nothing here runs; what the run loop and
// snapshots link against says so if it ever did.
#include "gdb/gdb_stub.hpp"

#include <hl/error.hpp>

namespace hl {
namespace {

[[noreturn]] void unported()
{
    throw Error("the gdb stub is not ported to aarch64 yet");
}

} // namespace

void lift_breakpoints(GdbServer::State&, GuestMemory&) { unported(); }
void place_breakpoints(GdbServer::State&, GuestMemory&) { unported(); }
GdbStub::Outcome GdbStub::begin() { unported(); }
GdbStub::Outcome GdbStub::before_exit(const VcpuExit&, bool) { unported(); }
GdbStub::Outcome GdbStub::after_exit(const RunResult&, bool, int) { unported(); }
std::string GdbStub::read_registers() { unported(); }
bool GdbStub::write_registers(std::string_view) { unported(); }
std::optional<std::string> GdbStub::read_register(unsigned) { unported(); }
bool GdbStub::write_register(unsigned, std::span<const uint8_t>) { unported(); }
std::string GdbStub::target_xml() { unported(); }
std::optional<std::vector<uint8_t>> GdbStub::read_memory(uint64_t, uint64_t) { unported(); }
bool GdbStub::write_memory(uint64_t, std::span<const uint8_t>) { unported(); }
bool GdbStub::insert_breakpoint(gdb::BreakpointType, uint64_t, uint64_t) { unported(); }
bool GdbStub::remove_breakpoint(gdb::BreakpointType, uint64_t, uint64_t) { unported(); }

} // namespace hl
