// Selecting and combining trace sinks: TraceFilter and TraceTee.
#include "linux/syscall_names.hpp"

#include <hl/error.hpp>
#include <hl/trace.hpp>

#include <algorithm>

namespace hl {
namespace {

constexpr const char* kReasons[] = {"io-out", "io-in", "mmio", "hlt", "shutdown", "fail-entry",
                                    "internal-error", "interrupted", "other"};
constexpr const char* kHypercalls[] = {"write", "exit", "abort", "clock", "ready", "return", "host", "read"};

} // namespace

std::vector<std::string> TraceFilter::known_names()
{
    std::vector<std::string> names(std::begin(kReasons), std::end(kReasons));
    names.insert(names.end(), std::begin(kHypercalls), std::end(kHypercalls));
    names.push_back("kernel");
    names.push_back("syscall");
    return names;
}

TraceFilter::TraceFilter(TraceSink& next, const std::vector<std::string>& names) : next_(next), names_(names)
{
    const auto known = known_names();
    for (const std::string& name : names) {
        if (std::find(known.begin(), known.end(), name) != known.end())
            continue;
        std::string list;
        for (const std::string& k : known)
            list += (list.empty() ? "" : ", ") + k;
        if (linux_abi::syscall_number(name))
            continue; // a Linux system call's name
        throw Error("unknown name '" + name + "'; expected exit reasons, hypercalls or system calls: " + list +
                    ", or a Linux system call's name");
    }
}

void TraceFilter::on_exit(const ExitEvent& event)
{
    auto wanted = [this](std::string_view name) {
        return std::find(names_.begin(), names_.end(), name) != names_.end();
    };
    // The event that ends the run always passes: it says who ended it.
    if (event.final || wanted(event.reason) || (event.hypercall && wanted(event.hypercall->name)) ||
        (event.hypercall && event.hypercall->system_call && wanted("syscall")) ||
        (std::string_view(event.origin) == "kernel" && wanted("kernel")))
        next_.on_exit(event);
}

void TraceTee::on_exit(const ExitEvent& event)
{
    for (TraceSink* sink : sinks_)
        sink->on_exit(event);
}

void TraceTee::on_run_end(const RunResult& result)
{
    for (TraceSink* sink : sinks_)
        sink->on_run_end(result);
}

} // namespace hl
