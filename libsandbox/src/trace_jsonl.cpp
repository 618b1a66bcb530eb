// The machine-readable trace: one JSON object per line, schema "hl-trace/1".
// Every field is present on every exit line (null when it does not apply), so
// a consumer can stream it without guessing; hlrun(1) documents each field.
// After the last exit one line of "type":"run" sums the run up.
#include "cpu_tables.hpp"
#include "json_writer.hpp"

#include <hl/trace.hpp>

namespace hl {
namespace {

constexpr const char* kSchema = "hl-trace/1";

void write_io(std::string& out, const ExitEvent& e)
{
    if (!e.io) {
        out += "null";
        return;
    }
    bool first = true;
    out += '{';
    json::key(out, "port", first);
    json::number(out, uint64_t{e.port});
    json::key(out, "size", first);
    json::number(out, uint64_t{e.size});
    json::key(out, "direction", first);
    json::string(out, std::string_view(e.reason) == "io-in" ? "in" : "out");
    json::key(out, "value", first);
    json::number(out, uint64_t{e.value});
    out += '}';
}

void write_hypercall(std::string& out, const std::optional<HypercallRecord>& call)
{
    if (!call) {
        out += "null";
        return;
    }
    bool first = true;
    out += '{';
    json::key(out, "name", first);
    json::string(out, call->name);
    json::key(out, "args", first);
    out += '{';
    bool first_arg = true;
    for (int i = 0; i < call->arg_count; ++i) {
        json::key(out, call->arg_names[i], first_arg);
        json::number(out, call->args[i]);
    }
    out += '}';
    json::key(out, "result", first);
    if (call->has_result)
        json::number(out, call->result);
    else
        out += "null";
    json::key(out, "bytes", first);
    json::number(out, call->bytes);
    out += '}';
}

void write_fault(std::string& out, const GuestFault* fault)
{
    if (!fault) {
        out += "null";
        return;
    }
    bool first = true;
    out += '{';
    json::key(out, "vector", first);
    json::number(out, uint64_t{fault->vector});
    json::key(out, "mnemonic", first);
    json::string(out, cpu::vector_mnemonic(fault->vector));
    json::key(out, "name", first);
    json::string(out, cpu::vector_name(fault->vector));
    json::key(out, "error_code", first);
    json::number(out, fault->error_code);
    json::key(out, "cr2", first);
    json::number(out, fault->address);
    json::key(out, "where", first);
    json::string(out, fault->where);
    json::key(out, "registers", first);
    out += '{';
    bool first_register = true;
    for (const auto& [name, value] : fault->registers) {
        json::key(out, name, first_register);
        json::number(out, value);
    }
    out += "}}";
}

void write_end(std::string& out, const ExitEvent& e)
{
    if (!e.final) {
        out += "null";
        return;
    }
    bool first = true;
    out += '{';
    json::key(out, "ending", first);
    json::string(out, e.ending ? e.ending : "");
    json::key(out, "status", first);
    json::number(out, e.exit_status);
    json::key(out, "message", first);
    json::string(out, e.message);
    out += '}';
}

} // namespace

void JsonlTraceSink::on_exit(const ExitEvent& e)
{
    std::string out;
    out.reserve(512);
    bool first = true;
    out += '{';
    json::key(out, "schema", first);
    json::string(out, kSchema);
    json::key(out, "type", first);
    json::string(out, "exit");
    json::key(out, "seq", first);
    json::number(out, e.sequence);
    json::key(out, "origin", first);
    json::string(out, e.origin);
    json::key(out, "reason", first);
    json::string(out, e.reason);
    json::key(out, "entry_ns", first);
    json::number(out, e.entry_ns);
    json::key(out, "exit_ns", first);
    json::number(out, e.exit_ns);
    json::key(out, "handled_ns", first);
    json::number(out, e.handled_ns);
    json::key(out, "guest_ns", first);
    json::number(out, e.exit_ns - e.entry_ns);
    json::key(out, "host_ns", first);
    json::number(out, e.handled_ns - e.exit_ns);
    json::key(out, "rip", first);
    json::number(out, e.rip);
    json::key(out, "symbol", first);
    if (e.symbol.empty())
        out += "null";
    else
        json::string(out, e.symbol);
    json::key(out, "io", first);
    write_io(out, e);
    json::key(out, "hypercall", first);
    write_hypercall(out, e.hypercall);
    json::key(out, "fault", first);
    write_fault(out, e.fault);
    json::key(out, "detail", first);
    if (e.detail.empty())
        out += "null";
    else
        json::string(out, e.detail);
    json::key(out, "end", first);
    write_end(out, e);
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), out_);
}

void JsonlTraceSink::on_run_end(const RunResult& result)
{
    std::string out;
    bool first = true;
    out += '{';
    json::key(out, "schema", first);
    json::string(out, kSchema);
    json::key(out, "type", first);
    json::string(out, "run");
    json::key(out, "ending", first);
    json::string(out, ending_name(result.ending));
    json::key(out, "status", first);
    json::number(out, result.exit_status);
    json::key(out, "message", first);
    json::string(out, result.message);
    json::key(out, "exits", first);
    json::number(out, result.exits);
    json::key(out, "duration_ns", first);
    json::number(out, static_cast<uint64_t>(result.duration.count()));
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), out_);
    std::fflush(out_);
}

} // namespace hl
