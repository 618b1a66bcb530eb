// Snapshots and restores: the vCPU state and guest memory. A snapshot's
// memory is a sealed memfd that sandboxes map copy-on-write; a restore copies
// back only the pages written since, when it returns to the snapshot the
// sandbox last took or restored, and otherwise maps the snapshot's anew.
#include "sandbox_machine.hpp"

#include "gdb/gdb_stub.hpp"

#include "arch.hpp"
#include "kvm/kvm_backend.hpp"
#include "linux/file_namespace.hpp"

#include <hl/abi.h>
#include <hl/units.hpp>

#include <atomic>
#include <bit>
#include <cstring>

namespace hl {

uint64_t unique_id()
{
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

Snapshot Sandbox::snapshot()
{
    Machine& m = *machine_;
    require_ready(m, "take a snapshot");
    if (!m.poisoned.empty())
        throw CallError("cannot take a snapshot of a poisoned sandbox: " + m.poisoned);
    // gdb's breakpoints are not the guest's: out of its memory while it is captured.
    GdbServer::State* const gdb = m.options.gdb ? &m.options.gdb->state() : nullptr;
    struct Breakpoints {
        GdbServer::State* gdb;
        GuestMemory& memory;
        ~Breakpoints()
        {
            if (gdb)
                place_breakpoints(*gdb, memory);
        }
    } breakpoints{gdb, m.memory};
    if (gdb)
        lift_breakpoints(*gdb, m.memory);
    auto data = std::make_shared<Snapshot::Data>(m.image);
    data->id = unique_id();
    data->initial_state = m.at_initial_state;
    data->files = m.files;
    data->vcpu = m.vcpu->save_state();
    data->process = m.process;
    // From here on KVM logs the guest's writes; what it logged so far is moot.
    // Discarding it unmakes the base, as the pages written since are no
    // longer known: should a step below fail, the next restore maps all anew.
    m.base = 0;
    m.vm->enable_dirty_log();
    std::vector<uint64_t> discard(m.memory.host_dirty().size());
    m.vm->collect_dirty_pages(discard);
    m.memory.clear_host_dirty();
    data->memory = SnapshotMemory::capture(m.memory.host_view(), m.backing.get());
    // The sandbox now runs on the snapshot's pages, copy-on-write: the
    // private copies it held go back to the host, and the pages it keeps
    // sharing cost nothing more.
    m.memory.map_copy_on_write(data->memory->fd(), data->memory->offset());
    m.backing = data->memory;
    // Checked on the snapshot's own memory: what every restore brings back.
    if (arch::resets_fpu_at(m.layout, data->memory->view(), data->vcpu.resume_at))
        data->fpu = FpuRestore::GuestResets;
    m.base = data->id;
    Snapshot snapshot;
    snapshot.data_ = std::move(data);
    return snapshot;
}

Sandbox Sandbox::from_snapshot(const Snapshot& snapshot, SandboxOptions options)
{
    return from_snapshot(snapshot, std::move(options), create_kvm_vm());
}

Sandbox Sandbox::from_snapshot(const Snapshot& snapshot, SandboxOptions options, std::unique_ptr<Vm> vm)
{
    if (snapshot.empty())
        throw CallError("cannot create a sandbox from an empty snapshot");
    const Snapshot::Data& data = *snapshot.data_;
    std::shared_ptr<const linux_abi::FileNamespace> files = data.files;
    if (!options.directories.empty()) {
        if (!files->directory_fds().empty())
            throw OptionError("a sandbox from a snapshot reads the directories its snapshot's sandbox mapped; "
                              "options.directories must be empty");
        files = linux_abi::FileNamespace::open(options.directories);
    }
    options.memory_size = data.memory->size();
    Sandbox sandbox;
    sandbox.machine_ =
        std::make_unique<Machine>(Image(data.image), std::move(options), std::move(vm), data.memory.get());
    Machine& m = *sandbox.machine_;
    SnapshotMemory::prepare(); // before the thread may be confined
    m.files = files;
    m.backing = data.memory;
    m.vm->enable_dirty_log();
    m.vm->map_memory(m.memory.host_address(), m.memory.size());
    m.vcpu = m.vm->create_vcpu();
    m.vcpu->start_from_state({.page_tables = arch::root_table_address(m.layout),
                              .entry = m.image.entry(),
                              .stack_top = m.layout.stack_top(),
                              .argument = HL_BOOT_INFO_ADDR},
                             data.vcpu);
    m.arm_interrupt();
    m.process = data.process;
    if (m.process)
        m.process->files = files;
    m.give_process_terminals();
    m.state = Machine::State::Ready;
    m.at_initial_state = data.initial_state;
    if (data.initial_state)
        m.after_init = snapshot;
    m.base = data.id;
    return sandbox;
}

uint64_t Snapshot::memory_size() const { return data_ ? data_->memory->size() : 0; }
uint64_t Snapshot::stored_bytes() const { return data_ ? data_->memory->stored_bytes() : 0; }

void Sandbox::restore(const Snapshot& snapshot)
{
    Machine& m = *machine_;
    if (snapshot.empty())
        throw CallError("cannot restore: the snapshot is empty");
    const Snapshot::Data& data = *snapshot.data_;
    if (!data.image.same_as(m.image))
        throw CallError("cannot restore: the snapshot is of another image (" + data.image.name() + ")");
    const auto memory = m.memory.host_view();
    if (data.memory->size() != memory.size())
        throw CallError("cannot restore: the snapshot holds " + format_size(data.memory->size()) +
                        " of memory, the sandbox " + format_size(memory.size()));
    m.stop.reset();   // its memory and registers are about to go
    try {
        std::vector<uint64_t>& dirty = m.memory.host_dirty_for_restore();
        if (m.base == data.id) {
            // Only the pages written since this snapshot differ from it.
            m.vm->collect_dirty_pages(dirty);
            const uint8_t* from = data.memory->view().data();
            for (size_t word = 0; word < dirty.size(); ++word) {
                if (dirty[word] == 0)
                    continue;
                for (uint64_t bits = dirty[word]; bits; bits &= bits - 1) {
                    const uint64_t page = word * 64 + static_cast<uint64_t>(std::countr_zero(bits));
                    std::memcpy(memory.data() + page * HL_PAGE_SIZE, from + page * HL_PAGE_SIZE, HL_PAGE_SIZE);
                }
                dirty[word] = 0;
            }
        } else {
            // Anything may differ: take the snapshot's pages, copy-on-write,
            // in place of all of guest memory, and log the guest's writes
            // from here on (what the log held is moot).
            m.vm->enable_dirty_log();
            m.memory.map_copy_on_write(data.memory->fd(), data.memory->offset());
            m.backing = data.memory;
            m.vm->collect_dirty_pages(dirty);
            m.memory.clear_host_dirty();
        }
        m.vcpu->restore_state(data.vcpu, data.fpu);
        m.process = data.process;
        if (m.process)
            m.process->files = m.files;   // the sandbox's own directories, whoever took the snapshot
        m.give_process_terminals();
    } catch (const std::exception& error) {
        // The guest is neither as it was nor as the snapshot has it, and the
        // dirty log may be lost: refuse calls until a restore succeeds, and
        // make that one map all of memory anew.
        m.base = 0;
        m.at_initial_state = false;
        m.poisoned = std::string("restoring a snapshot failed: ") + error.what();
        throw;
    }
    m.base = data.id;
    m.state = Machine::State::Ready;
    m.poisoned.clear();
    m.at_initial_state = data.initial_state;
    // The snapshot holds the guest's code without gdb's int3s: they go back.
    if (m.options.gdb)
        place_breakpoints(m.options.gdb->state(), m.memory);
}

namespace {

// The promise is the state right after initialize(): once a call has changed
// it, no snapshot of it can be taken any more.
void require_initial_state(const Sandbox::Machine& m)
{
    if (m.after_init.empty() && !m.at_initial_state)
        throw CallError("cannot make calls fresh: the state right after initialize() is gone (calls ran since, "
                        "or another snapshot was restored); call set_fresh_per_call(true) before the first call");
}

} // namespace

void return_to_initial_state(Sandbox& sandbox, Sandbox::Machine& m)
{
    require_initial_state(m);
    if (m.after_init.empty())
        m.after_init = sandbox.snapshot();
    else if (!m.at_initial_state)
        sandbox.restore(m.after_init);
}

void Sandbox::set_fresh_per_call(bool fresh)
{
    Machine& m = *machine_;
    if (fresh && m.state == Machine::State::Ready)
        require_initial_state(m);
    m.fresh_per_call = fresh;
}

} // namespace hl
