// Call marshalling (see call_frame.hpp).
#include "call_frame.hpp"

#include <hl/abi.h>

#include <cstring>

namespace hl {
namespace {

uint64_t data_size(const Value& v)
{
    if (const auto* s = std::get_if<std::string>(&v))
        return s->size();
    if (const auto* b = std::get_if<Bytes>(&v))
        return b->size();
    return 0;
}

struct Encoder {
    uint64_t bits = 0;
    void operator()(std::monostate) {}
    void operator()(int32_t v) { bits = static_cast<uint64_t>(static_cast<int64_t>(v)); }
    void operator()(int64_t v) { bits = static_cast<uint64_t>(v); }
    void operator()(uint64_t v) { bits = v; }
    void operator()(double v) { std::memcpy(&bits, &v, sizeof bits); }
    void operator()(bool v) { bits = v ? 1 : 0; }
    void operator()(const std::string&) {}
    void operator()(const Bytes&) {}
};

} // namespace

std::string argument_name(const Export& e, size_t i)
{
    return e.name + ": argument " + std::to_string(i + 1);
}

void check_call_arguments(const Export& e, const std::vector<Value>& args)
{
    if (args.size() != e.parameters.size())
        throw ArgumentError(argument_count_error(e, args.size()));
    uint64_t total = 0;
    for (size_t i = 0; i < args.size(); ++i) {
        const char got = type_code(args[i]);
        if (got != e.parameters[i])
            throw ArgumentError(argument_name(e, i) + " is " + type_name(got) + ", expected " + type_name(e.parameters[i]) +
                            " (" + describe_export(e) + ")");
        const uint64_t size = data_size(args[i]);
        if (size > HL_VALUE_MAX)
            throw ArgumentError(argument_name(e, i) + " is " + std::to_string(size) + " bytes, over the limit of " +
                            std::to_string(HL_VALUE_MAX));
        if (const auto* s = std::get_if<std::string>(&args[i]); s && !valid_utf8(*s))
            throw ArgumentError(argument_name(e, i) + " is not valid UTF-8");
        total += size;
    }
    if (total > HL_CALL_DATA_MAX)
        throw ArgumentError(e.name + ": the arguments take " + std::to_string(total) + " bytes, over the limit of " +
                        std::to_string(HL_CALL_DATA_MAX));
}

void write_call_frame(GuestMemory& memory, const Export& e, const std::vector<Value>& args)
{
    hl_call_frame frame{};
    frame.export_index = e.index;
    frame.argc = static_cast<uint32_t>(args.size());
    uint64_t data = HL_CALL_DATA_ADDR;
    for (size_t i = 0; i < args.size(); ++i) {
        const uint8_t* bytes = nullptr;
        uint64_t size = 0;
        if (const auto* s = std::get_if<std::string>(&args[i])) {
            bytes = reinterpret_cast<const uint8_t*>(s->data());
            size = s->size();
        } else if (const auto* b = std::get_if<Bytes>(&args[i])) {
            bytes = b->data();
            size = b->size();
        }
        if (bytes || type_code(args[i]) == 's' || type_code(args[i]) == 'y') {
            // check_call_arguments kept the total inside the data area.
            auto view = memory.write_view(guest_addr(data), size);
            if (size)
                std::memcpy(view.bytes.data(), bytes, size);
            frame.args[i] = {data, size};
            data += size;
            continue;
        }
        Encoder encoder;
        std::visit(encoder, args[i]);
        frame.args[i] = {encoder.bits, 0};
    }
    auto view = memory.write_view(guest_addr(HL_CALL_AREA_ADDR), sizeof frame);
    std::memcpy(view.bytes.data(), &frame, sizeof frame);
}

std::optional<Value> read_call_result(const GuestMemory& memory, const Export& e, std::string& error)
{
    hl_call_frame frame;
    const auto view = memory.read_view(guest_addr(HL_CALL_AREA_ADDR), sizeof frame);
    std::memcpy(&frame, view.bytes.data(), sizeof frame); // the call area is always mapped
    const uint64_t bits = frame.ret.bits;
    switch (e.result) {
    case 'v': return Value();
    case 'i': return Value(static_cast<int32_t>(bits));
    case 'l': return Value(static_cast<int64_t>(bits));
    case 'u': return Value(bits);
    case 'd': {
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return Value(d);
    }
    case 'b': return Value(bits != 0);
    }
    // Strings and bytes: the guest says where; trust nothing of it.
    const uint64_t length = frame.ret.len;
    if (length > HL_VALUE_MAX) {
        error = e.name + " returned " + std::to_string(length) + " bytes, over the limit of " + std::to_string(HL_VALUE_MAX);
        return std::nullopt;
    }
    const auto data = memory.read_view(guest_addr(bits), length);
    if (!data.ok()) {
        error = e.name + " returned a " + type_name(e.result) + " at an address the guest cannot read: " + data.error;
        return std::nullopt;
    }
    if (e.result == 'y')
        return Value(Bytes(data.bytes.begin(), data.bytes.end()));
    std::string text(data.bytes.begin(), data.bytes.end());
    if (!valid_utf8(text)) {
        error = e.name + " returned a string that is not valid UTF-8";
        return std::nullopt;
    }
    return Value(std::move(text));
}

} // namespace hl
