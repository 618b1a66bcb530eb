// Folded stacks from a Profile (see hl/profile.hpp).
#include <hl/profile.hpp>

#include <hl/error.hpp>
#include <hl/image.hpp>
#include <hl/sandbox.hpp>

#include "arch.hpp"

#include <cstdio>

namespace hl {

void check_profile_options(const SandboxOptions& options)
{
    if (!options.profile)
        return;
    if (options.profile_hz == 0 || options.profile_hz > kMaxProfileHz)
        throw OptionError("profile_hz: " + std::to_string(options.profile_hz) + " is not a rate from 1 to " +
                          std::to_string(kMaxProfileHz) + " samples a second");
    if (options.trace)
        throw OptionError("profile and trace cannot be used together yet: the profiler's interrupts would "
                          "split the traced exits");
    if (options.gdb)
        throw OptionError("profile and gdb cannot be used together: the profiler's interrupts would stop the "
                          "debugged guest");
}

std::string Profile::folded(const std::function<std::string(uint64_t address, uint64_t word)>& name_of) const
{
    // Distinct address stacks may name the same functions (two call sites
    // in one caller): their counts add up under one line.
    std::map<std::string, uint64_t> lines;
    for (const auto& [stack, count] : stacks_) {
        std::string line;
        for (size_t i = stack.size(); i-- > 0;) {
            // A return address is just past its call: the call is the byte before.
            line += name_of(i == 0 ? stack[i] : stack[i] - 1, stack[i]);
            if (i)
                line += ';';
        }
        lines[line] += count;
    }
    std::string out;
    for (const auto& [line, count] : lines)
        out += line + " " + std::to_string(count) + "\n";
    return out;
}

std::string Profile::folded(const Image& image) const
{
    return folded([&image](uint64_t address, uint64_t word) {
        std::string name = arch::system_symbol(address).value_or(image.symbolize(address).value_or(""));
        if (const size_t plus = name.find('+'); plus != std::string::npos)
            name.resize(plus);
        if (name.empty()) {
            char hex[24];
            std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(word));   // as on the stack
            name = hex;
        }
        // The format's separators, and line ends, may not appear in a name.
        for (char& c : name)
            if (c == ';' || c == ' ' || static_cast<unsigned char>(c) < 0x20)
                c = '_';
        return name;
    });
}

} // namespace hl
