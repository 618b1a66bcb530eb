// hl::Value: one argument or result crossing the guest boundary, typed as the
// ABI's characters say (<hl/abi.h>): i32 i64 u64 f64 bool string bytes, or
// nothing (void).
#pragma once

#include <hl/version.hpp>

#include <hl/text.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hl {

using Bytes = std::vector<uint8_t>;
using Value = std::variant<std::monostate, int32_t, int64_t, uint64_t, double, bool, std::string, Bytes>;

// The ABI character of the type a Value holds ('v' for monostate).
char type_code(const Value& value);

// "42", "-1.5", "true", "\"text\"" (json_string, text.hpp), "0x0102ff" for bytes, "void".
std::string format_value(const Value& value);

// Parses text as a value of ABI type code (as on a command line: 42, -7,
// 0x10, 1.5, true/false, any text for string, hex for bytes). nullopt with
// why in `error` when the text is not such a value.
std::optional<Value> parse_value(char code, std::string_view text, std::string& error);

} // namespace hl
