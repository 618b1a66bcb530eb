// A guest for the fake backend (fake_backend.hpp): an image with exports and
// hl_serve's FPU reset bytes, and the script steps its exits amount to, each
// storing what a real guest stores first (request blocks, call results, fault
// frames) where a real guest stores it. FakeSandbox puts a real Sandbox on it.
#pragma once

#include <array>

#include "elf_builder.hpp"
#include "fake_backend.hpp"

#include <hl/abi.h>
#include <hl/sandbox.hpp>

#include <cstdint>
#include <string>

namespace hl::test {

// In the image's text (read-only): hl_serve's reset sequence, where a guest
// waiting for calls resumes (x86_64/xstate_reset.hpp); its clean XSAVE image
// is in rodata.
inline constexpr uint64_t kServeResume = ElfBuilder::kTextAddr + 0x60;
// In the image's bss (guest-writable): where the guest keeps request blocks
// and, 0x100 further, their strings.
inline constexpr uint64_t kScratch = ElfBuilder::kDataAddr + 0x100;
// The IST stack's top, below which a fault stub's frame lies.
inline constexpr uint64_t kFaultStackTop = HL_IST_STACK_ADDR + HL_IST_STACK_SIZE;

// Exports: 0 "i64 add(i64, i64)", 1 "string greet(string)", 2 "void nothing()".
Image fake_image();

// Registers with only the PC set.
Registers at_pc(uint64_t pc);

// `out` of value to hypercall port `number`, as guest-crt makes it.
FakeStep hypercall(unsigned number, uint32_t value, uint64_t pc = ElfBuilder::kTextAddr);
FakeStep exit_step(uint32_t status);
FakeStep write_step(FakeBackend& fake, uint32_t fd, const std::string& text);
FakeStep abort_step(FakeBackend& fake, const std::string& message);
// hl_serve waiting for a call (HL_CALL_READY) or after one (HL_CALL_RETURN),
// stopped past its `out`, at kServeResume unless told otherwise.
FakeStep ready_step(uint64_t pc = kServeResume);
FakeStep return_step(uint64_t pc = kServeResume);
// An export returning: stores bits and len in the call frame's ret, then returns.
FakeStep result_step(FakeBackend& fake, uint64_t bits, uint64_t len = 0);
// A CPU exception at fault_pc reported by its stub: the frame on the IST
// stack, the report write from the stub's exact PC (cpu::report_rip).
FakeStep fault_step(FakeBackend& fake, unsigned vector, uint64_t fault_pc, uint64_t error_code = 0, uint64_t cr2 = 0);
// An exit with nothing more to it (Interrupted, Shutdown, ...).
FakeStep exit_of(VcpuExit::Reason reason);
// A Linux system call through the syscall stub's report, made by the
// `syscall` just before return_pc.
FakeStep syscall_step(uint64_t number, std::array<uint64_t, 6> args, uint64_t return_pc);
// KVM_RUN failing.
FakeStep kvm_failure(const std::string& message);

// A Sandbox over a FakeBackend, guest output collected in out and err.
struct FakeSandbox {
    explicit FakeSandbox(SandboxOptions options = {});
    // Scripts the guest's init up to hl_serve and initializes.
    void initialize();

    FakeBackend fake;   // outlives sandbox
    std::string out, err;
    Sandbox sandbox;
};

} // namespace hl::test
