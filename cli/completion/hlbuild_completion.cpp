// hlbuild's commands and options for shell completion (see completion_spec.hpp).
// hlbuild_completion_test holds it to each command's --help.
#include "completion/completion_spec.hpp"
#include "guest_target.hpp"

#include <hl/version.hpp>

namespace hl::cli {
namespace {

using Option = CompletionOption;
using Value = CompletionOption::Value;
using Argument = CompletionCommand::Argument;

std::vector<Option> common()
{
    return {{.names = {"--help", "-h"}, .help = "Print a usage summary"}, {.names = {"--version"}, .help = "Print hl's version"}};
}

std::vector<Option> new_options(const std::vector<std::string>& templates)
{
    std::vector<Option> options = common();
    options.push_back({.names = {"--template"}, .value = Value::Next, .help = "Template to use", .choices = templates});
    options.push_back({.names = {"--libc"}, .value = Value::Next, .help = "The guest's C library", .choices = {"tiny", "musl"}});
    return options;
}

std::vector<Option> build_options(bool compiles)
{
    std::vector<Option> options = common();
    options.push_back({.names = {"--build-dir", "-B"}, .value = Value::Next, .help = "Where objects and the image go",
                       .directories = true});
    options.push_back({.names = {"--output", "-o"}, .value = Value::Next, .help = "Image path", .files = true});
    if (compiles) {
        options.push_back({.names = {"--verbose", "-v"}, .help = "Show each command as it runs"});
        options.push_back({.names = {"--jobs", "-j"}, .value = Value::Next, .help = "Compile N sources at once"});
        options.push_back({.names = {"--target"}, .value = Value::Next, .help = "The architecture to build for",
                           .choices = target_names()});
    }
    return options;
}

} // namespace

CompletionSpec hlbuild_completion_spec(const std::vector<std::string>& templates)
{
    CompletionCommand new_command{.name = "new", .help = "Create a guest project from a template",
                                  .options = new_options(templates), .arguments = {Argument::None}};
    CompletionCommand init{.name = "init", .help = "Create a guest project in this directory", .options = new_options(templates)};
    CompletionCommand compile{.name = "compile", .help = "Compile and link a guest project",
                              .options = build_options(true), .arguments = {Argument::Directory}};
    // After `--`: hlrun's options and the guest's arguments, completed as files.
    CompletionCommand run{.name = "run", .help = "Compile a guest project, then run it",
                          .options = build_options(true), .arguments = {Argument::Directory}, .rest = Argument::File,
                          .dashes_end_arguments = true};
    CompletionCommand clean{.name = "clean", .help = "Remove what compile made",
                            .options = build_options(false), .arguments = {Argument::Directory}};
    CompletionCommand completions{.name = "completions", .help = "Print a shell's completion script",
                                  .options = common(), .arguments = {Argument::None},
                                  .first_words = {"bash", "zsh", "fish"}};
    return {.tool = "hlbuild", .version = version(), .commands = {new_command, init, compile, run, clean, completions}};
}

} // namespace hl::cli
