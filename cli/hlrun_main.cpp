// hlrun: validate, load and run one guest image in a fresh micro-VM.
//   hlrun [OPTIONS] IMAGE [ARGS...]
// Everything after IMAGE belongs to the guest. Exit statuses: hlrun_exit_codes.hpp.
#include "command_line.hpp"
#include "hlrun_exit_codes.hpp"
#include "hlrun_options.hpp"
#include "hlrun_trace.hpp"
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

// Turns flag text into SandboxOptions; nullopt after logging the bad value.
std::optional<hl::SandboxOptions> sandbox_options(const HlrunOptions& options)
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

int run(const HlrunOptions& options)
{
    auto sandbox_opts = sandbox_options(options);
    if (!sandbox_opts)
        return kExitUsage;
    HlrunTrace trace;
    if (const std::string error = trace.configure(options, options.guest_argv.front()); !error.empty()) {
        spdlog::error("{}", error);
        return kExitUsage;
    }
    sandbox_opts->trace = trace.sink();
    sandbox_opts->kernel_trace = trace.kernel_trace();
    try {
        hl::Image image = hl::Image::load(options.guest_argv.front());
        hl::Sandbox sandbox(std::move(image), std::move(*sandbox_opts));
        const hl::RunResult result = sandbox.run(options.guest_argv);
        std::fflush(stdout);
        trace.finish(result);
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
    HlrunOptions options;
    CLI::App app{"Run a guest image in a fresh micro-VM (see hlrun(1))", "hlrun"};
    app.set_version_flag("--version", std::string("hlrun ") + HL_VERSION);
    add_hlrun_options(app, options);

    std::vector<std::string> args = spell_out_optional_values(argc, argv);
    std::vector<char*> arg_pointers;
    for (std::string& arg : args)
        arg_pointers.push_back(arg.data());
    if (const auto status = parse_command_line(app, static_cast<int>(arg_pointers.size()), arg_pointers.data(), kExitUsage))
        return *status;
    if (const std::string error = finish_hlrun_options(app, options); !error.empty()) {
        spdlog::error("{}", error);
        return kExitUsage;
    }
    if (options.verbose)
        spdlog::set_level(spdlog::level::debug);
    return run(options);
}
