// kvm_probe: runs the machine hl builds for an aarch64 guest (the
// translation tables, vectors and boot registers of libsandbox/src/aarch64)
// on an arm64 host's KVM, one VM per case, and checks that each exit is the
// one hl's design expects: hypercalls as MMIO stores, every fault reported
// by the vectors with its syndrome, a system call served and resumed. Raw
// KVM requests, as the benchmarks' floor: what it proves is the machine, not
// libsandbox's backend. tests/arm64.sh builds it and runs it inside the
// emulated arm64 machine; one line per case, then a summary; exit status 1
// when a case failed.
#include "aarch64/boot_state.hpp"
#include "aarch64/exception_syndrome.hpp"
#include "aarch64/exception_vectors.hpp"
#include "arch.hpp"

#include <hl/layout.hpp>

#include <linux/kvm.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

extern "C" const uint8_t hl_probe_guest_start[], hl_probe_guest_end[], hl_probe_brk[], hl_probe_step_store[];

namespace {

using namespace hl;

constexpr uint64_t kMemory = 16ull << 20;
constexpr uint64_t kCode = HL_IMAGE_WINDOW_START;

uint64_t core_register(size_t offset)
{
    return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset / sizeof(uint32_t));
}
#define CORE(field) core_register(offsetof(struct kvm_regs, field))
constexpr uint64_t kSctlr = ARM64_SYS_REG(3, 0, 1, 0, 0), kCpacr = ARM64_SYS_REG(3, 0, 1, 0, 2);
constexpr uint64_t kTtbr0 = ARM64_SYS_REG(3, 0, 2, 0, 0), kTcr = ARM64_SYS_REG(3, 0, 2, 0, 2);
constexpr uint64_t kEsr = ARM64_SYS_REG(3, 0, 5, 2, 0), kFar = ARM64_SYS_REG(3, 0, 6, 0, 0);
constexpr uint64_t kMair = ARM64_SYS_REG(3, 0, 10, 2, 0), kVbar = ARM64_SYS_REG(3, 0, 12, 0, 0);
constexpr uint64_t kMdscr = ARM64_SYS_REG(2, 0, 0, 2, 2), kMdscrSs = 1, kPstateSs = 1ull << 21;

struct Failure {
    std::string what;
};

void fail(const std::string& what) { throw Failure{what}; }

