// The architecture seam: what the sandbox needs to know of the machine the
// guest runs on, under the same names for every architecture (as
// Firecracker's arch:: and Solo5's per-arch tender files). x86_64/ implements
// it; an aarch64/ sibling implements the same declarations with stage-1
// translation tables, an exception vector table and MMIO hypercalls, and this
// header includes its registers instead. Backends apply the architecture's
// boot state themselves (kvm/kvm_vcpu_boot_x86_64.cpp).
#pragma once

#include "backend.hpp"
#include "gdb/gdb_thread.hpp"

#include <hl/guest_memory.hpp>
#include <hl/image.hpp>
#include <hl/layout.hpp>
#include <hl/run_result.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl::arch {

// The regions the machine's own structures take at the bottom of the memory
// map, below the boot info (x86-64: GDT, IDT, TSS, fault stubs, IST stack).
std::vector<Region> system_regions();
// Bytes of translation tables that map memory_size bytes (at the top of memory).
uint64_t translation_table_bytes(uint64_t memory_size);

// Writes the machine's own structures into guest memory (all of it, laid
// out by layout): translation tables, descriptor tables, exception stubs.
// Returns the guest address of the root translation table.
uint64_t write_machine_structures(const Layout& layout, std::span<uint8_t> memory);
// The guest address of the root translation table write_machine_structures writes.
uint64_t root_table_address(const Layout& layout);

// Whether the exit is the guest's way of making a hypercall (x86-64: port
// I/O), to be decoded by hypercall().
bool is_hypercall(const VcpuExit& exit);
// The hypercall an exit carries: its number (-1 when the exit names none) and
// value, or why it breaks the ABI.
struct Hypercall {
    int number = -1;
    uint32_t value = 0;
    std::string violation;   // empty when well formed
};
Hypercall hypercall(const VcpuExit& exit);

// A Linux system call the guest made with the architecture's instruction
// (x86-64: `syscall`), however it reached the host.
struct SystemCall {
    uint64_t number = 0;
    std::array<uint64_t, 6> args{};
    // The registers to resume with once the call is served: the caller's,
    // at the instruction after the call (return_from_system_call sets the result).
    Registers resume{};
};

// What an exit says of a guest exception: nothing (another exit), a report
// from the machine's exception stubs, or the guest writing where only they
// write (forged).
struct FaultReport {
    enum class Kind { None, Fault, Forged } kind = Kind::None;
    // Fault: the exception, as reported when nothing serves it; left empty for
    // a system call when serving_system_calls (see fault_report).
    GuestFault fault;
    // Fault: set when the exception is a system call, which a Linux
    // personality serves (linux/) and an hl guest gets as its fault.
    std::optional<SystemCall> system_call;
    std::string forged_at;   // Forged: where in the guest the write came from
};
// With serving_system_calls, a system call's report skips describing it as a
// fault (symbolizing, naming registers): that costs more than serving most
// calls, and only a refused one needs it, which asks again without the flag.
FaultReport fault_report(const VcpuExit& exit, Vcpu& vcpu, const GuestMemory& memory, const Image& image,
                         bool serving_system_calls = false);
// Resumes the guest after call with result in the return register.
void return_from_system_call(Vcpu& vcpu, const SystemCall& call, int64_t result);

// "page fault (#PF) at main+0x12: write to 0x0 (null page: not mapped)"
std::string describe_fault(const GuestFault& fault, const Layout& layout);
// A fault's exception: "#PF" and "page fault".
const char* exception_mnemonic(unsigned vector);
const char* exception_name(unsigned vector);

// The guest's registers where a stretch (run, initialisation, call) ended:
// at the exception or system call for a stretch the stubs' report ended,
// where the vCPU stopped otherwise (an abort's hypercall, the instruction a
// timeout interrupted).
Registers registers_at_stop(Vcpu& vcpu, const GuestMemory& memory);

// The registers by name, in the order fault reports and hlrun list them.
std::vector<std::pair<const char*, uint64_t>> named_registers(const Registers& registers);

// ELF core files (core/): their machine (e_machine), and the notes of the
// stopped thread and of its "process" in the layout of the architecture's
// Linux (NT_PRSTATUS, NT_PRPSINFO), which is what gdb reads registers from.
struct CoreThread {
    Registers registers{};
    uint64_t thread_pointer = 0;   // TLS (x86-64: the FS base)
    int signal = 0;                // what a Linux process would have died of
};
struct CoreProcess {
    std::string program;           // at most 15 bytes are kept
    std::string arguments;         // at most 79
};
uint16_t core_machine();
std::vector<uint8_t> core_thread_note(const CoreThread& thread);
// The vector registers' notes, as the architecture's Linux writes them
// (x86-64: NT_FPREGSET in FXSAVE's layout and NT_X86_XSTATE; aarch64:
// NT_FPREGSET as its user_fpsimd_state); empty: none.
struct CoreVectorNotes {
    std::vector<uint8_t> fpregset;
    std::vector<uint8_t> xstate;
};
CoreVectorNotes core_vector_notes(const VectorRegisters& vectors);
std::optional<CoreThread> read_core_thread_note(std::span<const uint8_t> desc);
std::vector<uint8_t> core_process_note(const CoreProcess& process);
std::optional<CoreProcess> read_core_process_note(std::span<const uint8_t> desc);
// The signal a Linux process gets for the exception (x86-64: SIGSEGV for a
// page fault, SIGFPE for a division by zero, SIGILL for an invalid opcode...).
int signal_for_exception(unsigned vector);

// The gdb stub's view of the registers (gdb/): the target description, and
// the registers in its order as the 'g' and 'p' packets carry them (hex,
// little-endian, "xx" for bytes not offered). Writes keep what the guest
// may not change (x86-64: the segments, the flags beyond the arithmetic ones,
// the x87, SSE and AVX registers, which are read-only) and are refused when they
// would change it.
using GdbThread = BasicGdbThread<Registers, VectorRegisters>;
std::string gdb_target_xml();
std::string gdb_registers(const GdbThread& thread);
std::optional<std::string> gdb_register(const GdbThread& thread, unsigned number);
bool gdb_set_registers(GdbThread& thread, std::span<const uint8_t> bytes);
bool gdb_set_register(GdbThread& thread, unsigned number, std::span<const uint8_t> value);

// The KVM tracepoints that can say something about a vCPU running the
// guest's unprivileged code, for --trace=all (trace/kernel_trace.cpp): the
// generic ones and this architecture's own; a host without one leaves it out.
const std::vector<std::string>& kvm_tracepoints();

// A name for code the host put in the guest (x86-64: "fault stub #PF"), for
// traces; nullopt for the image's own code.
std::optional<std::string> system_symbol(uint64_t pc);

// Whether the code at `at` loads the init state into every floating-point
// and vector register before anything can read them, on pages the guest
// cannot write (FpuRestore::GuestResets).
bool resets_fpu_at(const Layout& layout, std::span<const uint8_t> memory, GuestAddr at);

} // namespace hl::arch
