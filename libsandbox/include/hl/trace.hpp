// Exit tracing: every return from KVM_RUN can become one ExitEvent, handed to
// the TraceSink attached to the Sandbox. With no sink attached the run loop
// reads no clock and builds no event: tracing off costs nothing.
//
// Sinks shipped with libsandbox (each in its own file): TextTraceSink (human,
// aligned, optional colour), JsonlTraceSink (one JSON object per line),
// ChromeTraceSink (Trace Event Format for Perfetto / chrome://tracing),
// RunStats (counts and time per reason and hypercall, trace_stats.hpp),
// and TraceFilter / TraceTee to select and combine.
#pragma once

#include <hl/version.hpp>

#include <hl/run_result.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

// A decoded hypercall or Linux system call: name, named arguments, result,
// bytes moved.
struct HypercallRecord {
    const char* name = nullptr;               // "write", "exit", "abort", "clock"; "mmap", "brk"
    int arg_count = 0;
    std::array<const char*, 6> arg_names{};
    std::array<uint64_t, 6> args{};
    uint8_t hex_args = 0;                     // bit i: args[i] reads best in hex (an address, flags)
    bool system_call = false;                 // a Linux system call, not a hypercall
    bool has_result = false;
    int64_t result = 0;                       // system calls: -errno on failure
    uint64_t bytes = 0;                       // guest<->host bytes the call moved
    std::string path;                         // system calls that name a file: the guest path it resolved to
};

// "write(fd=1, buf=0x104480, len=7) = 7"; for a system call that failed,
// "openat(dirfd=-100, path=0x4010a0 \"/etc/passwd\", flags=0x0, mode=0) = -2 ENOENT"
// (the resolved path, through printable()).
std::string describe_hypercall(const HypercallRecord& call);

struct ExitEvent {
    uint64_t sequence = 0;          // 1, 2, ... in order
    const char* origin = "user";    // "user": seen by hl; "kernel": a KVM tracepoint
    uint64_t entry_ns = 0;          // ns since the run started: KVM_RUN entered (guest time starts)
    uint64_t exit_ns = 0;           // KVM_RUN returned (guest time ends, host time starts)
    uint64_t handled_ns = 0;        // the host finished handling the exit
    const char* reason = "";        // io-out io-in mmio hlt shutdown fail-entry internal-error interrupted other,
                                    // or the tracepoint name for kernel events
    uint64_t rip = 0;
    std::string symbol;             // "main+0x12"; empty when the image has no symbol there
    bool io = false;                // the I/O fields below are set
    uint16_t port = 0;
    uint8_t size = 0;               // bytes per access
    uint32_t value = 0;             // value written by `out`
    std::optional<HypercallRecord> hypercall;
    const GuestFault* fault = nullptr;   // on the final event of a run that faulted
    std::string detail;             // kernel events: the tracepoint's fields as text
    bool final = false;             // the exit that ended the run
    const char* ending = nullptr;   // on the final event: ending_name()
    int exit_status = 0;            // on the final event, when ending is "exited"
    std::string message;            // on the final event: who ended the run and why
};

class TraceSink {
public:
    virtual ~TraceSink() = default;
    virtual void on_exit(const ExitEvent& event) = 0;
    // Once, after the last exit of a run.
    virtual void on_run_end(const RunResult& result) { (void)result; }
};

// One aligned human-readable line per exit; colour only when asked.
class TextTraceSink final : public TraceSink {
public:
    explicit TextTraceSink(std::FILE* out, bool colour = false) : out_(out), colour_(colour) {}
    void on_exit(const ExitEvent& event) override;
    void on_run_end(const RunResult& result) override;

private:
    std::FILE* out_;
    bool colour_;
};

// One JSON object per line, schema "hl-trace/1" (fields in hlrun(1)).
class JsonlTraceSink final : public TraceSink {
public:
    explicit JsonlTraceSink(std::FILE* out) : out_(out) {}
    void on_exit(const ExitEvent& event) override;
    void on_run_end(const RunResult& result) override;

private:
    std::FILE* out_;
};

// Trace Event Format: guest and host time as spans on two tracks, hypercalls
// labelled. The JSON is complete once on_run_end has run.
class ChromeTraceSink final : public TraceSink {
public:
    explicit ChromeTraceSink(std::FILE* out, std::string process_name = "hl guest");
    void on_exit(const ExitEvent& event) override;
    void on_run_end(const RunResult& result) override;

private:
    std::FILE* out_;
};

// Passes on only the events whose reason or hypercall name is in a list.
class TraceFilter final : public TraceSink {
public:
    // names: exit reasons and hypercall names. Throws hl::Error naming an
    // unknown name and the known ones.
    TraceFilter(TraceSink& next, const std::vector<std::string>& names);
    void on_exit(const ExitEvent& event) override;
    void on_run_end(const RunResult& result) override { next_.on_run_end(result); }
    // The names a filter accepts.
    static std::vector<std::string> known_names();

private:
    TraceSink& next_;
    std::vector<std::string> names_;
};

// Hands every event to each of several sinks, in order.
class TraceTee final : public TraceSink {
public:
    void add(TraceSink& sink) { sinks_.push_back(&sink); }
    bool empty() const { return sinks_.empty(); }
    void on_exit(const ExitEvent& event) override;
    void on_run_end(const RunResult& result) override;

private:
    std::vector<TraceSink*> sinks_;
};

} // namespace hl
