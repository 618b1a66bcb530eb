// Snapshots and restores: the vCPU state and guest memory; a restore copies
// back only the pages written since, when it returns to the latest snapshot.
#include "sandbox_machine.hpp"

#include "arch.hpp"

#include <hl/abi.h>

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
    auto data = std::make_shared<Snapshot::Data>();
    data->id = unique_id();
    data->owner = m.id;
    data->initial_state = m.at_initial_state;
    data->vcpu = m.vcpu->save_state();
    data->process = m.process;
    // From here on KVM logs the guest's writes; what it logged so far is moot.
    // Discarding it unmakes the base, as the pages written since are no
    // longer known: should a step below fail, the next restore copies all.
    m.base = 0;
    m.vm->enable_dirty_log();
    std::vector<uint64_t> discard(m.memory.host_dirty().size());
    m.vm->collect_dirty_pages(discard);
    m.memory.clear_host_dirty();
    const auto all = m.memory.host_view();
    data->memory.assign(all.begin(), all.end());
    // Checked on the snapshot's own memory: what every restore brings back.
    if (arch::resets_fpu_at(m.layout, data->memory, data->vcpu.resume_at))
        data->fpu = FpuRestore::GuestResets;
    m.base = data->id;
    Snapshot snapshot;
    snapshot.data_ = std::move(data);
    return snapshot;
}

void Sandbox::restore(const Snapshot& snapshot)
{
    Machine& m = *machine_;
    // Ids are never reused, so the snapshot of a sandbox gone, whose address
    // a new one may have, is still someone else's.
    if (snapshot.empty() || snapshot.data_->owner != m.id)
        throw CallError("cannot restore: the snapshot was not taken from this sandbox");
    const Snapshot::Data& data = *snapshot.data_;
    const auto memory = m.memory.host_view();
    if (data.memory.size() != memory.size())
        throw CallError("cannot restore: the snapshot holds " + std::to_string(data.memory.size()) +
                        " bytes of memory, the sandbox " + std::to_string(memory.size()));
    try {
        std::vector<uint64_t> dirty = m.memory.host_dirty();
        m.vm->collect_dirty_pages(dirty);
        if (m.base == data.id) {
            // Only the pages written since this snapshot differ from it.
            for (size_t word = 0; word < dirty.size(); ++word)
                for (uint64_t bits = dirty[word]; bits; bits &= bits - 1) {
                    const uint64_t page = word * 64 + static_cast<uint64_t>(std::countr_zero(bits));
                    std::memcpy(memory.data() + page * HL_PAGE_SIZE, data.memory.data() + page * HL_PAGE_SIZE,
                                HL_PAGE_SIZE);
                }
        } else {
            std::memcpy(memory.data(), data.memory.data(), memory.size());
        }
        m.memory.clear_host_dirty();
        m.vcpu->restore_state(data.vcpu, data.fpu);
        m.process = data.process;
    } catch (const std::exception& error) {
        // The guest is neither as it was nor as the snapshot has it, and the
        // dirty log may be lost: refuse calls until a restore succeeds, and
        // make that one copy all of memory.
        m.base = 0;
        m.at_initial_state = false;
        m.poisoned = std::string("restoring a snapshot failed: ") + error.what();
        throw;
    }
    m.base = data.id;
    m.state = Machine::State::Ready;
    m.poisoned.clear();
    m.at_initial_state = data.initial_state;
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
