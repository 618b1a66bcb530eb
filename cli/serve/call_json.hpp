// Typed calls over HTTP (hlrun serve, POST /v1/call/FUNC): the request body
// is a JSON array with one element per parameter of the export, converted
// by its type; the response is {"value": RESULT}. Pure.
//
//   i32, i64, u64   a JSON integer in the type's range; i64 and u64 also a
//                   string of one (JSON numbers past 2^53 lose precision in
//                   many clients, so hl writes an i64 or u64 result beyond
//                   that as a string too)
//   f64             a JSON number (a result that is not finite is null)
//   bool            true or false
//   string          a JSON string (UTF-8)
//   bytes           a string, base64 with padding (RFC 4648)
//   void result     null
#pragma once

#include <hl/image.hpp>
#include <hl/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hl::cli {

// The arguments in body for e; nullopt with one line in `error` (for a 400)
// when body is not JSON, not an array, has another count, or an element
// that is not a value of its parameter's type.
std::optional<std::vector<Value>> arguments_from_json(const Export& e, std::string_view body, std::string& error);

// {"value":...} for a value e returned, as above.
std::string result_json(const Export& e, const Value& value);

// {"error":{"ending":ENDING,"message":MESSAGE}}: how every failed call answers.
std::string error_json(std::string_view ending, std::string_view message);

} // namespace hl::cli
