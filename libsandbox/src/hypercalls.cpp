// Hypercall decoding and dispatch (see hypercalls.hpp). Each handler copies
// the request block out of guest memory before using it, so a guest cannot
// change a field between the check and the use.
#include "hypercalls.hpp"

#include "arch.hpp"

#include "host_calls.hpp"
#include "request_block.hpp"

#include <hl/abi.h>
#include <hl/text.hpp>

#include <cinttypes>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <string_view>

#include <hl/text.hpp>
#include <hl/units.hpp>

namespace hl {
namespace {

using Action = HypercallOutcome::Action;

// Names the call and its arguments in the outcome's trace record.
void name_call(HypercallOutcome& out, int number, std::initializer_list<const char*> arg_names)
{
    out.number = number;
    out.call.name = hypercall_name(number);
    out.call.arg_count = static_cast<int>(arg_names.size());
    std::copy(arg_names.begin(), arg_names.end(), out.call.arg_names.begin());
}

HypercallOutcome violation(HypercallOutcome outcome, std::string message)
{
    outcome.action = Action::Violation;
    outcome.message = std::move(message);
    return outcome;
}

HypercallOutcome do_write(HypercallOutcome out, GuestAddr address, GuestMemory& memory, const OutputFn& output)
{
    hl_write_req req;
    std::string error;
    if (!read_request(memory, address, req, error))
        return violation(out, "write: request block: " + error);
    out.call.args = {req.fd, req.buf, req.len};
    if (req.len > HL_WRITE_MAX)
        return violation(out, "write: len " + std::to_string(req.len) + " is over the limit of " +
                                  std::to_string(HL_WRITE_MAX) + " bytes");
    const auto data = memory.read_view(guest_addr(req.buf), req.len);
    if (!data.ok())
        return violation(out, "write: buffer: " + data.error);
    if (req.fd != 1 && req.fd != 2)
        req.result = HL_EBADF;
    else
        req.result = output(static_cast<int>(req.fd), data.bytes);
    out.call.has_result = true;
    out.call.result = req.result;
    out.call.bytes = req.result > 0 ? static_cast<uint64_t>(req.result) : 0;
    write_request(memory, address, req);
    if (req.result == HL_EPIPE) {
        // Nobody reads what the guest writes there any more: stop it, as SIGPIPE stops a process.
        out.action = Action::OutputClosed;
        out.message = std::string("the reader of ") + (req.fd == 1 ? "stdout" : "stderr") + " closed it";
    }
    return out;
}

HypercallOutcome do_read(HypercallOutcome out, GuestAddr address, GuestMemory& memory, const InputFn* input)
{
    hl_read_req req;
    std::string error;
    if (!read_request(memory, address, req, error))
        return violation(out, "read: request block: " + error);
    out.call.args = {req.fd, req.buf, req.len};
    if (req.len > HL_READ_MAX)
        return violation(out, "read: len " + std::to_string(req.len) + " is over the limit of " +
                                  std::to_string(HL_READ_MAX) + " bytes");
    const auto data = memory.write_view(guest_addr(req.buf), req.len);
    if (!data.ok())
        return violation(out, "read: buffer: " + data.error);
    if (req.fd != 0)
        req.result = HL_EBADF;
    else if (!input || !*input || req.len == 0)
        req.result = 0; // no input: the end of it
    else
        req.result = (*input)(data.bytes);
    if (req.result > static_cast<int64_t>(req.len))
        req.result = HL_EIO; // an InputFn that claims more than it was given
    out.call.has_result = true;
    out.call.result = req.result;
    out.call.bytes = req.result > 0 ? static_cast<uint64_t>(req.result) : 0;
    write_request(memory, address, req);
    return out;
}

HypercallOutcome do_abort(HypercallOutcome out, GuestAddr address, GuestMemory& memory)
{
    hl_abort_req req;
    std::string error;
    if (!read_request(memory, address, req, error, GuestAccess::Read))
        return violation(out, "abort: request block: " + error);
    out.call.args = {req.msg, req.len, 0};
    if (req.len > HL_ABORT_MAX)
        return violation(out, "abort: message length " + std::to_string(req.len) + " is over the limit of " +
                                  std::to_string(HL_ABORT_MAX) + " bytes");
    const auto text = memory.read_view(guest_addr(req.msg), req.len);
    if (!text.ok())
        return violation(out, "abort: message: " + text.error);
    out.action = Action::Abort;
    out.call.bytes = req.len;
    // One line that a terminal or a JSON parser takes as plain text, whatever the guest put in it.
    out.message = printable({reinterpret_cast<const char*>(text.bytes.data()), text.bytes.size()});
    return out;
}

HypercallOutcome do_clock(HypercallOutcome out, GuestAddr address, GuestMemory& memory)
{
    hl_clock_req req;
    std::string error;
    if (!read_request(memory, address, req, error))
        return violation(out, "clock: request block: " + error);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    req.monotonic_ns = static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
    out.call.has_result = true;
    out.call.result = static_cast<int64_t>(req.monotonic_ns);
    out.call.bytes = sizeof req;
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
    case HL_CALL_READY: return "ready";
    case HL_CALL_RETURN: return "return";
    case HL_CALL_HOST: return "host";
    case HL_CALL_READ: return "read";
    default: return nullptr;
    }
}

HypercallOutcome dispatch_hypercall(const VcpuExit& exit, GuestMemory& memory, const OutputFn& output,
                                    const std::vector<HostFunction>* host, const InputFn* input)
{
    HypercallOutcome out;
    const arch::Hypercall call = arch::hypercall(exit);
    const int number = call.number;
    switch (number) {
    case HL_CALL_EXIT: name_call(out, number, {"status"}); break;
    case HL_CALL_WRITE: name_call(out, number, {"fd", "buf", "len"}); break;
    case HL_CALL_ABORT: name_call(out, number, {"msg", "len"}); break;
    case HL_CALL_CLOCK: name_call(out, number, {}); break;
    case HL_CALL_READY: name_call(out, number, {"flags"}); break;
    case HL_CALL_RETURN: name_call(out, number, {}); break;
    case HL_CALL_HOST: name_call(out, number, {}); break;
    case HL_CALL_READ: name_call(out, number, {"fd", "buf", "len"}); break;
    }
    if (!call.violation.empty())
        return violation(out, call.violation);
    const uint32_t value = call.value;
    switch (out.number) {
    case HL_CALL_EXIT:
        out.call.args[0] = value;
        out.action = Action::Exit;
        out.status = static_cast<int>(value);
        return out;
    // The value of these is the guest address of their request block.
    case HL_CALL_WRITE:
        return do_write(out, guest_addr(value), memory, output);
    case HL_CALL_ABORT:
        return do_abort(out, guest_addr(value), memory);
    case HL_CALL_CLOCK:
        return do_clock(out, guest_addr(value), memory);
    case HL_CALL_READ:
        return do_read(out, guest_addr(value), memory, input);
    case HL_CALL_READY:
        out.call.args[0] = value;
        if (value & ~HL_READY_RELOADS_FPU)
            return violation(out, "ready: unknown flags " + format_hex(value & ~HL_READY_RELOADS_FPU) +
                                      " (known: HL_READY_RELOADS_FPU = 0x1)");
        out.action = Action::Ready;
        out.status = static_cast<int>(value); // the flags
        return out;
    case HL_CALL_RETURN:
        out.action = Action::Return;
        return out;
    case HL_CALL_HOST:
        return serve_host_call(out, guest_addr(value), memory, host ? *host : std::vector<HostFunction>{});
    }
    return violation(out, "unknown hypercall " + std::to_string(out.number));
}

std::string describe_hypercall(const HypercallRecord& call)
{
    if (!call.name)
        return {};
    std::string text = std::string(call.name) + "(";
    char value[32];
    for (int i = 0; i < call.arg_count; ++i) {
        // Addresses read best in hex, counts and descriptors in decimal.
        const bool address = (call.hex_args >> i & 1) || std::string_view(call.arg_names[i]) == "buf" ||
                             std::string_view(call.arg_names[i]) == "msg";
        std::snprintf(value, sizeof value, address ? "0x%" PRIx64 : "%" PRIu64, call.args[i]);
        text += (i ? ", " : "") + std::string(call.arg_names[i]) + "=" + value;
        if (!call.path.empty() && std::string_view(call.arg_names[i]) == "path")
            text += " \"" + printable(call.path) + "\"";
    }
    text += ")";
    if (call.has_result)
        text += " = " + std::to_string(call.result);
    if (call.has_result && call.system_call && call.result < 0 && call.result >= -4095) {
        const char* name = strerrorname_np(static_cast<int>(-call.result));
        text += std::string(" ") + (name ? name : "E?");
    }
    return text;
}

} // namespace hl
