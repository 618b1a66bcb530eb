// What shell completion knows of a tool: its commands, their options and
// what each option's value and each positional argument is. One description
// per tool (hlrun_completion.cpp, hlbuild_completion.cpp), from which the
// scripts for bash, zsh and fish are written (completion_scripts.cpp), so
// that the three shells offer the same; a test holds each description to
// the tool's --help.
#pragma once

#include <string>
#include <vector>

namespace hl::cli {

struct CompletionOption {
    std::vector<std::string> names;   // "--memory", then "-m"
    enum class Value {
        None,         // a flag
        Next,         // --memory 16Mi or --memory=16Mi
        AfterEquals,  // only --trace=VALUE: bare --trace is whole
    };
    Value value = Value::None;
    std::string help = {};
    // The value: one of choices; or, with files, also a file; after one of
    // file_after ("all:", "json:"), a file.
    std::vector<std::string> choices = {};
    bool files = false;
    bool directories = false;   // a directory (and nothing else)
    std::vector<std::string> file_after = {};
};

struct CompletionCommand {
    enum class Argument {
        None,       // nothing to offer (a NAME, a guest's word)
        File,       // any file: an image, a snapshot, a core file
        Directory,  // a project
        Export,     // a function the image (the first argument) exports
    };
    std::string name;   // empty: the tool's own form (hlrun IMAGE ARGS...)
    std::string help = {};
    std::vector<CompletionOption> options = {};
    std::vector<Argument> arguments = {};   // by position
    Argument rest = Argument::None;         // past those
    std::vector<std::string> first_words = {};   // the first argument is one of these (when set)
    // Options end at the first argument: what follows is the guest's (a
    // prefix command, as hlrun IMAGE ARGS... and hlrun call are).
    bool options_first = false;
    // `--` ends the arguments too: what follows is `rest` (hlbuild run's
    // hlrun options and guest arguments), not a PROJECT.
    bool dashes_end_arguments = false;
};

struct CompletionSpec {
    std::string tool;
    std::string version;
    std::vector<CompletionCommand> commands;   // a named command is the tool's first word
};

CompletionSpec hlrun_completion_spec();
// templates: the names --template may take.
CompletionSpec hlbuild_completion_spec(const std::vector<std::string>& templates);

// The scripts (pure): for bash (complete -F), zsh (#compdef) and fish
// (complete -c). Export names come from `TOOL inspect --exports IMAGE`.
std::string bash_completion(const CompletionSpec& spec);
std::string zsh_completion(const CompletionSpec& spec);
std::string fish_completion(const CompletionSpec& spec);

} // namespace hl::cli

namespace hl::cli {

// `TOOL completions SHELL`: prints spec's script for SHELL (bash, zsh or
// fish) on stdout. Returns 0, usage_status after a bad command line, or 1
// when stdout could not be written (one line each).
int completions_command(const CompletionSpec& spec, int argc, char** argv, int usage_status);

} // namespace hl::cli
