// Parsing and printing of sizes and durations (see units.hpp).
#include <hl/units.hpp>

#include <charconv>
#include <cstdio>

namespace hl {
namespace {

// Splits "64Mi" into 64 and "Mi"; accepts decimal and 0x-prefixed hex.
std::optional<std::pair<uint64_t, std::string_view>> split_number(std::string_view text)
{
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc() || end == text.data())
        return std::nullopt;
    return std::pair{value, text.substr(static_cast<size_t>(end - text.data()))};
}

} // namespace

std::optional<uint64_t> parse_size(std::string_view text)
{
    const auto split = split_number(text);
    if (!split)
        return std::nullopt;
    const auto [value, suffix] = *split;
    unsigned shift = 0;
    if (suffix.empty() || suffix == "B")
        shift = 0;
    else if (suffix == "Ki" || suffix == "K" || suffix == "KiB")
        shift = 10;
    else if (suffix == "Mi" || suffix == "M" || suffix == "MiB")
        shift = 20;
    else if (suffix == "Gi" || suffix == "G" || suffix == "GiB")
        shift = 30;
    else
        return std::nullopt;
    if (shift && value > (UINT64_MAX >> shift))
        return std::nullopt;
    return value << shift;
}

std::string format_size(uint64_t bytes)
{
    static constexpr struct { unsigned shift; const char* suffix; } units[] = {
        {30, "Gi"}, {20, "Mi"}, {10, "Ki"}};
    for (const auto& u : units)
        if (bytes != 0 && bytes % (1ull << u.shift) == 0)
            return std::to_string(bytes >> u.shift) + u.suffix;
    return std::to_string(bytes);
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text)
{
    const auto split = split_number(text);
    if (!split || text.starts_with("0x") || text.starts_with("0X"))
        return std::nullopt;
    const auto [value, suffix] = *split;
    uint64_t ns_per_unit = 0;
    if (suffix == "ns")
        ns_per_unit = 1;
    else if (suffix == "us")
        ns_per_unit = 1'000;
    else if (suffix == "ms")
        ns_per_unit = 1'000'000;
    else if (suffix.empty() || suffix == "s")
        ns_per_unit = 1'000'000'000;
    else if (suffix == "m")
        ns_per_unit = 60'000'000'000;
    else if (suffix == "h")
        ns_per_unit = 3'600'000'000'000;
    else
        return std::nullopt;
    if (value > static_cast<uint64_t>(INT64_MAX) / ns_per_unit)
        return std::nullopt;
    return std::chrono::nanoseconds(static_cast<int64_t>(value * ns_per_unit));
}

std::string format_hex(uint64_t value)
{
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

std::string format_duration(std::chrono::nanoseconds duration)
{
    static constexpr struct { int64_t ns; const char* suffix; } units[] = {
        {3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"},
        {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}};
    const int64_t ns = duration.count();
    for (const auto& u : units)
        if (ns != 0 && ns % u.ns == 0)
            return std::to_string(ns / u.ns) + u.suffix;
    return "0s";
}

} // namespace hl
