// Values crossing the guest boundary: type codes, printing, parsing (see value.hpp).
#include <hl/value.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace hl {

char type_code(const Value& value)
{
    static constexpr char codes[] = {'v', 'i', 'l', 'u', 'd', 'b', 's', 'y'};
    return codes[value.index()];
}

namespace {

template <typename Integer>
std::optional<Value> parse_integer(std::string_view text, const char* type, std::string& error)
{
    int base = 10;
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
    }
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    // Parse the magnitude wide, then check the range of the target type.
    unsigned long long magnitude = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    // Digits past 64 bits are a number too, just out of range.
    const bool whole = (ec == std::errc() || ec == std::errc::result_out_of_range) &&
                       end == digits.data() + digits.size() && !digits.empty();
    using Limits = std::numeric_limits<Integer>;
    bool fits = whole && ec == std::errc();
    if (fits && negative)
        fits = Limits::is_signed && magnitude <= static_cast<unsigned long long>(Limits::max()) + 1ull;
    else if (fits)
        fits = magnitude <= static_cast<unsigned long long>(Limits::max());
    if (!fits) {
        error = "'" + std::string(text) + "' is not " + type + (whole ? " (out of range)" : "");
        return std::nullopt;
    }
    const Integer value = negative ? static_cast<Integer>(0 - magnitude) : static_cast<Integer>(magnitude);
    return Value(value);
}

} // namespace

std::string format_value(const Value& value)
{
    struct Printer {
        std::string operator()(std::monostate) const { return "void"; }
        std::string operator()(int32_t v) const { return std::to_string(v); }
        std::string operator()(int64_t v) const { return std::to_string(v); }
        std::string operator()(uint64_t v) const { return std::to_string(v); }
        std::string operator()(double v) const
        {
            char text[40];
            std::snprintf(text, sizeof text, "%.17g", v);
            return text;
        }
        std::string operator()(bool v) const { return v ? "true" : "false"; }
        std::string operator()(const std::string& v) const { return json_string(v); }
        std::string operator()(const Bytes& v) const
        {
            std::string text = "0x";
            char byte[3];
            for (const uint8_t b : v) {
                std::snprintf(byte, sizeof byte, "%02x", b);
                text += byte;
            }
            return text;
        }
    };
    return std::visit(Printer{}, value);
}

std::optional<Value> parse_value(char code, std::string_view text, std::string& error)
{
    switch (code) {
    case 'i': return parse_integer<int32_t>(text, "an i32", error);
    case 'l': return parse_integer<int64_t>(text, "an i64", error);
    case 'u': {
        if (!text.empty() && text[0] == '-') {
            error = "'" + std::string(text) + "' is not a u64 (negative)";
            return std::nullopt;
        }
        return parse_integer<uint64_t>(text, "a u64", error);
    }
    case 'd': {
        const std::string copy(text);
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(copy.c_str(), &end);
        if (copy.empty() || *end != '\0' || errno == ERANGE) {
            error = "'" + copy + "' is not an f64";
            return std::nullopt;
        }
        return Value(v);
    }
    case 'b':
        if (text == "true" || text == "1")
            return Value(true);
        if (text == "false" || text == "0")
            return Value(false);
        error = "'" + std::string(text) + "' is not a bool (true, false, 1 or 0)";
        return std::nullopt;
    case 's':
        return Value(std::string(text));
    case 'y': {
        std::string_view hex = text;
        if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
            hex.remove_prefix(2);
        Bytes bytes;
        bool ok = hex.size() % 2 == 0;
        for (size_t i = 0; ok && i < hex.size(); i += 2) {
            uint8_t b = 0;
            const auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, b, 16);
            ok = ec == std::errc() && end == hex.data() + i + 2;
            bytes.push_back(b);
        }
        if (!ok) {
            error = "'" + std::string(text) + "' is not bytes (hex digits in pairs, like 0x01ff)";
            return std::nullopt;
        }
        return Value(std::move(bytes));
    }
    default:
        error = std::string("unknown type '") + code + "'";
        return std::nullopt;
    }
}

} // namespace hl
