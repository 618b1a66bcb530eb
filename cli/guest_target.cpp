// The guest targets and hlbuild's words about them (see guest_target.hpp).
#include "guest_target.hpp"

#include <elf.h>

#include <sstream>

namespace hl::cli {

namespace {

constexpr TargetFacts kX86_64{"x86-64", "x86_64", "x86_64-linux-gnu-gcc", "CC_x86_64", "gcc-x86-64-linux-gnu",
                              "amd64", EM_X86_64, "EM_X86_64"};
constexpr TargetFacts kAarch64{"aarch64", "aarch64", "aarch64-linux-gnu-gcc", "CC_aarch64", "gcc-aarch64-linux-gnu",
                               "arm64", EM_AARCH64, "EM_AARCH64"};

// "ORIGIN: " before a message about an explicit choice; nothing for the default.
std::string from(const TargetChoice& choice)
{
    return choice.origin.empty() ? std::string() : choice.origin + ": ";
}

// What to do about the compiler: the variable that names it, and for
// another architecture's the package that brings the usual one.
std::string compiler_advice(Target target)
{
    const TargetFacts& f = facts(target);
    const std::string set = std::string("set ") + (target == host_target() ? "CC" : f.compiler_variable) +
                            " to a gcc or clang for " + f.name;
    return target == host_target() ? set : std::string("install ") + f.package + ", or " + set;
}

} // namespace

const TargetFacts& facts(Target target)
{
    return target == Target::Aarch64 ? kAarch64 : kX86_64;
}

Target host_target()
{
    // The one place hlbuild asks which machine it was compiled for.
#if defined(__aarch64__)
    return Target::Aarch64;
#else
    return Target::X86_64;
#endif
}

std::optional<Target> parse_target(std::string_view name)
{
    for (const Target target : {Target::X86_64, Target::Aarch64})
        if (name == facts(target).name)
            return target;
    return std::nullopt;
}

std::vector<std::string> target_names()
{
    return {kX86_64.name, kAarch64.name};
}

std::vector<std::string> target_compiler(Target target, const char* (*env)(const char*))
{
    const bool host = target == host_target();
    const char* given = env(host ? "CC" : facts(target).compiler_variable);
    std::vector<std::string> words;
    std::istringstream stream(given ? given : "");
    for (std::string word; stream >> word;)
        words.push_back(word);
    if (words.empty())   // unset or blank
        words.push_back(host ? "cc" : facts(target).cross_compiler);
    return words;
}

bool compiles_for(Target target, std::string_view machine)
{
    const std::string_view arch = facts(target).gnu_arch;
    return machine.starts_with(arch) && (machine.size() == arch.size() || machine[arch.size()] == '-');
}

std::string compiler_missing_message(const TargetChoice& choice, const std::string& compiler, const std::string& why)
{
    return from(choice) + "cannot run the guest compiler '" + compiler + "': " + why + " (" +
           compiler_advice(choice.target) + ")";
}

std::string compiler_mismatch_message(const TargetChoice& choice, const std::string& compiler,
                                      const std::string& machine)
{
    return from(choice) + "the guest compiler '" + compiler + "' compiles for " + machine + ", not " +
           facts(choice.target).name + " (" + compiler_advice(choice.target) + ")";
}

std::string runtime_missing_message(const TargetChoice& choice, const std::string& missing)
{
    const TargetFacts& f = facts(choice.target);
    return from(choice) + "this hl was built without the " + f.name + " guest runtime (" + missing +
           " is missing); install " + f.package + ", then build hl again";
}

std::string musl_target_message(const std::string& project_file, Target target, const std::string& missing)
{
    const TargetFacts& f = facts(target);
    return project_file + ": image.libc = \"musl\": this hl was built without musl for " + f.name + " (" + missing +
           " is missing); install musl-dev:" + f.debian_arch + ", then build hl again, or use libc = \"tiny\"";
}

} // namespace hl::cli