std::string hex(uint64_t value)
{
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

// One VM with the probe's guest at the image window, booted at case `number`.
class Machine {
public:
    explicit Machine(uint64_t number)
    {
        const Segment code{.vaddr = kCode, .memsz = 0x1000, .filesz = 0x1000, .offset = 0, .readable = true,
                           .executable = true};
        const ImageNote note{.abi_version = HL_ABI_VERSION, .stack_size = 0x10000, .heap_size = 0x10000};
        layout_ = Layout::compute({&code, 1}, note, kMemory);
        memory_ = static_cast<uint8_t*>(mmap(nullptr, kMemory, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (memory_ == MAP_FAILED)
            fail("mmap of guest memory failed");
        const uint64_t root = arch::write_machine_structures(layout_, {memory_, kMemory});
        std::memcpy(memory_ + kCode, hl_probe_guest_start, hl_probe_guest_end - hl_probe_guest_start);

        kvm_ = request(open("/dev/kvm", O_RDWR | O_CLOEXEC), "open /dev/kvm");
        vm_ = request(ioctl(kvm_, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
        const kvm_userspace_memory_region region{.slot = 0, .flags = 0, .guest_phys_addr = 0,
                                                 .memory_size = kMemory, .userspace_addr = reinterpret_cast<uint64_t>(memory_)};
        request(ioctl(vm_, KVM_SET_USER_MEMORY_REGION, &region), "KVM_SET_USER_MEMORY_REGION");
        kvm_enable_cap nisv{};
        nisv.cap = KVM_CAP_ARM_NISV_TO_USER;
        request(ioctl(vm_, KVM_ENABLE_CAP, &nisv), "KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER)");
        vcpu_ = request(ioctl(vm_, KVM_CREATE_VCPU, 0), "KVM_CREATE_VCPU");
        run_size_ = static_cast<size_t>(request(ioctl(kvm_, KVM_GET_VCPU_MMAP_SIZE, 0), "KVM_GET_VCPU_MMAP_SIZE"));
        run_ = static_cast<kvm_run*>(mmap(nullptr, run_size_, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_, 0));
        if (run_ == MAP_FAILED)
            fail("mmap of kvm_run failed");
        kvm_vcpu_init init{};
        request(ioctl(vm_, KVM_ARM_PREFERRED_TARGET, &init), "KVM_ARM_PREFERRED_TARGET");
        request(ioctl(vcpu_, KVM_ARM_VCPU_INIT, &init), "KVM_ARM_VCPU_INIT");

        const aarch64::BootRegisters b = aarch64::boot_registers(
            {.page_tables = root, .entry = kCode, .stack_top = layout_.stack_top(), .argument = number});
        set(CORE(regs.pc), b.pc);
        set(CORE(regs.sp), b.sp_el0);
        set(CORE(regs.regs[0]), b.x0);
        set(CORE(regs.pstate), b.pstate);
        set(CORE(sp_el1), b.sp_el1);
        set(kVbar, b.vbar_el1);
        set(kTtbr0, b.ttbr0_el1);
        set(kTcr, b.tcr_el1);
        set(kMair, b.mair_el1);
        set(kCpacr, b.cpacr_el1);
        set(kSctlr, b.sctlr_el1);
        if (get(kSctlr) != b.sctlr_el1)
            fail("SCTLR_EL1 reads back as " + hex(get(kSctlr)) + ", set " + hex(b.sctlr_el1));
    }
    ~Machine()
    {
        munmap(run_, run_size_);
        close(vcpu_);
        close(vm_);
        close(kvm_);
        munmap(memory_, kMemory);
    }
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    // KVM_RUN to the next exit; returns its reason (-errno when KVM_RUN failed).
    int run()
    {
        if (ioctl(vcpu_, KVM_RUN, 0) < 0)
            return -errno;
        return static_cast<int>(run_->exit_reason);
    }
    kvm_run& state() { return *run_; }
    uint8_t* memory() { return memory_; }
    const Layout& layout() const { return layout_; }

    void set(uint64_t id, uint64_t value)
    {
        kvm_one_reg reg{.id = id, .addr = reinterpret_cast<uint64_t>(&value)};
        request(ioctl(vcpu_, KVM_SET_ONE_REG, &reg), ("KVM_SET_ONE_REG " + hex(id)).c_str());
    }
    uint64_t get(uint64_t id)
    {
        uint64_t value = 0;
        kvm_one_reg reg{.id = id, .addr = reinterpret_cast<uint64_t>(&value)};
        request(ioctl(vcpu_, KVM_GET_ONE_REG, &reg), ("KVM_GET_ONE_REG " + hex(id)).c_str());
        return value;
    }

private:
    static int request(int rc, const char* what)
    {
        if (rc < 0)
            fail(std::string(what) + " failed: " + std::strerror(errno));
        return rc;
    }
    Layout layout_;
    uint8_t* memory_ = nullptr;
    int kvm_ = -1, vm_ = -1, vcpu_ = -1;
    kvm_run* run_ = nullptr;
    size_t run_size_ = 0;
};

uint32_t mmio_value(const kvm_run& run)
{
    uint32_t value = 0;
    std::memcpy(&value, run.mmio.data, sizeof value);
    return value;
}

// Runs to the next exit, which must be a 4-byte MMIO write to `address`.
uint32_t expect_store(Machine& m, uint64_t address)
{
    const int reason = m.run();
    if (reason != KVM_EXIT_MMIO)
        fail("exit " + std::to_string(reason) + ", expected KVM_EXIT_MMIO");
    const kvm_run& run = m.state();
    if (run.mmio.phys_addr != address || !run.mmio.is_write || run.mmio.len != 4)
        fail("MMIO " + std::string(run.mmio.is_write ? "write" : "read") + " of " + std::to_string(run.mmio.len) +
             " bytes at " + hex(run.mmio.phys_addr) + ", expected a 4-byte write at " + hex(address));
    return mmio_value(run);
}

void expect_exit(Machine& m, uint32_t status)
{
    const uint32_t value = expect_store(m, HL_AARCH64_HYPERCALL_PHYS + 4 * HL_CALL_EXIT);
    if (value != status)
        fail("exit with " + std::to_string(value) + ", expected " + std::to_string(status));
}

// Runs to the vectors' report of an exception from EL0; returns ESR_EL1.
uint64_t expect_report(Machine& m, unsigned exception_class)
{
    const unsigned slot = aarch64::vector_slot(aarch64::VectorOrigin::LowerEl64, aarch64::VectorKind::Synchronous);
    const uint32_t reported = expect_store(m, HL_AARCH64_FAULT_REPORT_PHYS);
    if (reported != slot)
        fail("the vectors reported slot " + std::to_string(reported) + ", expected " + std::to_string(slot));
    if (const uint64_t pc = m.get(CORE(regs.pc)); pc != aarch64::report_pc(slot))
        fail("report store at " + hex(pc) + ", expected the stub's at " + hex(aarch64::report_pc(slot)));
    const uint64_t esr = m.get(kEsr);
    if (aarch64::exception_class(esr) != exception_class)
        fail(aarch64::class_name(aarch64::exception_class(esr)) + " (ESR " + hex(esr) + "), expected " +
             aarch64::class_name(exception_class));
    return esr;
}

void expect_abort(Machine& m, unsigned exception_class, aarch64::Abort::Status status, bool write, uint64_t address)
{
    const aarch64::Abort abort = aarch64::decode_abort(expect_report(m, exception_class));
    if (abort.status != status || abort.write != write)
        fail("abort status " + hex(abort.fault_status) + (abort.write ? " (write)" : " (read)"));
    if (const uint64_t far = m.get(kFar); far != address)
        fail("FAR_EL1 " + hex(far) + ", expected " + hex(address));
}

// Where a guest label is once copied to the image window.
uint64_t guest_address(const uint8_t* label) { return kCode + (label - hl_probe_guest_start); }

// KVM_RUN with immediate_exit: finishes a pending MMIO access (moving the pc
// past it) without entering the guest, so registers set after it stay.
void complete(Machine& m)
{
    m.state().immediate_exit = 1;
    if (const int reason = m.run(); reason != -EINTR)
        fail("KVM_RUN with immediate_exit gave " + std::to_string(reason) + ", expected -EINTR");
    m.state().immediate_exit = 0;
}

// Back to EL0 from a stub's report, as the gdb stub resumes a stopped guest:
// at ELR_EL1, with the x0 and x1 the stub pushed, the EL1 stack unwound, and
// PSTATE.SS for one more step.
void resume_from_report(Machine& m, bool step)
{
    complete(m);
    const uint64_t sp_el1 = m.get(CORE(sp_el1));
    uint64_t saved[2];
    std::memcpy(saved, m.memory() + sp_el1, sizeof saved);
    m.set(CORE(regs.regs[0]), saved[0]);
    m.set(CORE(regs.regs[1]), saved[1]);
    m.set(CORE(regs.pc), m.get(CORE(elr_el1)));
    m.set(CORE(regs.pstate), aarch64::kBootPstate | (step ? kPstateSs : 0));
    m.set(CORE(sp_el1), aarch64::kEl1StackTop);
}

void expect_step_to(Machine& m, uint64_t pc)
{
    expect_report(m, aarch64::ec::kSoftwareStepLower);
    if (const uint64_t elr = m.get(CORE(elr_el1)); elr != pc)
        fail("a step stopped at " + hex(elr) + ", expected " + hex(pc));
}

using Status = aarch64::Abort::Status;
namespace ec = aarch64::ec;

struct Case {
    const char* name;
    std::function<void(Machine&)> check;
};

const Case kCases[] = {
    {"an exit hypercall is one MMIO store of its value", [](Machine& m) { expect_exit(m, 42); }},
    {"a null write is reported as a data abort at 0x8",
     [](Machine& m) { expect_abort(m, ec::kDataAbortLower, Status::Translation, true, 8); }},
    {"a system call is reported, served through the saved x0, and resumed after the svc",
     [](Machine& m) {
         expect_report(m, ec::kSupervisorCall);
         const uint64_t sp_el1 = m.get(CORE(sp_el1));
         uint64_t saved[2];
         std::memcpy(saved, m.memory() + sp_el1, sizeof saved);
         if (saved[0] != 5 || saved[1] != HL_AARCH64_HYPERCALL_ADDR)
             fail("the stub saved x0 " + hex(saved[0]) + ", x1 " + hex(saved[1]) + " at " + hex(sp_el1));
         const uint64_t result = 100;
         std::memcpy(m.memory() + sp_el1, &result, sizeof result);
         expect_exit(m, 100 + 0x55);
     }},
    {"floating point and SIMD run at EL0", [](Machine& m) { expect_exit(m, 3); }},
    {"a write to the guest's code is a permission fault",
     [](Machine& m) { expect_abort(m, ec::kDataAbortLower, Status::Permission, true, kCode); }},
    {"EL0 cannot read the vectors",
     [](Machine& m) { expect_abort(m, ec::kDataAbortLower, Status::Permission, false, HL_AARCH64_VECTORS_ADDR); }},
    {"an undefined instruction is reported", [](Machine& m) { expect_report(m, ec::kUnknown); }},
    {"wfi traps instead of waiting for an interrupt that never comes",
     [](Machine& m) { expect_report(m, ec::kWaitForInterrupt); }},
    {"a stack overflow stops at the guard page below the stack",
     [](Machine& m) {
         const uint64_t bottom = m.layout().stack_top() - m.layout().stack_size();
         expect_abort(m, ec::kDataAbortLower, Status::Translation, true, bottom - 16);
     }},
    {"a read of the hypercall page is an MMIO read",
     [](Machine& m) {
         if (const int reason = m.run(); reason != KVM_EXIT_MMIO || m.state().mmio.is_write ||
                                         m.state().mmio.phys_addr != HL_AARCH64_HYPERCALL_PHYS + 4)
             fail("exit " + std::to_string(reason) + ", expected an MMIO read at " + hex(HL_AARCH64_HYPERCALL_PHYS + 4));
     }},
    {"EL0 cannot write the fault report page",
     [](Machine& m) {
         expect_abort(m, ec::kDataAbortLower, Status::Permission, true, HL_AARCH64_FAULT_REPORT_ADDR);
     }},
    {"the stack is not executable",
     [](Machine& m) {
         expect_abort(m, ec::kInstructionAbortLower, Status::Permission, false, m.layout().stack_top() - 16);
     }},
    {"a store KVM cannot decode comes out as KVM_EXIT_ARM_NISV",
     [](Machine& m) {
         if (const int reason = m.run(); reason != KVM_EXIT_ARM_NISV)
             fail("exit " + std::to_string(reason) + ", expected KVM_EXIT_ARM_NISV");
         if (m.state().arm_nisv.fault_ipa != HL_AARCH64_HYPERCALL_PHYS)
             fail("fault IPA " + hex(m.state().arm_nisv.fault_ipa));
     }},
    {"KVM_RUN with immediate_exit completes a hypercall: the pc moves past the store",
     [](Machine& m) {
         expect_store(m, HL_AARCH64_HYPERCALL_PHYS + 4 * HL_CALL_CLOCK);
         const uint64_t at = m.get(CORE(regs.pc));
         m.state().immediate_exit = 1;
         if (const int reason = m.run(); reason != -EINTR)
             fail("KVM_RUN with immediate_exit gave " + std::to_string(reason) + ", expected -EINTR");
         m.state().immediate_exit = 0;
         if (const uint64_t pc = m.get(CORE(regs.pc)); pc != at + 4)
             fail("pc " + hex(pc) + " after completion, expected " + hex(at + 4));
         const auto start = std::chrono::steady_clock::now();
         constexpr int kRounds = 1000;
         for (int i = 0; i < kRounds; ++i)
             expect_store(m, HL_AARCH64_HYPERCALL_PHYS + 4 * HL_CALL_CLOCK);
         const auto took = std::chrono::steady_clock::now() - start;
         std::printf("  (one hypercall round trip: %.1f us)\n",
                     std::chrono::duration<double, std::micro>(took).count() / kRounds);
     }},
    {"brk #0 (gdb's breakpoint) is reported with ELR_EL1 on the brk itself",
     [](Machine& m) {
         expect_report(m, ec::kBrk);
         if (const uint64_t elr = m.get(CORE(elr_el1)); elr != guest_address(hl_probe_brk))
             fail("ELR_EL1 " + hex(elr) + ", expected the brk at " + hex(guest_address(hl_probe_brk)));
     }},
    {"MDSCR_EL1.SS and PSTATE.SS step one EL0 instruction at a time through the vectors, across a hypercall",
     [](Machine& m) {
         // Armed by hand (KVM_SET_ONE_REG), as the gdb stub does: one
         // instruction, then a software step exception (EC 0x32) that hl's
         // vectors report with ELR_EL1 on the next instruction.
         m.set(kMdscr, m.get(kMdscr) | kMdscrSs);
         m.set(CORE(regs.pstate), aarch64::kBootPstate | kPstateSs);
         expect_step_to(m, kCode + 4);
         resume_from_report(m, true);
         expect_step_to(m, kCode + 8);
         // Step on to the hypercall: its store exits to the host, and KVM
         // finishing it advances the step, which ends right after it.
         const uint64_t store = guest_address(hl_probe_step_store);
         for (int steps = 0;; ++steps) {
             if (steps > 16)
                 fail("no hypercall store within 16 steps");
             resume_from_report(m, true);
             if (const int reason = m.run(); reason != KVM_EXIT_MMIO)
                 fail("exit " + std::to_string(reason) + " while stepping, expected KVM_EXIT_MMIO");
             if (m.state().mmio.phys_addr != HL_AARCH64_FAULT_REPORT_PHYS)
                 break;   // the hypercall
             if (const uint64_t esr = m.get(kEsr); aarch64::exception_class(esr) != ec::kSoftwareStepLower)
                 fail("a report of " + aarch64::class_name(aarch64::exception_class(esr)) + " while stepping");
             if (const uint64_t elr = m.get(CORE(elr_el1)); elr > store)
                 fail("stepped to " + hex(elr) + ", past the store at " + hex(store));
         }
         if (const uint64_t pc = m.get(CORE(regs.pc)); pc != store || mmio_value(m.state()) != 5)
             fail("MMIO exit at " + hex(pc) + " with " + std::to_string(mmio_value(m.state())) +
                  ", expected the exit 5 store at " + hex(store));
         expect_step_to(m, store + 4);
         // Disarmed (MDSCR_EL1.SS clear), the guest runs freely to the next hypercall.
         m.set(kMdscr, m.get(kMdscr) & ~kMdscrSs);
         resume_from_report(m, false);
         expect_exit(m, 6);
     }},
};

} // namespace

int main()
{
    int passed = 0, failed = 0;
    for (size_t number = 0; number < std::size(kCases); ++number) {
        const Case& c = kCases[number];
        try {
            Machine machine(number);
            c.check(machine);
            std::printf("ok      %s\n", c.name);
            ++passed;
        } catch (const Failure& f) {
            std::printf("FAILED  %s: %s\n", c.name, f.what.c_str());
            ++failed;
        } catch (const std::exception& e) {
            std::printf("FAILED  %s: %s\n", c.name, e.what());
            ++failed;
        }
    }
    std::printf("kvm_probe: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
