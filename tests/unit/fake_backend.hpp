// A scripted hypervisor backend (backend.hpp) for driving the real Sandbox
// without KVM, as ninja's tests drive its build through an in-memory disk.
//
// The test owns a FakeBackend, hands Sandbox the VM from make_vm() and keeps
// the backend alive longer than the Sandbox. Then:
// - run() returns the scripted steps in order; each may first run a function
//   standing for the guest (storing into guest memory through
//   write_as_guest(), which the dirty log sees), set the registers the vCPU
//   reports from then on, or throw KvmError as a failing KVM_RUN would;
// - every other backend call can be made to throw KvmError once (fail_next);
// - every call is recorded (`calls`, plus the details below) for asserting
//   what the sandbox asked of its backend, and in which order;
// - save_state() returns bytes only this fake reads back (the registers and
//   a serial number); resume_at is the PC at the save.
// Guest memory is the Sandbox's own GuestMemory, found through map_memory().
//
// Misuse -- run() with nothing scripted, a state this fake did not save, a
// dirty log read before it is on, guest stores outside memory -- throws
// FakeMisuse, which the library does not catch: the test fails loudly with
// its message instead of hanging or passing by accident.
#pragma once

#include "backend.hpp"

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace hl::test {

class FakeMisuse : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

// One return from FakeVcpu::run().
struct FakeStep {
    VcpuExit exit;
    // What the guest does before this exit (reads the call frame, stores a
    // request block...), through FakeBackend's guest accessors.
    std::function<void()> guest;
    // The registers the vCPU reports from this exit on; unset: unchanged.
    std::optional<Registers> registers;
    std::optional<uint64_t> fault_address;
    // Set: run() throws KvmError with this message (after `guest`) instead of exiting.
    std::optional<std::string> kvm_error;
};

// The backend calls that fail_next() can make fail.
enum class FakeCall {
    MapMemory, EnableDirtyLog, CollectDirtyPages, CreateVcpu, SetBootState, SaveState, RestoreState,
};

class FakeBackend {
public:
    FakeBackend();
    ~FakeBackend();
    FakeBackend(const FakeBackend&) = delete;
    FakeBackend& operator=(const FakeBackend&) = delete;

    // The VM to give a Sandbox; one per backend.
    std::unique_ptr<Vm> make_vm();

    // The script, consumed front first.
    void then(FakeStep step) { script.push_back(std::move(step)); }
    std::deque<FakeStep> script;
    // The next call of that kind throws KvmError(message). A failing
    // collect_dirty_pages loses the log first, as KVM_GET_DIRTY_LOG does when
    // it cannot copy the bitmap out.
    void fail_next(FakeCall call, std::string message) { failures_[call].push_back(std::move(message)); }

    // The vCPU now (run() steps and set_registers() change them;
    // restore_state() puts saved ones back).
    Registers registers{};
    uint64_t fault_address = 0;
    uint64_t thread_pointer = 0;

    // The guest's view of its memory (mapped by the Sandbox): stores mark
    // their pages in the dirty log while it is on.
    void write_as_guest(uint64_t address, std::span<const uint8_t> bytes);
    template <typename T>
    void put(uint64_t address, const T& value)
    {
        write_as_guest(address, {reinterpret_cast<const uint8_t*>(&value), sizeof value});
    }
    template <typename T>
    T get(uint64_t address) const
    {
        T value;
        std::memcpy(&value, memory(address, sizeof value).data(), sizeof value);
        return value;
    }
    // Guest memory as the host sees it: writes through it reach no dirty log.
    std::span<uint8_t> memory(uint64_t address, uint64_t length) const;

    // What the sandbox asked, in order: "map_memory", "enable_dirty_log",
    // "collect_dirty_pages", "create_vcpu", "set_boot_state", "set_stop_flag",
    // "keep_registers_at_exit(true|false)", "run", "set_registers",
    // "set_thread_pointer(0x...)", "save_state",
    // "restore_state(load)", "restore_state(guest resets)", "start_from_state"
    // (then "restore_state(load)"). A call that
    // fails is recorded too.
    std::vector<std::string> calls;
    size_t count(const std::string& call) const;
    // The calls made since the last take_calls() (or since the start).
    std::vector<std::string> take_calls();

    struct Mapping {
        void* host = nullptr;
        uint64_t size = 0;
    };
    std::vector<Mapping> mappings;
    std::optional<BootState> boot;
    const std::atomic<bool>* stop_flag = nullptr;
    // Serial numbers of the states save_state() returned, and the serial
    // and FPU choice of each restore_state().
    std::vector<uint64_t> saved;
    struct Restore {
        uint64_t serial = 0;
        FpuRestore fpu = FpuRestore::Load;
    };
    std::vector<Restore> restores;
    bool dirty_log_on = false;

    // The backend calls, as FakeVm and FakeVcpu forward them.
    void map_memory(void* host_address, uint64_t size);
    void enable_dirty_log();
    void collect_dirty_pages(std::vector<uint64_t>& pages);
    std::unique_ptr<Vcpu> create_vcpu();
    void set_boot_state(const BootState& state);
    VcpuExit run();
    void keep_registers_at_exit(bool keep);
    void set_registers(const Registers& registers);
    void set_thread_pointer(uint64_t address);
    VcpuState save_state();
    void restore_state(const VcpuState& state, FpuRestore fpu);
    void start_from_state(const BootState& boot, const VcpuState& state);
    void set_stop_flag(const std::atomic<bool>* flag);

private:
    void record(std::string call);
    void maybe_fail(FakeCall call);

    std::map<FakeCall, std::deque<std::string>> failures_;
    std::vector<uint64_t> dirty_;   // one bit per page the guest wrote while the log was on
    size_t taken_ = 0;              // calls before this index were taken by take_calls()
    bool vm_made_ = false;
    bool vcpu_made_ = false;
};

class FakeVm final : public Vm {
public:
    explicit FakeVm(FakeBackend& backend) : backend_(backend) {}
    void map_memory(void* host_address, uint64_t size) override { backend_.map_memory(host_address, size); }
    void enable_dirty_log() override { backend_.enable_dirty_log(); }
    void collect_dirty_pages(std::vector<uint64_t>& pages) override { backend_.collect_dirty_pages(pages); }
    std::unique_ptr<Vcpu> create_vcpu() override { return backend_.create_vcpu(); }

private:
    FakeBackend& backend_;
};

class FakeVcpu final : public Vcpu {
public:
    explicit FakeVcpu(FakeBackend& backend) : backend_(backend) {}
    void set_boot_state(const BootState& state) override { backend_.set_boot_state(state); }
    VcpuExit run() override { return backend_.run(); }
    void keep_registers_at_exit(bool keep) override { backend_.keep_registers_at_exit(keep); }
    Registers registers() override { return backend_.registers; }
    void set_registers(const Registers& registers) override { backend_.set_registers(registers); }
    void set_thread_pointer(uint64_t address) override { backend_.set_thread_pointer(address); }
    uint64_t thread_pointer() override { return backend_.thread_pointer; }
    VectorRegisters vector_registers() override { return {}; }
    uint64_t fault_address() override { return backend_.fault_address; }
    VcpuState save_state() override { return backend_.save_state(); }
    void restore_state(const VcpuState& state, FpuRestore fpu) override { backend_.restore_state(state, fpu); }
    void start_from_state(const BootState& boot, const VcpuState& state) override
    {
        backend_.start_from_state(boot, state);
    }
    void set_stop_flag(const std::atomic<bool>* flag) override { backend_.set_stop_flag(flag); }
    void set_run_signal_mask(const sigset_t&) override {}
    void set_single_step(bool) override {}   // the fake's guests are never debugged

private:
    FakeBackend& backend_;
};

} // namespace hl::test
