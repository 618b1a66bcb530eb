// The machine-readable trace: one JSON object per line, schema "hl-trace/1".
// Every field is present on every exit line (null when it does not apply), so
// a consumer can stream it without guessing; hlrun(1) documents each field.
// After the last exit one line of "type":"run" sums the run up.
#include "arch.hpp"
#include "trace/json_writer.hpp"

#include <hl/trace.hpp>

namespace hl {
namespace {

constexpr const char* kSchema = "hl-trace/1";

void write_io(std::string& out, const ExitEvent& e)
{
    bool first = true;
    out += '{';
    json::field(out, "port", uint64_t{e.port}, first);
    json::field(out, "size", uint64_t{e.size}, first);
    json::field(out, "direction", std::string_view(e.reason) == "io-in" ? "in" : "out", first);
    json::field(out, "value", uint64_t{e.value}, first);
    out += '}';
}

void write_hypercall(std::string& out, const HypercallRecord& call)
{
    bool first = true;
    out += '{';
    json::field(out, "name", call.name, first);
    json::key(out, "args", first);
    out += '{';
    bool first_arg = true;
    for (int i = 0; i < call.arg_count; ++i)
        json::field(out, call.arg_names[i], call.args[i], first_arg);
    out += '}';
    if (call.has_result)
        json::field(out, "result", call.result, first);
    else
        json::null_field(out, "result", first);
    json::field(out, "bytes", call.bytes, first);
    if (!call.path.empty())
        json::field(out, "path", call.path, first);
    out += '}';
}

void write_fault(std::string& out, const GuestFault& fault)
{
    bool first = true;
    out += '{';
    json::field(out, "vector", uint64_t{fault.vector}, first);
    json::field(out, "mnemonic", arch::exception_mnemonic(fault.vector), first);
    json::field(out, "name", arch::exception_name(fault.vector), first);
    json::field(out, "error_code", fault.error_code, first);
    json::field(out, "cr2", fault.address, first);
    json::field(out, "where", fault.where, first);
    json::key(out, "registers", first);
    out += '{';
    bool first_register = true;
    for (const auto& [name, value] : fault.registers)
        json::field(out, name, value, first_register);
    out += "}}";
}

void write_end(std::string& out, const ExitEvent& e)
{
    bool first = true;
    out += '{';
    json::field(out, "ending", e.ending ? e.ending : "", first);
    json::field(out, "status", e.exit_status, first);
    json::field(out, "message", e.message, first);
    out += '}';
}

// "name": followed by what write() puts, or null when absent.
template <typename Write>
void optional_object(std::string& out, std::string_view name, bool present, bool& first, Write write)
{
    json::key(out, name, first);
    if (present)
        write();
    else
        out += "null";
}

} // namespace

void JsonlTraceSink::on_exit(const ExitEvent& e)
{
    std::string out;
    out.reserve(512);
    bool first = true;
    out += '{';
    json::field(out, "schema", kSchema, first);
    json::field(out, "type", "exit", first);
    json::field(out, "seq", e.sequence, first);
    json::field(out, "origin", e.origin, first);
    json::field(out, "reason", e.reason, first);
    json::field(out, "entry_ns", e.entry_ns, first);
    json::field(out, "exit_ns", e.exit_ns, first);
    json::field(out, "handled_ns", e.handled_ns, first);
    json::field(out, "guest_ns", e.exit_ns - e.entry_ns, first);
    json::field(out, "host_ns", e.handled_ns - e.exit_ns, first);
    json::field(out, "rip", e.rip, first);
    optional_object(out, "symbol", !e.symbol.empty(), first, [&] { json::string(out, e.symbol); });
    optional_object(out, "io", e.io, first, [&] { write_io(out, e); });
    const bool system_call = e.hypercall && e.hypercall->system_call;
    optional_object(out, "hypercall", e.hypercall && !system_call, first, [&] { write_hypercall(out, *e.hypercall); });
    optional_object(out, "syscall", system_call, first, [&] { write_hypercall(out, *e.hypercall); });
    optional_object(out, "fault", e.fault != nullptr, first, [&] { write_fault(out, *e.fault); });
    optional_object(out, "detail", !e.detail.empty(), first, [&] { json::string(out, e.detail); });
    optional_object(out, "end", e.final, first, [&] { write_end(out, e); });
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), out_);
}

void JsonlTraceSink::on_run_end(const RunResult& result)
{
    std::string out;
    bool first = true;
    out += '{';
    json::field(out, "schema", kSchema, first);
    json::field(out, "type", "run", first);
    json::field(out, "ending", ending_name(result.ending), first);
    json::field(out, "status", result.exit_status, first);
    json::field(out, "message", result.message, first);
    json::field(out, "exits", result.exits, first);
    json::field(out, "duration_ns", static_cast<uint64_t>(result.duration.count()), first);
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), out_);
    std::fflush(out_);
}

} // namespace hl
