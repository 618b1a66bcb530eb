// What Sandbox::call<R>(name, args...) rests on: C++ arguments turned into
// the values an export's parameters take, and its result into R.
//
//   int64_t sum = sandbox.call<int64_t>("add", 2, 40);     // i64 add(i64, i64)
//   std::string s = sandbox.call<std::string>("greet", "world");
//
// An argument becomes its parameter's type when no value is lost: any
// integer for i32, i64 or u64 when it is in range, and for f64 when the
// double holds it exactly; a double only for f64; bool only for bool; text
// (std::string, std::string_view, const char*) for string; hl::Bytes for
// bytes; an hl::Value by the same rules. Anything else throws ArgumentError
// naming the argument, before the guest runs. Types with no ABI counterpart
// do not compile.
//
// R is what the export returns, or wider (int64_t for an i32 result):
// i32 for int32_t or int64_t, i64 for int64_t, u64 for
// uint64_t, f64 for double, bool, string for std::string, bytes for
// hl::Bytes; hl::Value takes any result, void discards it. Another R throws
// CallError before the guest runs. A call that does not return throws
// CallFailed, which holds its RunResult.
#pragma once

#include <hl/version.hpp>

#include <hl/error.hpp>
#include <hl/image.hpp>
#include <hl/run_result.hpp>
#include <hl/value.hpp>

#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hl {

// A typed call whose guest did not return (a fault, an abort, a timeout...):
// what() is the result's message, result() the whole of it.
class CallFailed : public Error {
public:
    explicit CallFailed(RunResult result) : Error(result.message), result_(std::move(result)) {}
    const RunResult& result() const { return result_; }

private:
    RunResult result_;
};

namespace typed_call {

// An argument as the Value closest to its C++ type: any signed integer as
// int64_t, unsigned as uint64_t, floating as double, text as std::string.
template <typename T>
Value literal(const T& value)
{
    using U = std::remove_cvref_t<T>;
    if constexpr (std::same_as<U, Value>)
        return value;
    else if constexpr (std::same_as<U, bool>)
        return value;
    else if constexpr (std::same_as<U, char> || std::same_as<U, char8_t> || std::same_as<U, char16_t> ||
                       std::same_as<U, char32_t> || std::same_as<U, wchar_t>)
        static_assert(!std::same_as<U, U>, "hl::Sandbox::call: a character is no ABI type; pass a string or an integer");
    else if constexpr (std::signed_integral<U>)
        return static_cast<int64_t>(value);
    else if constexpr (std::unsigned_integral<U>)
        return static_cast<uint64_t>(value);
    else if constexpr (std::floating_point<U>)
        return static_cast<double>(value);
    else if constexpr (std::convertible_to<const T&, std::string_view>)
        return std::string(std::string_view(value));
    else if constexpr (std::same_as<U, Bytes>)
        return value;
    else if constexpr (std::convertible_to<const T&, std::span<const uint8_t>>) {
        const std::span<const uint8_t> bytes = value;
        return Bytes(bytes.begin(), bytes.end());
    } else
        static_assert(!std::same_as<U, U>,
                      "hl::Sandbox::call: an argument type with no ABI counterpart (integers, double, bool, text, "
                      "hl::Bytes, hl::Value)");
}

// literal as parameter `index` of e; throws ArgumentError when it cannot be
// one without loss ("add: argument 1 is -1, out of range for u64 (...)").
Value convert(const Export& e, size_t index, const Value& literal);

// The ABI type codes of the results an R can hold; empty: any.
template <typename R>
constexpr std::string_view result_codes()
{
    if constexpr (std::same_as<R, void> || std::same_as<R, Value>)
        return "";
    else if constexpr (std::same_as<R, int32_t>)
        return "i";
    else if constexpr (std::same_as<R, int64_t>)
        return "il";
    else if constexpr (std::same_as<R, uint64_t>)
        return "u";
    else if constexpr (std::same_as<R, double>)
        return "d";
    else if constexpr (std::same_as<R, bool>)
        return "b";
    else if constexpr (std::same_as<R, std::string>)
        return "s";
    else if constexpr (std::same_as<R, Bytes>)
        return "y";
    else
        static_assert(!std::same_as<R, R>,
                      "hl::Sandbox::call<R>: R is int32_t, int64_t, uint64_t, double, bool, std::string, hl::Bytes, "
                      "hl::Value or void");
}

// Throws CallError unless e's result fits in a C++ `cpp_name` (codes: result_codes).
void check_result(const Export& e, std::string_view codes, const char* cpp_name);

template <typename R>
const char* cpp_name()
{
    if constexpr (std::same_as<R, int32_t>) return "int32_t";
    else if constexpr (std::same_as<R, int64_t>) return "int64_t";
    else if constexpr (std::same_as<R, uint64_t>) return "uint64_t";
    else if constexpr (std::same_as<R, double>) return "double";
    else if constexpr (std::same_as<R, bool>) return "bool";
    else if constexpr (std::same_as<R, std::string>) return "std::string";
    else if constexpr (std::same_as<R, Bytes>) return "hl::Bytes";
    else return "hl::Value";
}

// A returned value as R (check_result said it fits).
template <typename R>
R result_as(Value&& value)
{
    if constexpr (std::same_as<R, void>)
        return;
    else if constexpr (std::same_as<R, Value>)
        return std::move(value);
    else if constexpr (std::same_as<R, int64_t>)
        return std::holds_alternative<int32_t>(value) ? int64_t{std::get<int32_t>(value)} : std::get<int64_t>(value);
    else
        return std::get<R>(std::move(value));
}

} // namespace typed_call
} // namespace hl
