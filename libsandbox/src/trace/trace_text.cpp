// The human-readable trace: one aligned line per exit, e.g.
//   #3       0.421ms  guest   52.0us  host   11.8us  io-out   hl_write+0x48 (0x100168)  write(fd=2, buf=0x104080, len=10) = 10
// and, with the kernel's view, one line per tracepoint hit inside that exit's KVM_RUN:
//   #3       0.380ms    kernel                          kvm_pio  rw=1 port=0x501 size=4 count=1 val=0xff4f90
// Colour, when asked for, marks the reason and the outcome.
#include <hl/trace.hpp>

#include <cinttypes>

namespace hl {
namespace {

constexpr const char* kReset = "\033[0m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kCyan = "\033[36m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kRed = "\033[1;31m";
constexpr const char* kYellow = "\033[33m";

} // namespace

void TextTraceSink::on_exit(const ExitEvent& e)
{
    auto paint = [this](const char* code) { return colour_ ? code : ""; };
    char where[256];
    if (e.symbol.empty())
        std::snprintf(where, sizeof where, "0x%" PRIx64, e.rip);
    else
        std::snprintf(where, sizeof where, "%s (0x%" PRIx64 ")", e.symbol.c_str(), e.rip);
    const bool kernel = std::string_view(e.origin) == "kernel";
    if (kernel) {
        // A point in time inside the KVM_RUN of exit #sequence: no guest or host span of its own.
        std::fprintf(out_, "%s#%-5" PRIu64 " %10.3fms  %-34s%s%-18s%s %s\n", paint(kDim), e.sequence,
                     static_cast<double>(e.exit_ns) / 1e6, "  kernel", paint(kYellow), e.reason, paint(kReset),
                     e.detail.c_str());
        return;
    }
    const std::string what = !e.hypercall ? std::string()
                             : (e.hypercall->system_call ? "syscall " : "") + describe_hypercall(*e.hypercall);
    const bool good_end = e.final && e.ending && std::string_view(e.ending) == "exited" && e.exit_status == 0;
    std::fprintf(out_, "%s#%-5" PRIu64 "%s %10.3fms  guest %8.1fus  host %7.1fus  %s%-18s%s %-30s %s%s%s%s%s\n",
                 paint(kDim), e.sequence, paint(kReset), static_cast<double>(e.exit_ns) / 1e6,
                 static_cast<double>(e.exit_ns - e.entry_ns) / 1e3, static_cast<double>(e.handled_ns - e.exit_ns) / 1e3,
                 paint(kCyan), e.reason, paint(kReset), where, what.c_str(),
                 e.final && !what.empty() ? "  " : "", paint(e.final ? (good_end ? kGreen : kRed) : ""),
                 e.final ? e.message.c_str() : "", paint(e.final ? kReset : ""));
}

void TextTraceSink::on_run_end(const RunResult&)
{
    std::fflush(out_);
}

} // namespace hl
