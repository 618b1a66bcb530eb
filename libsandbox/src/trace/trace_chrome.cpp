// The trace as a timeline: Trace Event Format (JSON) that Perfetto and
// chrome://tracing open. Track 1 holds the guest's spans (KVM_RUN entered to
// exit), track 2 the host's (exit to handled), each named after what the exit
// was; kernel tracepoints are instant events on track 3. Spans on a track
// never overlap, so they nest trivially.
#include "trace/json_writer.hpp"

#include <hl/trace.hpp>

namespace hl {
namespace {

constexpr int kGuestTrack = 1;
constexpr int kHostTrack = 2;
constexpr int kKernelTrack = 3;

void metadata(std::string& out, const char* what, int track, std::string_view name)
{
    out += "{\"ph\":\"M\",\"pid\":1,\"name\":";
    json::string(out, what);
    if (track) {
        out += ",\"tid\":";
        json::number(out, track);
    }
    out += ",\"args\":{\"name\":";
    json::string(out, name);
    out += "}}";
}

// Trace Event Format times are microseconds.
void span(std::string& out, std::string_view name, std::string_view category, int track, uint64_t start_ns,
          uint64_t end_ns)
{
    out += "{\"ph\":\"X\",\"pid\":1,\"tid\":";
    json::number(out, track);
    out += ",\"name\":";
    json::string(out, name);
    out += ",\"cat\":";
    json::string(out, category);
    out += ",\"ts\":";
    json::number(out, static_cast<double>(start_ns) / 1e3);
    out += ",\"dur\":";
    json::number(out, static_cast<double>(end_ns - start_ns) / 1e3);
}

} // namespace

ChromeTraceSink::ChromeTraceSink(std::FILE* out, std::string process_name) : out_(out)
{
    std::string head = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    metadata(head, "process_name", 0, process_name);
    head += ",\n";
    metadata(head, "thread_name", kGuestTrack, "guest (vCPU running)");
    head += ",\n";
    metadata(head, "thread_name", kHostTrack, "host (handling exits)");
    head += ",\n";
    metadata(head, "thread_name", kKernelTrack, "kernel (KVM tracepoints)");
    std::fwrite(head.data(), 1, head.size(), out_);
}

void ChromeTraceSink::on_exit(const ExitEvent& e)
{
    std::string out = ",\n";
    const std::string label = e.hypercall ? e.hypercall->name : e.reason;
    if (std::string_view(e.origin) == "kernel") {
        out += "{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":";
        json::number(out, kKernelTrack);
        out += ",\"name\":";
        json::string(out, e.reason);
        out += ",\"cat\":\"kernel\",\"ts\":";
        json::number(out, static_cast<double>(e.exit_ns) / 1e3);
        out += ",\"args\":{\"detail\":";
        json::string(out, e.detail);
        out += "}}";
        std::fwrite(out.data(), 1, out.size(), out_);
        return;
    }
    span(out, "guest", "guest", kGuestTrack, e.entry_ns, e.exit_ns);
    out += ",\"args\":{\"seq\":";
    json::number(out, e.sequence);
    out += "}},\n";
    span(out, label, !e.hypercall ? "exit" : e.hypercall->system_call ? "syscall" : "hypercall", kHostTrack,
         e.exit_ns, e.handled_ns);
    out += ",\"args\":{\"seq\":";
    json::number(out, e.sequence);
    out += ",\"reason\":";
    json::string(out, e.reason);
    out += ",\"rip\":";
    json::string(out, e.symbol.empty() ? std::to_string(e.rip) : e.symbol);
    if (e.hypercall) {
        out += ",\"call\":";
        json::string(out, describe_hypercall(*e.hypercall));
    }
    if (e.final) {
        out += ",\"end\":";
        json::string(out, e.message);
    }
    out += "}}";
    std::fwrite(out.data(), 1, out.size(), out_);
}

void ChromeTraceSink::on_run_end(const RunResult&)
{
    std::fputs("\n]}\n", out_);
    std::fflush(out_);
}

} // namespace hl
