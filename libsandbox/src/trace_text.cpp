// The human-readable trace: one line per exit.
//   #3      0.812ms  +4.1us  io-out       main+0x2c (0x10012c)  write(fd=1, buf=0x1ffe0, len=12) = 12
#include <hl/trace.hpp>

#include <cinttypes>

namespace hl {

void TextTraceSink::on_exit(const ExitEvent& e)
{
    char where[256];
    if (e.symbol.empty())
        std::snprintf(where, sizeof where, "0x%" PRIx64, e.rip);
    else
        std::snprintf(where, sizeof where, "%s (0x%" PRIx64 ")", e.symbol.c_str(), e.rip);
    std::fprintf(out_, "#%-5" PRIu64 " %10.3fms  +%7.1fus  %-12s %-32s %s%s%s\n", e.sequence,
                 static_cast<double>(e.exit_ns) / 1e6,
                 static_cast<double>(e.handled_ns - e.exit_ns) / 1e3, e.reason, where,
                 e.call.c_str(), e.outcome.empty() || e.call.empty() ? "" : "  ", e.outcome.c_str());
}

} // namespace hl
