// Snapshots and restores: the vCPU state and guest memory; a restore copies
// back only the pages written since, when it returns to the latest snapshot.
#include "sandbox_machine.hpp"

#include <hl/abi.h>

#include <bit>
#include <cstring>

namespace hl {

Snapshot Sandbox::snapshot()
{
    Machine& m = *machine_;
    require_ready(m, "take a snapshot");
    if (!m.poisoned.empty())
        throw CallError("cannot take a snapshot of a poisoned sandbox: " + m.poisoned);
    auto data = std::make_shared<Snapshot::Data>();
    data->id = m.next_snapshot_id++;
    data->owner = &m;
    data->vcpu = m.vcpu.save_state();
    // From here on KVM logs the guest's writes; what it logged so far is moot.
    m.vm.enable_dirty_log();
    std::vector<uint64_t> discard(m.memory.host_dirty().size());
    m.vm.collect_dirty_pages(discard);
    m.memory.clear_host_dirty();
    const auto all = m.memory.host_view();
    data->memory.assign(all.begin(), all.end());
    m.base = data->id;
    Snapshot snapshot;
    snapshot.data_ = std::move(data);
    return snapshot;
}

void Sandbox::restore(const Snapshot& snapshot)
{
    Machine& m = *machine_;
    if (snapshot.empty() || snapshot.data_->owner != &m)
        throw CallError("cannot restore: the snapshot was not taken from this sandbox");
    const Snapshot::Data& data = *snapshot.data_;
    const auto memory = m.memory.host_view();
    std::vector<uint64_t> dirty = m.memory.host_dirty();
    m.vm.collect_dirty_pages(dirty);
    if (m.base == data.id) {
        // Only the pages written since this snapshot differ from it.
        for (size_t word = 0; word < dirty.size(); ++word)
            for (uint64_t bits = dirty[word]; bits; bits &= bits - 1) {
                const uint64_t page = word * 64 + static_cast<uint64_t>(std::countr_zero(bits));
                std::memcpy(memory.data() + page * HL_PAGE_SIZE, data.memory.data() + page * HL_PAGE_SIZE, HL_PAGE_SIZE);
            }
    } else {
        std::memcpy(memory.data(), data.memory.data(), memory.size());
    }
    m.memory.clear_host_dirty();
    m.vcpu.restore_state(data.vcpu);
    m.base = data.id;
    m.state = Machine::State::Ready;
    m.poisoned.clear();
    m.dirty_since_after_init = m.after_init.empty() || m.after_init.data_->id != data.id;
}

void Sandbox::set_fresh_per_call(bool fresh)
{
    machine_->fresh_per_call = fresh;
}

} // namespace hl
