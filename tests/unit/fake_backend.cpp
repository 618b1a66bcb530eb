// The scripted backend (see fake_backend.hpp).
#include "fake_backend.hpp"

#include "interrupt_signal.hpp"

#include <hl/abi.h>
#include <hl/error.hpp>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace hl::test {
namespace {

// The saved state's bytes: a tag, so that a state from elsewhere is refused,
// then what this vCPU has.
constexpr char kTag[8] = {'f', 'a', 'k', 'e', 'v', 'c', 'p', 'u'};
struct SavedState {
    char tag[8];
    uint64_t serial;
    Registers registers;
    uint64_t fault_address;
    uint64_t thread_pointer;
};

const char* fpu_name(FpuRestore fpu)
{
    return fpu == FpuRestore::Load ? "load" : "guest resets";
}

} // namespace

FakeBackend::FakeBackend()
{
    // A run timer or a cancel signals the running thread, as with KVM: without
    // the handler the signal would end the test process.
    interrupt::install_handler();
}

FakeBackend::~FakeBackend() = default;

std::unique_ptr<Vm> FakeBackend::make_vm()
{
    if (vm_made_)
        throw FakeMisuse("FakeBackend::make_vm: one VM per backend");
    vm_made_ = true;
    return std::make_unique<FakeVm>(*this);
}

void FakeBackend::record(std::string call)
{
    calls.push_back(std::move(call));
}

void FakeBackend::maybe_fail(FakeCall call)
{
    auto found = failures_.find(call);
    if (found == failures_.end() || found->second.empty())
        return;
    const std::string message = std::move(found->second.front());
    found->second.pop_front();
    throw KvmError(message);
}

size_t FakeBackend::count(const std::string& call) const
{
    return static_cast<size_t>(std::count(calls.begin(), calls.end(), call));
}

std::vector<std::string> FakeBackend::take_calls()
{
    std::vector<std::string> recent(calls.begin() + static_cast<ptrdiff_t>(taken_), calls.end());
    taken_ = calls.size();
    return recent;
}

std::span<uint8_t> FakeBackend::memory(uint64_t address, uint64_t length) const
{
    if (mappings.empty())
        throw FakeMisuse("FakeBackend: guest memory used before map_memory");
    const Mapping& m = mappings.back();
    if (address > m.size || length > m.size - address)
        throw FakeMisuse("FakeBackend: guest access outside memory");
    return {static_cast<uint8_t*>(m.host) + address, length};
}

void FakeBackend::write_as_guest(uint64_t address, std::span<const uint8_t> bytes)
{
    std::copy(bytes.begin(), bytes.end(), memory(address, bytes.size()).begin());
    if (!dirty_log_on || bytes.empty())
        return;
    for (uint64_t page = address / HL_PAGE_SIZE; page <= (address + bytes.size() - 1) / HL_PAGE_SIZE; ++page)
        dirty_[page / 64] |= uint64_t{1} << (page % 64);
}

void FakeBackend::map_memory(void* host_address, uint64_t size)
{
    record("map_memory");
    maybe_fail(FakeCall::MapMemory);
    mappings.push_back({host_address, size});
    if (dirty_log_on && dirty_.empty())
        dirty_.assign((size / HL_PAGE_SIZE + 63) / 64, 0);
}

void FakeBackend::enable_dirty_log()
{
    record("enable_dirty_log");
    maybe_fail(FakeCall::EnableDirtyLog);
    // Before map_memory the log starts with the mapping, as KVM's does.
    if (!dirty_log_on && !mappings.empty())
        dirty_.assign((mappings.back().size / HL_PAGE_SIZE + 63) / 64, 0);
    dirty_log_on = true;
}

