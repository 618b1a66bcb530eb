// Confinement tests run in a forked child, because a seccomp filter cannot be
// lifted: the child's status and stderr are what the test reads.
#pragma once

#include <hl/confine.hpp>
#include <hl/sandbox.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hl::test {

struct ChildResult {
    int status = -1;   // exit status, or 128 + signal
    std::string err;   // what it wrote on fd 2
};

// Runs body in a forked child with fd 2 captured; the child ends with body's
// return value (or 99 after an exception, said on fd 2).
ChildResult in_child(const std::function<int()>& body);

inline constexpr int kViolation = 77;

// Report violations as program "seccomp-test", exit status kViolation.
ConfinePolicy test_policy(std::vector<std::string> extra = {});
// The line a Report policy writes when it stops call.
std::string stopped(const std::string& call);

// Failures inside a child, said on fd 2 for the parent to show.
struct ChildChecks {
    int failures = 0;
    void expect(bool ok, const std::string& what);
};

// The functions test guest, initialised, its output discarded unless options say otherwise.
std::unique_ptr<Sandbox> ready_functions_guest(SandboxOptions options = {});

} // namespace hl::test
