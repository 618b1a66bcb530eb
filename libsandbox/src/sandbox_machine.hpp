// The inside of a Sandbox, shared by the files that implement it (sandbox.cpp:
// the recipe and the calls; run_loop.cpp: running the vCPU and the exits;
// sandbox_snapshot.cpp: snapshots and restores). Not installed.
#pragma once

#include "arch.hpp"
#include "exit_handler.hpp"
#include "backend.hpp"
#include "linux/linux_process.hpp"
#include "profile/profile_signal.hpp"
#include "snapshot/snapshot_memory.hpp"

#include <hl/guest_memory.hpp>
#include <hl/sandbox.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace hl {

using Clock = std::chrono::steady_clock;


// A number no other Snapshot of this process has had or will have: what a
// restore knows the sandbox's latest snapshot by (an address can be reused,
// this cannot).
uint64_t unique_id();

// Members in construction order: each step of the recipe needs the ones above it.
struct Sandbox::Machine {
    Image image;
    SandboxOptions options;
    Layout layout;
    GuestMemory memory;
    std::unique_ptr<Vm> vm;
    std::unique_ptr<Vcpu> vcpu;
    // Lifecycle: New -> (run) -> Done, or New -> (initialize) -> Ready <-> calls.
    enum class State { New, Done, Ready } state = State::New;
    std::string poisoned;                     // why calls are refused until a restore
    std::shared_ptr<InterruptHandle::State> interrupt;
    // Snapshots: guest memory equals the snapshot `base` plus the pages the
    // guest (KVM's dirty log) and the host (GuestMemory) wrote since.
    uint64_t base = 0;
    // The snapshot memory guest memory is mapped copy-on-write from, if any:
    // kept alive while the mapping uses it.
    std::shared_ptr<const SnapshotMemory> backing;
    bool fresh_per_call = false;
    // The guest's state is the one initialize() left: no call has run since,
    // nor has a snapshot taken at another moment been restored.
    bool at_initial_state = false;
    Snapshot after_init;   // taken at the first fresh call, while at_initial_state
    std::vector<HostFunction> host_functions;
    // options.directories, open; the Linux process reads beneath them.
    std::shared_ptr<const linux_abi::FileNamespace> files;
    // An image whose system calls are served (Image::serves_system_calls): the process they act on.
    std::optional<LinuxProcess> process;
    // The arguments the guest was started with (a core file names them).
    std::vector<std::string> argv;
    // Where the last stretch stopped, when it ended in a way that leaves a
    // core file (sandbox_core.cpp); reset when the guest runs or is restored.
    struct Stop {
        arch::CoreThread thread;
        std::optional<VectorRegisters> vectors;   // the x87, SSE and AVX registers (NT_FPREGSET, NT_X86_XSTATE), if read
        std::string ending, message, where;
    };
    std::optional<Stop> stop;

    // Gives the vCPU the flag InterruptHandle::cancel() sets.
    void arm_interrupt();
    // Tells the process's stdout and stderr what options say of the host's:
    // a process from a snapshot (or restored to one) got them where the
    // snapshot was taken.
    void give_process_terminals()
    {
        if (!process)
            return;
        for (auto& [number, fd] : process->fds)
            if (fd.kind == GuestFd::Kind::Output)
                fd.terminal = fd.stream == 1 ? options.stdout_terminal : options.stderr_terminal;
    }

    // from: the snapshot memory to map guest memory from; null: zeroed memory.
    Machine(Image&& img, SandboxOptions&& opts, std::unique_ptr<Vm> machine, const SnapshotMemory* from = nullptr)
        : image(std::move(img)), options(std::move(opts)),
          layout(Layout::compute(image.segments(), image.note(), options.memory_size)),
          memory(layout, from ? from->fd() : -1, from ? from->offset() : 0), vm(std::move(machine))
    {
        check_profile_options(options);
        if (options.profile)
            install_profile_handler();   // now: a confined thread may not
    }
};

struct InterruptHandle::State {
    std::atomic<bool> cancel{false};
    std::atomic<pid_t> thread{0};
};

inline void Sandbox::Machine::arm_interrupt()
{
    interrupt = std::make_shared<InterruptHandle::State>();
    vcpu->set_stop_flag(&interrupt->cancel);
}

struct Snapshot::Data {
    explicit Data(Image of) : image(std::move(of)) {}
    uint64_t id = 0;                          // unique_id()
    Image image;                              // what the sandbox runs: the layout follows from it and the memory size
    bool initial_state = false;               // taken while at_initial_state
    std::shared_ptr<const SnapshotMemory> memory;
    std::shared_ptr<const linux_abi::FileNamespace> files;   // the sandbox's mapped directories
    VcpuState vcpu;
    FpuRestore fpu = FpuRestore::Load;
    std::optional<LinuxProcess> process;      // the Linux process's own state, with its memory
};

// The run loop shared by run(), initialize() and call(): the vCPU and the
// exit handler until the handler says the stretch is over.
RunResult execute(Sandbox::Machine& m, Phase phase);

// After a stretch: keeps where the guest stopped, if the ending leaves a core
// file (Faulted, Aborted, TimedOut, ExitLimit), and writes
// options.core_file, noting in result what became of it (sandbox_core.cpp).
void keep_stop(Sandbox::Machine& m, RunResult& result);
// What a Linux process would have died of, for an ending that is not an exit:
// the exception's signal, the one a Linux guest sent itself or SIGABRT,
// SIGALRM for the deadline, SIGXCPU for the exit limit, SIGPIPE for a closed
// output, SIGKILL for a cancel or a host error (sandbox_core.cpp).
int stop_signal(const RunResult& result);

// Before a fresh call: back to the state initialize() left, snapshotting it
// the first time. Throws CallError when that state is gone.
void return_to_initial_state(Sandbox& sandbox, Sandbox::Machine& m);

// Throws CallError saying why, unless the guest waits in hl_serve.
void require_ready(const Sandbox::Machine& m, const std::string& what);

} // namespace hl
