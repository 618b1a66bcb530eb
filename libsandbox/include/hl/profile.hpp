// hl::Profile: where a guest spends its time, sampled from the host (hlrun
// --profile). While a sandbox whose SandboxOptions::profile is set runs, a
// timer interrupts KVM_RUN profile_hz times a second (wall time, while a run,
// initialisation or call goes on; a host function's blocking system calls may
// then return EINTR); each interrupt reads the guest's RIP and walks its frame pointers
// through guest memory (guest images keep them: hlbuild compiles with
// -fno-omit-frame-pointer), and counts the stack. It needs no perf and no
// privilege, and the interrupts are not the guest's exits: they do not count
// against max_exits and are not traced. Samples accumulate across runs and
// calls until clear().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hl {

class Image;

class Profile {
public:
    // A stack, the sampled RIP first, then the return addresses of its callers.
    using Stack = std::vector<uint64_t>;

    void add(const Stack& stack) { ++stacks_[stack]; ++samples_; }
    void clear() { stacks_.clear(); samples_ = 0; }
    uint64_t samples() const { return samples_; }
    const std::map<Stack, uint64_t>& stacks() const { return stacks_; }

    // Folded stacks, the input of flamegraph.pl and speedscope: a line per
    // distinct stack of function names, outermost first, and its count:
    //   main;work;hot 240
    // name_of names an address (a return address is named by the byte
    // before it, inside its call); the Image overload names functions by the
    // image's symbols, and what none covers by its address (0x4010ab).
    std::string folded(const std::function<std::string(uint64_t address)>& name_of) const;
    std::string folded(const Image& image) const;

private:
    std::map<Stack, uint64_t> stacks_;
    uint64_t samples_ = 0;
};

} // namespace hl
