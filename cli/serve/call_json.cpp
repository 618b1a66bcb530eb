// Typed calls as JSON (see call_json.hpp). nlohmann::json parses, in this
// file alone: it is a large header.
#include "serve/call_json.hpp"

#include "serve/base64.hpp"

#include <hl/text.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

namespace hl::cli {
namespace {

using Json = nlohmann::json;

constexpr int64_t kExactInJson = int64_t{1} << 53;   // beyond: a string

const char* kind_of(const Json& j)
{
    switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    case Json::value_t::number_float: return "a number with a fraction or exponent";
    default: return "a number";
    }
}

// An integer in [lo, hi] from a JSON integer or, when strings are allowed, a string holding one.
std::optional<Value> integer(const Json& j, char code, bool strings, std::string& error)
{
    const std::string_view type = type_name(code);
    std::optional<int64_t> signed_value;
    std::optional<uint64_t> unsigned_value;
    if (j.is_number_unsigned()) {
        unsigned_value = j.get<uint64_t>();
    } else if (j.is_number_integer()) {
        signed_value = j.get<int64_t>();
    } else if (j.is_string() && strings) {
        std::string parse_error;
        auto parsed = parse_value(code, j.get_ref<const std::string&>(), parse_error);
        if (!parsed) {
            // parse_value's words quote the text as it is; here it may hold
            // anything a client sent, so it is quoted as JSON, on one line.
            const char* why = parse_error.ends_with("(out of range)") ? "out of range"
                              : parse_error.ends_with("(negative)")   ? "negative"
                                                                       : "not an integer";
            error = "expected " + std::string(type) + ", got the string " + json_string(j.get_ref<const std::string&>()) +
                    " (" + why + ")";
            return std::nullopt;
        }
        return parsed;
    } else {
        error = "expected an integer (" + std::string(type) + "), got " + kind_of(j);
        return std::nullopt;
    }
    const std::string text = j.dump();
    switch (code) {
    case 'i':
        if (signed_value && *signed_value >= INT32_MIN && *signed_value <= INT32_MAX)
            return Value(static_cast<int32_t>(*signed_value));
        if (unsigned_value && *unsigned_value <= INT32_MAX)
            return Value(static_cast<int32_t>(*unsigned_value));
        break;
    case 'l':
        if (signed_value)
            return Value(*signed_value);
        if (*unsigned_value <= static_cast<uint64_t>(INT64_MAX))
            return Value(static_cast<int64_t>(*unsigned_value));
        break;
    default: // 'u'
        if (unsigned_value)
            return Value(*unsigned_value);
        if (*signed_value >= 0)
            return Value(static_cast<uint64_t>(*signed_value));
        break;
    }
    error = text + " is out of range for " + std::string(type);
    return std::nullopt;
}

std::optional<Value> argument(const Json& j, char code, std::string& error)
{
    switch (code) {
    case 'i':
        return integer(j, code, false, error);
    case 'l':
    case 'u':
        return integer(j, code, true, error);
    case 'd':
        if (j.is_number())
            return Value(j.get<double>());
        error = "expected a number (f64), got " + std::string(kind_of(j));
        return std::nullopt;
    case 'b':
        if (j.is_boolean())
            return Value(j.get<bool>());
        error = "expected true or false (bool), got " + std::string(kind_of(j));
        return std::nullopt;
    case 's':
        if (j.is_string())
            return Value(j.get<std::string>());
        error = "expected a string, got " + std::string(kind_of(j));
        return std::nullopt;
    case 'y':
        if (j.is_string()) {
            if (auto bytes = base64_decode(j.get_ref<const std::string&>()))
                return Value(std::move(*bytes));
            error = "expected bytes as base64 with padding (RFC 4648), got a string that is not";
            return std::nullopt;
        }
        error = "expected bytes as a base64 string, got " + std::string(kind_of(j));
        return std::nullopt;
    default:
        error = "has a type hl cannot pass";
        return std::nullopt;
    }
}

std::string number_or_string(bool exact, const std::string& digits) { return exact ? digits : json_string(digits); }

} // namespace

std::optional<std::vector<Value>> arguments_from_json(const Export& e, std::string_view body, std::string& error)
{
    // No exceptions out of the parser: a bad body is an answer, not an error.
    const Json j = Json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded()) {
        error = "the body is not JSON; expected an array of " + std::to_string(e.parameters.size()) +
                " arguments for " + describe_export(e);
        return std::nullopt;
    }
    if (!j.is_array()) {
        error = "the body is " + std::string(kind_of(j)) + "; expected an array of the arguments for " +
                describe_export(e);
        return std::nullopt;
    }
    if (j.size() != e.parameters.size()) {
        error = argument_count_error(e, j.size());
        return std::nullopt;
    }
    std::vector<Value> values;
    for (size_t i = 0; i < j.size(); ++i) {
        std::string why;
        auto value = argument(j[i], e.parameters[i], why);
        if (!value) {
            error = e.name + ": argument " + std::to_string(i + 1) + ": " + why + " (" + describe_export(e) + ")";
            return std::nullopt;
        }
        values.push_back(std::move(*value));
    }
    return values;
}

std::string result_json(const Export& e, const Value& value)
{
    std::string text;
    if (e.result == 'v' || std::holds_alternative<std::monostate>(value)) {
        text = "null";
    } else if (const auto* i = std::get_if<int64_t>(&value)) {
        text = number_or_string(*i > -kExactInJson && *i < kExactInJson, std::to_string(*i));
    } else if (const auto* u = std::get_if<uint64_t>(&value)) {
        text = number_or_string(*u < static_cast<uint64_t>(kExactInJson), std::to_string(*u));
    } else if (const auto* d = std::get_if<double>(&value)) {
        text = std::isfinite(*d) ? Json(*d).dump() : "null";
    } else if (const auto* bytes = std::get_if<Bytes>(&value)) {
        text = json_string(base64_encode(*bytes));
    } else {
        text = format_value(value);   // i32, bool, and a string as a JSON string
    }
    return "{\"value\":" + text + "}";
}

std::string error_json(std::string_view ending, std::string_view message)
{
    return "{\"error\":{\"ending\":" + json_string(ending) + ",\"message\":" + json_string(message) + "}}";
}

} // namespace hl::cli
