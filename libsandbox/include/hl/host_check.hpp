// hl::check_host: whether hl can run on this machine, and what it will get
// (hlrun doctor). Each check is one line: what was looked at, what was
// found and, when something is wrong, how to put it right.
#pragma once

#include <hl/version.hpp>

#include <string>
#include <vector>

namespace hl {

struct HostCheck {
    enum class Level { Ok, Warn, Fail };   // Fail: hl cannot run guests here as it stands
    Level level = Level::Ok;
    std::string name;     // "kvm-device", "kvm-api", "kvm-capabilities", "hypervisor", "guest-cpu",
                          // "trace-all", "seccomp", "open-files"
    std::string detail;   // one line
};

// Looks at /dev/kvm (opening it), KVM's API version and capabilities, the
// KVM module, the CPU features guests will get, whether --trace=all's perf
// events may be opened, seccomp, and the open-file limit. Never throws.
std::vector<HostCheck> check_host();

const char* level_name(HostCheck::Level level);   // "ok", "warn", "fail"

} // namespace hl
