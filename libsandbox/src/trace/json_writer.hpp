// A minimal JSON writer for the trace sinks: appends to a std::string, so a
// whole record goes out with one write. Only what the sinks need.
#pragma once

#include <hl/text.hpp>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace hl::json {

// Valid UTF-8 JSON whatever the bytes (append_json_string, text.hpp).
inline void string(std::string& out, std::string_view text) { append_json_string(out, text); }

inline void number(std::string& out, uint64_t value) { out += std::to_string(value); }
inline void number(std::string& out, int64_t value) { out += std::to_string(value); }
inline void number(std::string& out, int value) { out += std::to_string(value); }
inline void number(std::string& out, double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", value);
    out += text;
}

// "key": with the separating comma when needed.
inline void key(std::string& out, std::string_view name, bool& first)
{
    if (!first)
        out += ',';
    first = false;
    string(out, name);
    out += ':';
}

// "key":value with the separating comma; strings are escaped, integers and
// doubles printed as numbers.
inline void field(std::string& out, std::string_view name, std::string_view value, bool& first)
{
    key(out, name, first);
    string(out, value);
}
inline void field(std::string& out, std::string_view name, const char* value, bool& first)
{
    field(out, name, std::string_view(value), first);
}
inline void field(std::string& out, std::string_view name, const std::string& value, bool& first)
{
    field(out, name, std::string_view(value), first);
}
template <typename Number>
inline void field(std::string& out, std::string_view name, Number value, bool& first)
{
    key(out, name, first);
    number(out, value);
}
// "key":null
inline void null_field(std::string& out, std::string_view name, bool& first)
{
    key(out, name, first);
    out += "null";
}

} // namespace hl::json
