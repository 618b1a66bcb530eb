// hlrun: validate, load and run one guest image in a fresh micro-VM.
//   hlrun [OPTIONS] IMAGE [ARGS...]
// Everything after IMAGE belongs to the guest. Exit statuses: hlrun_exit_codes.hpp.
#include "command_line.hpp"
#include "hlrun_exit_codes.hpp"
#include "logging.hpp"

#include <hl/image.hpp>
#include <hl/sandbox.hpp>
#include <hl/units.hpp>

#include <CLI/CLI.hpp>

#include <cinttypes>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace hl::cli;

struct Options {
    std::string memory = "16Mi";
    std::string timeout;
    // Where each value came from, so an error names what the user must fix.
    std::string memory_from = "--memory";
    std::string timeout_from = "--timeout";
    bool trace = false;
    bool verbose = false;
    std::vector<std::string> guest_argv; // IMAGE ARGS...
};

// Environment (HL_MEMORY, HL_TIMEOUT) sits between flags and defaults.
void apply_environment(Options& options)
{
    if (const char* value = std::getenv("HL_MEMORY")) {
        options.memory = value;
        options.memory_from = "HL_MEMORY";
    }
    if (const char* value = std::getenv("HL_TIMEOUT")) {
        options.timeout = value;
        options.timeout_from = "HL_TIMEOUT";
    }
}

// Turns flag text into SandboxOptions; nullopt after logging the bad value.
std::optional<hl::SandboxOptions> sandbox_options(const Options& options)
{
    hl::SandboxOptions out;
    const auto memory = hl::parse_size(options.memory);
    if (!memory) {
        spdlog::error("{}: '{}' is not a size, expected a number with an optional unit like 64Mi or 512Ki",
                      options.memory_from, options.memory);
        return std::nullopt;
    }
    out.memory_size = *memory;
    if (!options.timeout.empty()) {
        const auto timeout = hl::parse_duration(options.timeout);
        if (!timeout || timeout->count() == 0) {
            spdlog::error("{}: '{}' is not a duration, expected a positive number with a unit like 500ms, 5s or 2m",
                          options.timeout_from, options.timeout);
            return std::nullopt;
        }
        out.timeout = *timeout;
    }
    return out;
}

void report(const hl::RunResult& result)
{
    if (result.ending == hl::RunResult::Ending::Exited)
        return;
    spdlog::error("{}", result.message);
    if (result.fault) {
        std::string dump;
        for (const auto& [name, value] : result.fault->registers)
            dump += fmt::format("{}={:#x} ", name, value);
        spdlog::debug("registers: {}", dump);
    }
}

int run(const Options& options)
{
    auto sandbox_opts = sandbox_options(options);
    if (!sandbox_opts)
        return kExitUsage;
    hl::TextTraceSink trace(stderr);
    if (options.trace)
        sandbox_opts->trace = &trace;
    try {
        hl::Image image = hl::Image::load(options.guest_argv.front());
        hl::Sandbox sandbox(std::move(image), std::move(*sandbox_opts));
        const hl::RunResult result = sandbox.run(options.guest_argv);
        std::fflush(stdout);
        report(result);
        return exit_code_for(result);
    } catch (const hl::ImageError& error) {
        spdlog::error("{}", error.what());
        return error.kind() == hl::ImageError::Kind::Unreadable ? kExitImageUnreadable : kExitImageInvalid;
    } catch (const hl::LayoutError& error) {
        spdlog::error("{}", error.what());
        return kExitUsage;
    } catch (const hl::Error& error) {
        spdlog::error("{}", error.what());
        return kExitHostError;
    } catch (const std::exception& error) {
        // Last resort (out of memory and the like): still one line.
        spdlog::error("internal error: {}", error.what());
        return kExitHostError;
    }
}

} // namespace

int main(int argc, char** argv)
{
    init_logging("hlrun");
    Options options;
    apply_environment(options);

    CLI::App app{"Run a guest image in a fresh micro-VM (see hlrun(1))", "hlrun"};
    app.set_version_flag("--version", std::string("hlrun ") + HL_VERSION);
    // IMAGE and everything after it go to the guest untouched, dashes included.
    app.prefix_command();
    app.add_option("--memory,-m", options.memory, "Guest memory size, e.g. 16Mi (env HL_MEMORY)");
    app.add_option("--timeout,-t", options.timeout, "Stop the guest after this long, e.g. 5s (env HL_TIMEOUT)");
    app.add_flag("--trace", options.trace, "Print one line per VM exit on stderr");
    app.add_flag("--verbose,-v", options.verbose, "Also print the registers of a faulting guest");
    app.footer("IMAGE [ARGS...]  the guest image, then its arguments (argv[0] is IMAGE)");
    if (const auto status = parse_command_line(app, argc, argv, kExitUsage))
        return *status;
    if (app.count("--memory"))
        options.memory_from = "--memory";
    if (app.count("--timeout"))
        options.timeout_from = "--timeout";
    options.guest_argv = app.remaining();
    // CLI11 hands an unknown option to the prefix command too: reject it
    // here, unless `--` said that what follows is IMAGE, whatever its name.
    if (!options.guest_argv.empty() && options.guest_argv.front() == "--")
        options.guest_argv.erase(options.guest_argv.begin());
    else if (!options.guest_argv.empty() && options.guest_argv.front().size() > 1 &&
             options.guest_argv.front()[0] == '-') {
        spdlog::error("unknown option '{}'; see hlrun --help (use -- before an IMAGE whose name starts with '-')",
                      options.guest_argv.front());
        return kExitUsage;
    }
    if (options.guest_argv.empty()) {
        spdlog::error("missing IMAGE; usage: hlrun [OPTIONS] IMAGE [ARGS...]");
        return kExitUsage;
    }
    if (options.verbose)
        spdlog::set_level(spdlog::level::debug);
    return run(options);
}
