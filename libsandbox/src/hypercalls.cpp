// Hypercall decoding and dispatch (see hypercalls.hpp). Each handler copies
// the request block out of guest memory before using it, so a guest cannot
// change a field between the check and the use.
#include "hypercalls.hpp"

#include <hl/abi.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace hl {
namespace {

using Action = HypercallOutcome::Action;

std::string hex(uint64_t value)
{
    char text[24];
    std::snprintf(text, sizeof text, "0x%" PRIx64, value);
    return text;
}

HypercallOutcome violation(HypercallOutcome outcome, std::string message)
{
    outcome.action = Action::Violation;
    outcome.message = std::move(message);
    return outcome;
}

// Copies a request block out of guest memory. A block with out fields must be
// guest-writable, since the host writes them back.
template <typename Request>
bool read_request(GuestMemory& memory, uint64_t address, Request& request, std::string& error,
                  GuestAccess access = GuestAccess::Write)
{
    const Checked<const uint8_t> view = memory.read_view(address, sizeof(Request));
    error = view.ok() && access == GuestAccess::Write ? memory.write_view(address, sizeof(Request)).error
                                                      : view.error;
    if (!error.empty())
        return false;
    std::memcpy(&request, view.bytes.data(), sizeof(Request));
    return true;
}

template <typename Request>
void write_request(GuestMemory& memory, uint64_t address, const Request& request)
{
    // Checked again: cheap, and keeps this function safe on its own.
    const auto view = memory.write_view(address, sizeof(Request));
    if (view.ok())
        std::memcpy(view.bytes.data(), &request, sizeof(Request));
}

HypercallOutcome do_write(HypercallOutcome out, uint64_t address, GuestMemory& memory, const OutputFn& output)
{
    hl_write_req req;
    std::string error;
    if (!read_request(memory, address, req, error))
        return violation(out, "write: request block: " + error);
    out.args[0] = req.fd;
    out.args[1] = req.buf;
    out.args[2] = req.len;
    if (req.len > HL_WRITE_MAX)
        return violation(out, "write: len " + std::to_string(req.len) + " is over the limit of " +
                                  std::to_string(HL_WRITE_MAX) + " bytes");
    const auto data = memory.read_view(req.buf, req.len);
    if (!data.ok())
        return violation(out, "write: buffer: " + data.error);
    if (req.fd != 1 && req.fd != 2)
        req.result = HL_EBADF;
    else
        req.result = output(static_cast<int>(req.fd), data.bytes);
    out.result = req.result;
    write_request(memory, address, req);
    return out;
}

HypercallOutcome do_abort(HypercallOutcome out, uint64_t address, GuestMemory& memory)
{
    hl_abort_req req;
    std::string error;
    if (!read_request(memory, address, req, error, GuestAccess::Read))
        return violation(out, "abort: request block: " + error);
    out.args[0] = req.msg;
    out.args[1] = req.len;
    if (req.len > HL_ABORT_MAX)
        return violation(out, "abort: message length " + std::to_string(req.len) + " is over the limit of " +
                                  std::to_string(HL_ABORT_MAX) + " bytes");
    const auto text = memory.read_view(req.msg, req.len);
    if (!text.ok())
        return violation(out, "abort: message: " + text.error);
    out.action = Action::Abort;
    // Keep the report on one line whatever the guest put in it.
    out.message.reserve(req.len);
    for (uint8_t c : text.bytes)
        out.message.push_back(c >= 0x20 && c != 0x7f ? static_cast<char>(c) : ' ');
    return out;
}

HypercallOutcome do_clock(HypercallOutcome out, uint64_t address, GuestMemory& memory)
{
    hl_clock_req req;
    std::string error;
    if (!read_request(memory, address, req, error))
        return violation(out, "clock: request block: " + error);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    req.monotonic_ns = static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
    out.result = static_cast<int64_t>(req.monotonic_ns);
    write_request(memory, address, req);
    return out;
}

} // namespace

const char* hypercall_name(int number)
{
    switch (number) {
    case HL_CALL_EXIT: return "exit";
    case HL_CALL_WRITE: return "write";
    case HL_CALL_ABORT: return "abort";
    case HL_CALL_CLOCK: return "clock";
    default: return nullptr;
    }
}

HypercallOutcome dispatch_hypercall(const VcpuExit& exit, GuestMemory& memory, const OutputFn& output)
{
    HypercallOutcome out;
    const bool ours = exit.port >= HL_PORT_BASE && exit.port < HL_PORT_BASE + HL_CALL_COUNT &&
                      hypercall_name(exit.port - HL_PORT_BASE) != nullptr;
    if (exit.reason == VcpuExit::Reason::IoIn)
        return violation(out, "`in` from port " + hex(exit.port) + ": hl ports are write-only");
    if (!ours)
        return violation(out, "`out` to port " + hex(exit.port) + ", which is not an hl hypercall port");
    out.number = exit.port - HL_PORT_BASE;
    if (exit.size != 4 || exit.count != 1)
        return violation(out, std::string(hypercall_name(out.number)) + ": hypercalls are one 32-bit `out`, got " +
                                  std::to_string(exit.count) + " x " + std::to_string(exit.size) + " bytes");
    out.args[0] = exit.value;
    switch (out.number) {
    case HL_CALL_EXIT:
        out.action = Action::Exit;
        out.status = static_cast<int>(exit.value);
        return out;
    case HL_CALL_WRITE:
        return do_write(out, exit.value, memory, output);
    case HL_CALL_ABORT:
        return do_abort(out, exit.value, memory);
    case HL_CALL_CLOCK:
        return do_clock(out, exit.value, memory);
    }
    return violation(out, "unknown hypercall " + std::to_string(out.number));
}

std::string describe_hypercall(const HypercallOutcome& o)
{
    char text[160];
    switch (o.number) {
    case HL_CALL_EXIT:
        std::snprintf(text, sizeof text, "exit(status=%d)", static_cast<int>(o.args[0]));
        break;
    case HL_CALL_WRITE:
        std::snprintf(text, sizeof text, "write(fd=%" PRIu64 ", buf=0x%" PRIx64 ", len=%" PRIu64 ") = %" PRId64,
                      o.args[0], o.args[1], o.args[2], o.result);
        break;
    case HL_CALL_ABORT:
        std::snprintf(text, sizeof text, "abort(msg=0x%" PRIx64 ", len=%" PRIu64 ")", o.args[0], o.args[1]);
        break;
    case HL_CALL_CLOCK:
        std::snprintf(text, sizeof text, "clock() = %" PRId64, o.result);
        break;
    default:
        return {};
    }
    return text;
}

} // namespace hl
