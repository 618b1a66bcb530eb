// hl::Profile: where a guest spends its time, sampled from the host (hlrun
// --profile). While a sandbox whose SandboxOptions::profile is set runs, a
// timer interrupts KVM_RUN profile_hz times a second (wall time, while a run,
// initialisation or call goes on; the time in a host function counts at the
// guest's call of it, and the timer's signal never interrupts the function's
// own system calls); each interrupt reads the guest's RIP and walks its frame pointers
// through guest memory (guest images keep them: hlbuild compiles with
// -fno-omit-frame-pointer), and counts the stack. It needs no perf and no
// privilege, and the interrupts are not the guest's exits: they do not count
// against max_exits and are not traced. Samples accumulate across runs and
// calls until clear().
//
// The profiler's signal is SIGRTMIN+3, hl's for the process once a profiled
// sandbox is built (its handler replaces any other). It is blocked on the
// sampled thread while a run goes on, and only let through inside KVM_RUN:
// a process that a host function starts inherits that mask, so it should
// unblock SIGRTMIN+3 if it relies on it. Not with SandboxOptions::gdb. A Profile is not thread-safe: give each thread's
// sandboxes their own, and merge them (stacks()) if need be.
#pragma once

#include <hl/version.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

class Image;
struct SandboxOptions;

// SandboxOptions::profile_hz's range: a sample costs about an exit, so far
// more would mostly measure the profiler.
inline constexpr unsigned kMaxProfileHz = 10000;

// Throws OptionError for a profile_hz out of 1..kMaxProfileHz, or a profile
// asked for together with a trace sink (the samples would cut the trace's
// exits short; not supported yet). Sandboxes check it when they are built.
void check_profile_options(const SandboxOptions& options);

class Profile {
public:
    // A stack, the sampled RIP first, then the return addresses of its callers.
    using Stack = std::vector<uint64_t>;

    // `count` samples of one stack: the ticks of one interruption.
    void add(const Stack& stack, uint64_t count = 1)
    {
        stacks_[stack] += count;
        samples_ += count;
    }
    void clear() { stacks_.clear(); samples_ = 0; }
    uint64_t samples() const { return samples_; }
    const std::map<Stack, uint64_t>& stacks() const { return stacks_; }

    // Folded stacks, the input of flamegraph.pl and speedscope: a line per
    // distinct stack of function names, outermost first, and its count:
    //   main;work;hot 240
    // name_of names a frame by `address`: the sampled RIP, or for a return
    // address the byte before it, inside its call (`word` is the address as
    // it was on the stack). The Image overload names functions by the
    // image's symbols, and what none covers by the word itself (0x4010ab).
    std::string folded(const std::function<std::string(uint64_t address, uint64_t word)>& name_of) const;
    std::string folded(const Image& image) const;

private:
    std::map<Stack, uint64_t> stacks_;
    uint64_t samples_ = 0;
};

// A flame graph of folded stacks (Profile::folded's text, or other folded
// stacks whose count follows the last space and is a whole number) as a
// self-contained SVG that browsers show: a frame a function, as wide as its
// share of the samples, its callees above it, and its name, count and share
// in its tooltip. Frames too narrow to be seen are left out; names pass
// through printable() (hl/text.hpp). Throws hl::Error naming the first line
// that is not `frame;frame;... count` and why, one whose stack is deeper
// than 4096 frames, or the one that brings the distinct frames past 200,000.
std::string flame_graph_svg(std::string_view folded, std::string_view title);

} // namespace hl
