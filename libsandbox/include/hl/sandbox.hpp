// hl::Sandbox: one micro-VM running one guest image. Construction builds the
// whole machine (memory, page tables, CPU tables, VM, vCPU); run() boots the
// guest with its arguments and returns how the run ended.
//
// Threading: a Sandbox is used by one thread at a time; run() arms a timer
// that signals the calling thread (KvmVcpu::interrupt_signal(), a real-time
// signal whose handler libsandbox installs) to stop an overdue guest.
#pragma once

#include <hl/image.hpp>
#include <hl/kernel_trace.hpp>
#include <hl/layout.hpp>
#include <hl/run_result.hpp>
#include <hl/trace.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl {

// Where guest output goes: fd is 1 (stdout) or 2 (stderr). Returns bytes
// written or a negative HL_E* code, which the guest sees as the result.
using OutputFn = std::function<int64_t(int fd, std::span<const uint8_t> bytes)>;

// Writes to the host's own fd 1 and 2: the default.
int64_t write_to_host_fd(int fd, std::span<const uint8_t> bytes);

struct SandboxOptions {
    uint64_t memory_size = HL_MEMORY_DEFAULT;
    std::chrono::nanoseconds timeout{0};   // 0: no limit
    OutputFn output = write_to_host_fd;
    TraceSink* trace = nullptr;            // not owned; must outlive run()
    // Kernel events to merge into trace (opened on the thread that calls
    // run()); not owned. Ignored without a trace sink.
    KernelTrace* kernel_trace = nullptr;
};

class Sandbox {
public:
    // Builds the machine for image. Throws LayoutError (limits cannot hold the
    // image), KvmError (no usable KVM) or Error.
    Sandbox(Image image, SandboxOptions options);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    // Boots the guest with argv (argv[0] is by convention the image name) and
    // runs it to its end. Once per Sandbox. Throws LayoutError if the
    // arguments do not fit the boot info; every other ending is a RunResult.
    RunResult run(const std::vector<std::string>& argv);

    const Image& image() const;
    const Layout& layout() const;

private:
    struct Machine;
    std::unique_ptr<Machine> machine_;
};

} // namespace hl
