// Host functions: C++ callables a guest can call by name (<hl/host.h> on the
// guest side). Their ABI signature is deduced from the C++ signature:
//   int32_t 'i', int64_t 'l', uint64_t 'u', double 'd', bool 'b',
//   std::string / std::string_view 's', hl::Bytes / std::span<const uint8_t> 'y',
//   void 'v' (result only).
// A callable that throws returns an error to the guest (HL_EHOST, with the
// exception's message); it never takes the host down.
#pragma once

#include <hl/version.hpp>

#include <hl/error.hpp>
#include <hl/value.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hl {

struct HostFunction {
    std::string name;
    char result = 'v';
    std::string parameters;
    std::function<Value(std::vector<Value>&)> invoke;   // args already checked against parameters
};

namespace host_detail {

template <typename T> struct Code;
template <> struct Code<int32_t> { static constexpr char value = 'i'; };
template <> struct Code<int64_t> { static constexpr char value = 'l'; };
template <> struct Code<uint64_t> { static constexpr char value = 'u'; };
template <> struct Code<double> { static constexpr char value = 'd'; };
template <> struct Code<bool> { static constexpr char value = 'b'; };
template <> struct Code<std::string> { static constexpr char value = 's'; };
template <> struct Code<std::string_view> { static constexpr char value = 's'; };
template <> struct Code<Bytes> { static constexpr char value = 'y'; };
template <> struct Code<std::span<const uint8_t>> { static constexpr char value = 'y'; };
template <> struct Code<void> { static constexpr char value = 'v'; };

// The Value alternative a parameter type is read from.
template <typename T> struct Stored { using type = T; };
template <> struct Stored<std::string_view> { using type = std::string; };
template <> struct Stored<std::span<const uint8_t>> { using type = Bytes; };

template <typename T>
T from_value(Value& value)
{
    return T(std::get<typename Stored<T>::type>(value));
}

template <typename R>
Value to_value(R&& result)
{
    using T = std::decay_t<R>;
    if constexpr (std::is_same_v<T, std::string_view>)
        return Value(std::string(result));
    else if constexpr (std::is_same_v<T, std::span<const uint8_t>>)
        return Value(Bytes(result.begin(), result.end()));
    else
        return Value(std::forward<R>(result));
}

template <typename F> struct Traits : Traits<decltype(&F::operator())> {};
template <typename R, typename... A> struct Traits<R (*)(A...)> {
    using Result = R;
    using Args = std::tuple<std::decay_t<A>...>;
};
template <typename C, typename R, typename... A> struct Traits<R (C::*)(A...) const> : Traits<R (*)(A...)> {};
template <typename C, typename R, typename... A> struct Traits<R (C::*)(A...)> : Traits<R (*)(A...)> {};

template <typename Args, size_t... I>
std::string parameter_codes(std::index_sequence<I...>)
{
    return std::string{Code<std::tuple_element_t<I, Args>>::value...};
}

} // namespace host_detail

// Wraps fn as a HostFunction; the signature check is at compile time (an
// unsupported parameter or result type does not compile).
template <typename F>
HostFunction make_host_function(std::string name, F fn)
{
    using T = host_detail::Traits<std::decay_t<F>>;
    using Args = typename T::Args;
    using R = std::decay_t<typename T::Result>;
    constexpr size_t count = std::tuple_size_v<Args>;
    HostFunction h;
    h.name = std::move(name);
    h.result = host_detail::Code<R>::value;
    h.parameters = host_detail::parameter_codes<Args>(std::make_index_sequence<count>{});
    h.invoke = [fn = std::move(fn)](std::vector<Value>& args) mutable -> Value {
        return [&]<size_t... I>(std::index_sequence<I...>) -> Value {
            if constexpr (std::is_void_v<R>) {
                fn(host_detail::from_value<std::tuple_element_t<I, Args>>(args[I])...);
                return Value();
            } else {
                return host_detail::to_value(fn(host_detail::from_value<std::tuple_element_t<I, Args>>(args[I])...));
            }
        }(std::make_index_sequence<count>{});
    };
    return h;
}

} // namespace hl
