// The functions test guest, initialised, its output collected: the fixture of
// functions_test.cpp and functions_lifecycle_test.cpp.
#pragma once

#include "process.hpp"

#include <hl/sandbox.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hl::test {

// Calls name(args) on sandbox, which must return; its value.
inline Value must_return(Sandbox& sandbox, std::string_view name, const std::vector<Value>& args = {})
{
    const RunResult r = sandbox.call(name, args);
    INFO(name << ": " << r.message);
    REQUIRE(r.ending == RunResult::Ending::Returned);
    return r.value;
}

struct Guest {
    std::string out;
    Sandbox sandbox;

    explicit Guest(SandboxOptions options = {})
        : sandbox(Image::load(test::guest_image("functions")), with_output(std::move(options), out))
    {
        const RunResult init = sandbox.initialize();
        REQUIRE(init.ending == RunResult::Ending::Ready);
    }

    static SandboxOptions with_output(SandboxOptions options, std::string& out)
    {
        options.output = [&out](int, std::span<const uint8_t> bytes) -> int64_t {
            out.append(bytes.begin(), bytes.end());
            return static_cast<int64_t>(bytes.size());
        };
        return options;
    }

    Value call(std::string_view name, const std::vector<Value>& args) { return must_return(sandbox, name, args); }
};

} // namespace hl::test
