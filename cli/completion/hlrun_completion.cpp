// hlrun's commands and options for shell completion (see completion_spec.hpp).
// hlrun_completion_test holds it to each command's --help.
#include "completion/completion_spec.hpp"

#include <hl/version.hpp>

namespace hl::cli {
namespace {

using Option = CompletionOption;
using Value = CompletionOption::Value;
using Argument = CompletionCommand::Argument;

Option flag(std::vector<std::string> names, std::string help)
{
    return {.names = std::move(names), .value = Value::None, .help = std::move(help)};
}
Option valued(std::vector<std::string> names, std::string help)
{
    return {.names = std::move(names), .value = Value::Next, .help = std::move(help)};
}
Option file(std::vector<std::string> names, std::string help)
{
    return {.names = std::move(names), .value = Value::Next, .help = std::move(help), .files = true};
}
Option choice(std::vector<std::string> names, std::string help, std::vector<std::string> choices)
{
    return {.names = std::move(names), .value = Value::Next, .help = std::move(help), .choices = std::move(choices)};
}

// What every command takes.
std::vector<Option> common()
{
    return {flag({"--help", "-h"}, "Print a usage summary"), flag({"--version"}, "Print hl's version")};
}

// What a run and a call share.
std::vector<Option> guest_options()
{
    return {
        valued({"--memory", "-m"}, "Guest memory size, e.g. 16Mi"),
        valued({"--timeout", "-t"}, "Stop after this long, e.g. 5s"),
        valued({"--max-exits"}, "Stop after this many VM exits"),
        {.names = {"--stats"}, .value = Value::AfterEquals, .help = "Print statistics: text, json, or FORMAT:FILE",
         .choices = {"text", "json"}, .file_after = {"text:", "json:"}},
        file({"--report"}, "Write how the command ended as JSON to FILE"),
        file({"--profile"}, "Sample the guest's stacks into FILE (FILE.svg: a flame graph)"),
        valued({"--profile-hz"}, "Samples a second"),
        choice({"--profile-format"}, "Profile format", {"folded", "svg"}),
        file({"--core"}, "Write a core file of a guest that stops badly"),
        {.names = {"--gdb"}, .value = Value::AfterEquals, .help = "Wait for gdb on HOST:PORT"},
        flag({"--verbose", "-v"}, "Also print a faulting guest's registers"),
        flag({"--no-seccomp"}, "Do not confine hlrun with seccomp"),
        {.names = {"--dir"}, .value = Value::Next, .help = "Let the guest read a host directory (HOST[:GUEST])",
         .directories = true},
    };
}

std::vector<Option> joined(std::vector<Option> a, const std::vector<Option>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace

CompletionSpec hlrun_completion_spec()
{
    CompletionCommand run{.name = "", .help = "Run a guest image"};
    run.options = joined(common(), guest_options());
    run.options.push_back({.names = {"--trace"}, .value = Value::AfterEquals,
                           .help = "Trace every VM exit: to stderr, FILE, all or all:FILE",
                           .choices = {"-", "all"}, .files = true, .file_after = {"all:"}});
    run.options.push_back(choice({"--trace-format"}, "Trace format", {"text", "jsonl", "chrome"}));
    run.options.push_back(valued({"--trace-filter"}, "Trace only these exit reasons and hypercalls"));
    run.options.push_back(valued({"--env"}, "An environment variable NAME=VALUE for the guest"));
    run.options.push_back(flag({"--strict-syscalls"}, "End the run at a system call hl does not serve"));
    run.arguments = {Argument::File};
    run.rest = Argument::File;
    run.options_first = true;

    CompletionCommand call{.name = "call", .help = "Call a function a guest image or snapshot exports"};
    call.options = joined(common(), guest_options());
    call.options.push_back(flag({"--json"}, "Print the result, or the error, as JSON"));
    call.options.push_back(valued({"--repeat", "-n"}, "Call N times"));
    call.options.push_back(flag({"--fresh"}, "Start every call from the initialised state"));
    call.arguments = {Argument::File, Argument::Export};
    call.options_first = true;

    CompletionCommand inspect{.name = "inspect", .help = "Show what an image, snapshot or core file holds"};
    inspect.options = joined(common(), {flag({"--json"}, "Print one JSON object"),
                                        flag({"--exports"}, "Print the export names, one a line")});
    inspect.arguments = {Argument::File};

    CompletionCommand snapshot{.name = "snapshot", .help = "Run a function guest to hl_serve and write a snapshot"};
    snapshot.options = joined(common(), {
        file({"--output", "-o"}, "The snapshot file to write"),
        valued({"--memory", "-m"}, "Guest memory size, e.g. 16Mi"),
        valued({"--timeout", "-t"}, "Stop a guest not ready after this long"),
        valued({"--max-exits"}, "Stop after this many VM exits"),
        valued({"--env"}, "An environment variable NAME=VALUE for the guest"),
        {.names = {"--dir"}, .value = Value::Next, .help = "Let the guest read a host directory (HOST[:GUEST])",
         .directories = true},
        flag({"--verbose", "-v"}, "Also print a faulting guest's registers"),
        flag({"--no-seccomp"}, "Do not confine hlrun with seccomp"),
    });
    snapshot.arguments = {Argument::File};
    snapshot.rest = Argument::File;
    snapshot.options_first = true;

    CompletionCommand serve{.name = "serve", .help = "Serve a function guest's exports over HTTP"};
    serve.options = joined(common(), {
        valued({"--listen", "-l"}, "HOST:PORT to listen on"),
        valued({"--workers", "-w"}, "Worker threads"),
        valued({"--queue"}, "Calls that may wait for a worker"),
        valued({"--max-inflight"}, "Calls at once"),
        valued({"--max-connections"}, "Connections at once"),
        valued({"--memory", "-m"}, "Guest memory size of an image"),
        valued({"--timeout", "-t"}, "Stop a call after this long"),
        valued({"--max-exits"}, "Stop a call after this many VM exits"),
        flag({"--keep-state"}, "Let calls see what earlier calls left"),
        file({"--access-log"}, "Append a line per request to FILE (- for stderr)"),
        valued({"--max-body"}, "Refuse larger request bodies"),
        valued({"--read-timeout"}, "Close a connection idle this long"),
        valued({"--drain-timeout"}, "On SIGTERM, wait this long for calls in flight"),
        flag({"--verbose", "-v"}, "Also print a faulting guest's registers"),
        flag({"--no-seccomp"}, "Do not confine the workers with seccomp"),
    });
    serve.arguments = {Argument::File};

    CompletionCommand doctor{.name = "doctor", .help = "Check whether hl can run guests here"};
    doctor.options = common();

    CompletionCommand completions{.name = "completions", .help = "Print a shell's completion script"};
    completions.options = common();
    completions.arguments = {Argument::None};
    completions.first_words = {"bash", "zsh", "fish"};

    return {.tool = "hlrun", .version = version(), .commands = {run, call, inspect, snapshot, serve, doctor, completions}};
}

} // namespace hl::cli
