// hlbuild run: compile, then become `hlrun [OPTIONS] -- IMAGE [ARGS...]`,
// the words after hlbuild's `--` split as hlrun would split them: its
// options first (with their values), then the guest's arguments.
#include "hlbuild_commands.hpp"
#include "hlrun_value_options.hpp"
#include "logging.hpp"
#include "process.hpp"
#include "toolchain.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace hl::cli {

int hlbuild_run(const CompileOptions& options, const std::vector<std::string>& after_dashes)
{
    std::string image;
    if (const int status = hlbuild_compile(options, &image, true); status != kBuildOk)
        return status;
    std::vector<std::string> argv = {find_toolchain().hlrun.string()};
    size_t i = 0;
    for (; i < after_dashes.size(); ++i) {
        const std::string& word = after_dashes[i];
        if (word == "--") {
            ++i;
            break;
        }
        if (word.size() < 2 || word[0] != '-')
            break;   // the guest's first argument
        argv.push_back(word);
        if (hlrun_option_takes_value(word) && i + 1 < after_dashes.size())
            argv.push_back(after_dashes[++i]);
    }
    argv.push_back("--");
    argv.push_back(image);
    argv.insert(argv.end(), after_dashes.begin() + static_cast<std::ptrdiff_t>(i), after_dashes.end());
    if (options.verbose)
        log_info("{}", quote_command(argv));
    std::vector<char*> args;
    for (std::string& word : argv)
        args.push_back(word.data());
    args.push_back(nullptr);
    std::fflush(stdout);
    execv(args[0], args.data());
    log_error("cannot run {}: {}", argv[0], std::strerror(errno));
    return kBuildFailed;
}

} // namespace hl::cli
