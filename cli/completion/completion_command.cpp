// `hlrun completions SHELL` and `hlbuild completions SHELL` (see completion_spec.hpp).
#include "command_line.hpp"
#include "completion/completion_spec.hpp"
#include "logging.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace hl::cli {

int completions_command(const CompletionSpec& spec, int argc, char** argv, int usage_status)
{
    std::string shell;
    CLI::App app{"Print the shell completion script for " + spec.tool + " (see " + spec.tool + "(1))",
                 spec.tool + " completions"};
    set_up_command(app, spec.tool, spec.tool + " completions bash|zsh|fish");
    app.add_option("SHELL", shell, "bash, zsh or fish")->required()->check(one_of({"bash", "zsh", "fish"}));
    if (const auto status = parse_command_line(app, argc, argv, usage_status))
        return *status;
    const std::string script = shell == "bash" ? bash_completion(spec)
                               : shell == "zsh" ? zsh_completion(spec)
                                                : fish_completion(spec);
    if (std::fwrite(script.data(), 1, script.size(), stdout) != script.size() || std::fflush(stdout) != 0) {
        log_error("cannot print the {} completion script: {}", shell, std::strerror(errno));
        return 1;
    }
    return 0;
}

} // namespace hl::cli
