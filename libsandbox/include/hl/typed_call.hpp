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
// (a char, long double, __int128, nullptr, a pointer that is not text) do
// not compile.
//
// R is what the export returns, or wider (int64_t for an i32 result), any
// integer type of that size and signedness (long long as int64_t):
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
#include <cstddef>
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

// An ABI integer: at most 64 bits (not __int128), no bool, no character type.
template <typename U>
concept AbiInteger = std::integral<U> && sizeof(U) <= 8 && !std::same_as<U, bool> && !std::same_as<U, char> &&
                     !std::same_as<U, signed char> && !std::same_as<U, unsigned char> && !std::same_as<U, char8_t> &&
                     !std::same_as<U, char16_t> && !std::same_as<U, char32_t> && !std::same_as<U, wchar_t>;

// Types an argument may have.
template <typename T>
concept Argument = std::same_as<std::remove_cvref_t<T>, Value> || std::same_as<std::remove_cvref_t<T>, bool> ||
                   AbiInteger<std::remove_cvref_t<T>> || std::same_as<std::remove_cvref_t<T>, float> ||
                   std::same_as<std::remove_cvref_t<T>, double> ||
                   (std::convertible_to<const T&, std::string_view> &&
                    !std::same_as<std::remove_cvref_t<T>, std::nullptr_t>) ||
                   std::convertible_to<const T&, std::span<const uint8_t>>;

// An argument as the Value closest to its C++ type: any signed integer as
// int64_t, unsigned as uint64_t, float and double as double, text as
// std::string. A null const char* is an ArgumentError (text there is none).
template <typename T>
Value literal(const T& value)
{
    using U = std::remove_cvref_t<T>;
    static_assert(Argument<T>, "hl::Sandbox::call: an argument type with no ABI counterpart: pass integers of up to 64 "
                               "bits, float or double (not long double), bool, text, hl::Bytes or hl::Value");
    if constexpr (std::same_as<U, Value> || std::same_as<U, bool>)
        return value;
    else if constexpr (AbiInteger<U> && std::signed_integral<U>)
        return static_cast<int64_t>(value);
    else if constexpr (AbiInteger<U>)
        return static_cast<uint64_t>(value);
    else if constexpr (std::same_as<U, float> || std::same_as<U, double>)
        return static_cast<double>(value);
    else if constexpr (std::convertible_to<const T&, std::string_view>) {
        if constexpr (std::is_pointer_v<U>)
            if (value == nullptr)
                throw ArgumentError("hl::Sandbox::call: a null pointer is no text");
        return std::string(std::string_view(value));
    } else if constexpr (std::same_as<U, Bytes>)
        return value;
    else {
        const std::span<const uint8_t> bytes = value;
        return Bytes(bytes.begin(), bytes.end());
    }
}

// literal as parameter `index` of e; throws ArgumentError when it cannot be
// one without loss ("add: argument 1 is -1, out of range for u64 (...)").
Value convert(const Export& e, size_t index, const Value& literal);

// The result types R may be, after const and volatile: integers of up to 64
// bits (by size and signedness), double, bool, std::string, hl::Bytes,
// hl::Value, void.
template <typename R>
concept Result = std::same_as<R, void> || std::same_as<R, Value> || AbiInteger<R> || std::same_as<R, double> ||
                 std::same_as<R, bool> || std::same_as<R, std::string> || std::same_as<R, Bytes>;

// The ABI type codes of the results an R can hold; empty: any.
template <typename R>
constexpr std::string_view result_codes()
{
    if constexpr (std::same_as<R, void> || std::same_as<R, Value>)
        return "";
    else if constexpr (AbiInteger<R> && std::signed_integral<R>)
        return sizeof(R) == 8 ? "il" : sizeof(R) == 4 ? "i" : "-";   // narrower: none fits by type
    else if constexpr (AbiInteger<R>)
        return sizeof(R) == 8 ? "u" : "-";
    else if constexpr (std::same_as<R, double>)
        return "d";
    else if constexpr (std::same_as<R, bool>)
        return "b";
    else if constexpr (std::same_as<R, std::string>)
        return "s";
    else
        return "y";
}

// Throws CallError unless e's result fits in a C++ `cpp_name` (codes: result_codes).
void check_result(const Export& e, std::string_view codes, const char* cpp_name);

template <typename R>
const char* cpp_name()
{
    if constexpr (AbiInteger<R>)
        return std::signed_integral<R> ? (sizeof(R) == 8 ? "int64_t" : sizeof(R) == 4 ? "int32_t" : "narrow integer")
                                       : (sizeof(R) == 8 ? "uint64_t" : "narrow unsigned integer");
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
    else if constexpr (AbiInteger<R> && std::signed_integral<R>)
        return std::holds_alternative<int32_t>(value) ? static_cast<R>(std::get<int32_t>(value))
                                                      : static_cast<R>(std::get<int64_t>(value));
    else if constexpr (AbiInteger<R>)
        return static_cast<R>(std::get<uint64_t>(value));
    else
        return std::get<R>(std::move(value));
}

} // namespace typed_call
} // namespace hl
