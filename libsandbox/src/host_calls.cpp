// Host function calls from the guest (see host_calls.hpp).
#include "host_calls.hpp"

#include "request_block.hpp"

#include <hl/abi.h>
#include <hl/text.hpp>
#include <hl/units.hpp>

#include <algorithm>
#include <cstring>

namespace hl {
namespace {

using Action = HypercallOutcome::Action;

HypercallOutcome stop(HypercallOutcome out, std::string message)
{
    out.action = Action::Violation;
    out.message = "host: " + std::move(message);
    return out;
}

// Answers the guest with an error it can read through hl_host_error().
void fail(hl_host_call_req& req, int32_t status, const std::string& error)
{
    req.status = status;
    req.ret = {};
    std::memset(req.error, 0, sizeof req.error);
    std::memcpy(req.error, error.data(), std::min(error.size(), sizeof req.error - 1));
}

std::string signature_text(char result, const std::string& parameters)
{
    std::string text = std::string(type_name(result)) + "(";
    for (size_t i = 0; i < parameters.size(); ++i)
        text += (i ? ", " : "") + std::string(type_name(parameters[i]));
    return text + ")";
}

// The argument as a Value, reading strings and bytes from guest memory.
std::optional<Value> argument(const GuestMemory& memory, char code, const hl_value& v, std::string& error)
{
    switch (code) {
    case 'i': return Value(static_cast<int32_t>(v.bits));
    case 'l': return Value(static_cast<int64_t>(v.bits));
    case 'u': return Value(v.bits);
    case 'd': {
        double d;
        std::memcpy(&d, &v.bits, sizeof d);
        return Value(d);
    }
    case 'b': return Value(v.bits != 0);
    }
    if (v.len > HL_VALUE_MAX) {
        error = std::to_string(v.len) + " bytes, over the limit of " + std::to_string(HL_VALUE_MAX);
        return std::nullopt;
    }
    const auto view = memory.read_view(guest_addr(v.bits), v.len);
    if (!view.ok()) {
        error = view.error;
        return std::nullopt;
    }
    if (code == 'y')
        return Value(Bytes(view.bytes.begin(), view.bytes.end()));
    return Value(std::string(view.bytes.begin(), view.bytes.end()));
}

} // namespace

HypercallOutcome serve_host_call(HypercallOutcome out, GuestAddr address, GuestMemory& memory,
                                 const std::vector<HostFunction>& functions)
{
    hl_host_call_req req;
    if (std::string error; !read_request(memory, address, req, error))
        return stop(out, "request block: " + error);
    const void* name_end = std::memchr(req.name, '\0', sizeof req.name);
    const void* signature_end = std::memchr(req.signature, '\0', sizeof req.signature);
    if (!name_end || !signature_end)
        return stop(out, "name or signature is not NUL-terminated");
    const std::string name(req.name), signature(req.signature);
    if (signature.empty() || req.argc != signature.size() - 1 || req.argc > HL_MAX_ARGS)
        return stop(out, printable(name) + ": argc " + std::to_string(req.argc) + " does not match the signature '" +
                             printable(signature) + "'");
    out.call.arg_count = 1;
    out.call.arg_names[0] = "argc";
    out.call.args[0] = req.argc;

    const auto found = std::find_if(functions.begin(), functions.end(), [&](const HostFunction& f) { return f.name == name; });
    const std::string expected = signature.substr(1);
    if (found == functions.end()) {
        fail(req, HL_ENOENT, "no host function named '" + name + "'");
    } else if (found->result != signature[0] || found->parameters != expected) {
        fail(req, HL_EINVAL, name + ": the guest expects " + signature_text(signature[0], expected) + ", the host has " +
                                 signature_text(found->result, found->parameters));
    } else {
        std::vector<Value> args;
        for (uint32_t i = 0; i < req.argc; ++i) {
            std::string error;
            auto value = argument(memory, expected[i], req.args[i], error);
            if (!value)
                return stop(out, name + ": argument " + std::to_string(i + 1) + ": " + error);
            if (expected[i] == 's' && !valid_utf8(std::get<std::string>(*value))) {
                fail(req, HL_EINVAL, name + ": argument " + std::to_string(i + 1) + " is not valid UTF-8");
                break;
            }
            out.call.bytes += req.args[i].len;
            args.push_back(std::move(*value));
        }
        if (args.size() == req.argc) {
            try {
                const Value result = found->invoke(args);
                req.status = 0;
                req.error[0] = '\0';
                const std::string* text = std::get_if<std::string>(&result);
                const Bytes* bytes = std::get_if<Bytes>(&result);
                if (text || bytes) {
                    const size_t size = text ? text->size() : bytes->size();
                    const auto buffer = size <= req.ret_buf_size ? memory.write_view(guest_addr(req.ret_buf), size)
                                                                 : Checked<uint8_t>{{}, "too small"};
                    if (size > HL_VALUE_MAX || !buffer.ok()) {
                        fail(req, HL_EINVAL, name + ": the result of " + std::to_string(size) +
                                                 " bytes does not fit the guest's result buffer");
                    } else {
                        if (size) // an empty Bytes has no data() to copy from
                            std::memcpy(buffer.bytes.data(), text ? static_cast<const void*>(text->data()) : bytes->data(), size);
                        req.ret = {req.ret_buf, size};
                        out.call.bytes += size;
                    }
                } else {
                    uint64_t bits = 0;
                    std::visit([&bits](const auto& v) {
                        using T = std::decay_t<decltype(v)>;
                        if constexpr (std::is_same_v<T, double>)
                            std::memcpy(&bits, &v, sizeof bits);
                        else if constexpr (std::is_same_v<T, int32_t>)
                            bits = static_cast<uint64_t>(static_cast<int64_t>(v));
                        else if constexpr (std::is_integral_v<T>)
                            bits = static_cast<uint64_t>(v);
                    }, result);
                    req.ret = {bits, 0};
                }
            } catch (const std::exception& error) {
                fail(req, HL_EHOST, name + ": " + error.what());
            } catch (...) {
                fail(req, HL_EHOST, name + ": the host function threw");
            }
        }
    }
    out.call.has_result = true;
    out.call.result = req.status;
    write_request(memory, address, req);
    return out;
}

} // namespace hl
