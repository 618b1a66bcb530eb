// Exit tracing: every return from KVM_RUN can become one ExitEvent handed to
// a TraceSink attached to the Sandbox. With no sink attached the run loop
// builds no events at all.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace hl {

struct ExitEvent {
    uint64_t sequence = 0;     // 1, 2, ... in order of exits
    uint64_t exit_ns = 0;      // when KVM_RUN returned, ns since the run started
    uint64_t handled_ns = 0;   // when the host finished handling it
    const char* reason = "";   // "io-out", "io-in", "mmio", "hlt", "shutdown", "interrupted", ...
    uint64_t rip = 0;
    std::string symbol;        // "main+0x12", or empty when the image has no symbol there
    uint16_t port = 0;         // I/O exits
    uint32_t value = 0;        // value written by `out`
    const char* hypercall = nullptr;  // "write", "exit", ... when the exit was a hypercall
    std::string call;          // decoded hypercall: "write(fd=1, buf=0x1ffe0, len=12) = 12"
    std::string outcome;       // set on the exit that ended the run: who ended it and why
};

class TraceSink {
public:
    virtual ~TraceSink() = default;
    virtual void on_exit(const ExitEvent& event) = 0;
};

// One aligned human-readable line per exit.
class TextTraceSink final : public TraceSink {
public:
    explicit TextTraceSink(std::FILE* out) : out_(out) {}
    void on_exit(const ExitEvent& event) override;

private:
    std::FILE* out_;
};

} // namespace hl
