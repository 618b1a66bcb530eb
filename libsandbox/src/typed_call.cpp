// Sandbox::call<R>(name, args...)'s conversions (see hl/typed_call.hpp). Pure.
#include <hl/typed_call.hpp>

#include "call_frame.hpp"

#include <limits>

namespace hl::typed_call {
namespace {


[[noreturn]] void refuse(const Export& e, size_t index, const std::string& why)
{
    throw ArgumentError(argument_name(e, index) + " " + why + " (" + describe_export(e) + ")");
}

Value from_signed(const Export& e, size_t index, int64_t v)
{
    const char code = e.parameters[index];
    const std::string out_of_range = "is " + std::to_string(v) + ", out of range for " + type_name(code);
    switch (code) {
    case 'i':
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
            refuse(e, index, out_of_range);
        return static_cast<int32_t>(v);
    case 'l': return v;
    case 'u':
        if (v < 0)
            refuse(e, index, out_of_range);
        return static_cast<uint64_t>(v);
    case 'd': {
        // Exact when it comes back the same (2^63, what INT64_MAX rounds to, would not fit to come back).
        const double d = static_cast<double>(v);
        if (d == 0x1p63 || static_cast<int64_t>(d) != v)
            refuse(e, index, "is " + std::to_string(v) + ", which no f64 holds exactly");
        return d;
    }
    default: refuse(e, index, std::string("is an integer, expected ") + type_name(code));
    }
}

Value from_unsigned(const Export& e, size_t index, uint64_t v)
{
    const char code = e.parameters[index];
    if (code == 'u')
        return v;
    if (code == 'd') {
        const double d = static_cast<double>(v);
        if (d == 0x1p64 || static_cast<uint64_t>(d) != v)
            refuse(e, index, "is " + std::to_string(v) + ", which no f64 holds exactly");
        return d;
    }
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        if (code == 'i' || code == 'l')
            refuse(e, index, "is " + std::to_string(v) + ", out of range for " + type_name(code));
        refuse(e, index, std::string("is an integer, expected ") + type_name(code));
    }
    return from_signed(e, index, static_cast<int64_t>(v));
}

// The rest go only to their own type.
Value same_type(const Export& e, size_t index, const Value& literal, char own)
{
    const char code = e.parameters[index];
    if (code != own)
        refuse(e, index, std::string("is ") + type_name(own) + ", expected " + type_name(code));
    return literal;
}

} // namespace

Value convert(const Export& e, size_t index, const Value& literal)
{
    if (index >= e.parameters.size())
        throw ArgumentError(argument_count_error(e, index + 1));
    if (const auto* v = std::get_if<int32_t>(&literal))
        return from_signed(e, index, *v);
    if (const auto* v = std::get_if<int64_t>(&literal))
        return from_signed(e, index, *v);
    if (const auto* v = std::get_if<uint64_t>(&literal))
        return from_unsigned(e, index, *v);
    if (std::holds_alternative<std::monostate>(literal))
        refuse(e, index, std::string("is void, expected ") + type_name(e.parameters[index]));
    return same_type(e, index, literal, type_code(literal));
}

void check_result(const Export& e, std::string_view codes, const char* cpp_name)
{
    if (codes.empty() || codes.find(e.result) != std::string_view::npos)
        return;
    throw CallError(e.name + " returns " + type_name(e.result) + ", which a " + cpp_name + " cannot hold (" +
                    describe_export(e) + ")");
}

} // namespace hl::typed_call