void FakeBackend::collect_dirty_pages(std::vector<uint64_t>& pages)
{
    record("collect_dirty_pages");
    if (!dirty_log_on)
        throw FakeMisuse("FakeBackend: collect_dirty_pages with the dirty log off");
    const std::vector<uint64_t> log = std::exchange(dirty_, std::vector<uint64_t>(dirty_.size(), 0));
    maybe_fail(FakeCall::CollectDirtyPages);
    for (size_t i = 0; i < log.size() && i < pages.size(); ++i)
        pages[i] |= log[i];
}

std::unique_ptr<Vcpu> FakeBackend::create_vcpu()
{
    record("create_vcpu");
    maybe_fail(FakeCall::CreateVcpu);
    if (vcpu_made_)
        throw FakeMisuse("FakeBackend: a second create_vcpu");
    vcpu_made_ = true;
    return std::make_unique<FakeVcpu>(*this);
}

void FakeBackend::set_boot_state(const BootState& state)
{
    record("set_boot_state");
    maybe_fail(FakeCall::SetBootState);
    boot = state;
    registers = Registers{};
    registers.rip = state.entry;
    registers.rsp = state.stack_top;
    registers.rdi = state.argument;
}

VcpuExit FakeBackend::run()
{
    record("run");
    // As KVM with immediate_exit: a set stop flag ends the run before the guest runs.
    if (stop_flag && stop_flag->load())
        return VcpuExit{.reason = VcpuExit::Reason::Interrupted};
    if (script.empty())
        throw FakeMisuse("FakeVcpu::run: the script is empty (run " + std::to_string(count("run")) + ")");
    FakeStep step = std::move(script.front());
    script.pop_front();
    if (step.guest)
        step.guest();
    if (step.registers)
        registers = *step.registers;
    if (step.fault_address)
        fault_address = *step.fault_address;
    if (step.kvm_error)
        throw KvmError(*step.kvm_error);
    return step.exit;
}

void FakeBackend::keep_registers_at_exit(bool keep)
{
    record(keep ? "keep_registers_at_exit(true)" : "keep_registers_at_exit(false)");
}

VcpuState FakeBackend::save_state()
{
    record("save_state");
    maybe_fail(FakeCall::SaveState);
    SavedState s{};
    std::memcpy(s.tag, kTag, sizeof kTag);
    s.serial = saved.size() + 1;
    s.registers = registers;
    s.fault_address = fault_address;
    s.thread_pointer = thread_pointer;
    saved.push_back(s.serial);
    VcpuState state;
    state.bytes.resize(sizeof s);
    std::memcpy(state.bytes.data(), &s, sizeof s);
    state.resume_at = guest_addr(registers.rip);
    return state;
}

void FakeBackend::restore_state(const VcpuState& state, FpuRestore fpu)
{
    record(std::string("restore_state(") + fpu_name(fpu) + ")");
    SavedState s;
    if (state.bytes.size() != sizeof s)
        throw FakeMisuse("FakeBackend::restore_state: a state this fake did not save");
    std::memcpy(&s, state.bytes.data(), sizeof s);
    if (std::memcmp(s.tag, kTag, sizeof kTag) != 0 || state.resume_at != guest_addr(s.registers.rip))
        throw FakeMisuse("FakeBackend::restore_state: a state this fake did not save");
    restores.push_back({s.serial, fpu});
    maybe_fail(FakeCall::RestoreState);
    registers = s.registers;
    fault_address = s.fault_address;
    thread_pointer = s.thread_pointer;
}

void FakeBackend::start_from_state(const BootState& state, const VcpuState& saved)
{
    record("start_from_state");
    boot = state;
    restore_state(saved, FpuRestore::Load);
}

void FakeBackend::set_registers(const Registers& to)
{
    record("set_registers");
    registers = to;
}

void FakeBackend::set_thread_pointer(uint64_t address)
{
    char text[40];
    std::snprintf(text, sizeof text, "set_thread_pointer(0x%llx)", static_cast<unsigned long long>(address));
    record(text);
    thread_pointer = address;
}

void FakeBackend::set_stop_flag(const std::atomic<bool>* flag)
{
    record("set_stop_flag");
    stop_flag = flag;
}

} // namespace hl::test
