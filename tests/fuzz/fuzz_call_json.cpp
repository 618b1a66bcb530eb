// libFuzzer target: bytes as the body of hlrun serve's POST /v1/call/FUNC,
// the input any client on the network controls, through arguments_from_json
// (cli/serve/call_json.hpp). The first byte picks the export's signature;
// the rest is the body. Any body gets one value of each parameter's type or
// one line saying why not; each value written as a result reads back as an
// equal argument, and the base64 of bytes round-trips. An exception, a crash, a sanitizer report or a broken
// contract is a finding.
#include "serve/base64.hpp"
#include "serve/call_json.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_call_json: %s\n", what.c_str());
    std::abort();
}

// Every parameter type, alone and together.
constexpr const char* kSignatures[] = {"", "i", "l", "u", "d", "b", "s", "y", "ll", "iludbsy", "yy", "sd"};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    hl::Export e;
    e.name = "f";
    e.result = 'y';
    e.parameters = kSignatures[data[0] % (sizeof kSignatures / sizeof kSignatures[0])];
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string error;
    const auto values = hl::cli::arguments_from_json(e, body, error);
    if (!values) {
        if (error.empty() || error.find('\n') != std::string::npos)
            finding("a refusal that is not one line: '" + error + "'");
        return 0;
    }
    if (!error.empty())
        finding("values and an error: " + error);
    if (values->size() != e.parameters.size())
        finding("another number of values than parameters");
    for (size_t i = 0; i < values->size(); ++i) {
        const hl::Value& v = (*values)[i];
        if (hl::type_code(v) != e.parameters[i])
            finding("argument " + std::to_string(i + 1) + " is not of its parameter's type");
        // A result of this value reads back as an argument of its type, equal.
        hl::Export returns = e;
        returns.result = e.parameters[i];
        returns.parameters = std::string(1, e.parameters[i]);
        const std::string json = hl::cli::result_json(returns, v);
        if (json.rfind("{\"value\":", 0) != 0 || json.back() != '}')
            finding("a result that is not {\"value\":...}: " + json);
        const std::string again = "[" + json.substr(9, json.size() - 10) + "]";
        std::string why;
        const auto back = hl::cli::arguments_from_json(returns, again, why);
        if (!back || (*back)[0] != v)
            finding("a result that does not read back as the same argument: " + again + " " + why);
        if (const auto* bytes = std::get_if<hl::Bytes>(&v))
            if (hl::cli::base64_decode(hl::cli::base64_encode(*bytes)) != *bytes)
                finding("bytes that do not survive base64");
    }
    return 0;
}
