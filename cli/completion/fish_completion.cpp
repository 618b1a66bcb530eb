// The fish completion script (see completion_spec.hpp): `complete` lines
// whose conditions ask one function where on the command line the cursor
// is, as bash's script works it out.
#include "completion/completion_scripts.hpp"

namespace hl::cli {

std::string fish_completion(const CompletionSpec& spec)
{
    const std::string f = "__" + spec.tool;
    const std::string t = spec.tool;
    std::vector<std::string> names, next_options, options_first, dashes_end;
    for (const CompletionCommand& command : spec.commands) {
        if (!command.name.empty())
            names.push_back(command.name);
        if (command.options_first)
            options_first.push_back(command.name);
        if (command.dashes_end_arguments)
            dashes_end.push_back(command.name);
        for (const CompletionOption& option : command.options)
            if (option.value == CompletionOption::Value::Next)
                for (const std::string& name : option.names)
                    next_options.push_back(command.name + ":" + name);
    }

    std::string s = "# fish completion for " + t + ", written by `" + t + " completions fish` (hl " + spec.version +
                    ").\n# Install it as " + t + ".fish in a directory of $fish_complete_path.\n\n";
    // Where the cursor is: the command (empty for the tool's own form), how
    // many arguments precede it, whether it completes an option's value, and
    // whether options are over; then the first argument.
    s += "function " + f + "_state\n"
         "    set -l words (commandline -opc)\n"
         "    set -l command ''\n"
         "    set -l start 2\n"
         "    if test (count $words) -ge 2; and contains -- $words[2] " + shell_words(names) + "\n"
         "        set command $words[2]\n"
         "        set start 3\n"
         "    end\n"
         "    set -l args\n"
         "    set -l skip 0\n"
         "    set -l rest 0\n"
         "    for word in $words[$start..-1]\n"
         "        if test $skip = 1\n"
         "            set skip 0\n"
         "            continue\n"
         "        end\n"
         "        if test $rest = 0; and test \"$word\" = --\n"
         "            set rest 1\n"
         "            if contains -- \"$command\" " + shell_words(dashes_end) + "\n"
         "                set args $args -- -- -- -- -- -- -- --   # past every argument: the rest\n"
         "            end\n"
         "            continue\n"
         "        end\n"
         "        if test $rest = 0; and string match -q -- '-?*' $word\n"
         "            if not string match -q -- '*=*' $word; and contains -- \"$command:$word\" " + shell_words(next_options) + "\n"
         "                set skip 1\n"
         "            end\n"
         "            continue\n"
         "        end\n"
         "        set -a args $word\n"
         "        if contains -- \"$command\" " + shell_words(options_first) + "\n"
         "            set rest 1\n"
         "        end\n"
         "    end\n"
         "    printf '%s\\n' \"$command\" (count $args) $skip $rest \"$args[1]\"\n"
         "end\n\n";
    // Conditions: options of COMMAND may come (or an option's value is due:
    // fish offers only that then); the Nth argument (or N+: any past it) of COMMAND.
    s += "function " + f + "_options_of --argument-names command\n"
         "    set -l state (" + f + "_state)\n"
         "    test \"$state[1]\" = \"$command\"; and test $state[4] = 0\n"
         "end\n\n";
    s += "function " + f + "_argument_of --argument-names command index\n"
         "    set -l state (" + f + "_state)\n"
         "    test \"$state[1]\" = \"$command\"; or return 1\n"
         "    test $state[3] = 0; or return 1\n"
         "    string match -q -- '-*' (commandline -ct); and test $state[4] = 0; and return 1\n"
         "    if string match -q -- '*+' $index\n"
         "        test $state[2] -ge (string trim -r -c + -- $index)\n"
         "    else\n"
         "        test $state[2] = $index\n"
         "    end\n"
         "end\n\n";
    // --opt=VALUE for the options whose value comes only after '='.
    s += "function " + f + "_after_equals --argument-names command option\n"
         "    " + f + "_options_of $command; and string match -q -- \"$option=*\" (commandline -ct)\n"
         "end\n\n";
    // Its own glob: fish's __fish_complete_path runs ls, which takes a file named -x for an option.
    s += "function " + f + "_files_after --argument-names prefix\n"
         "    set -l typed (string replace -- $prefix '' (commandline -ct))\n"
         "    set -l expanded (string replace -r -- '^~/' \"$HOME/\" $typed)\n"
         "    for path in $expanded*\n"
         "        test -d \"$path\"; and set path \"$path/\"\n"
         "        if test \"$expanded\" != \"$typed\"\n"
         "            set path (string replace -- \"$HOME/\" '~/' $path)\n"
         "        end\n"
         "        printf '%s%s\\n' $prefix $path\n"
         "    end\n"
         "end\n\n";
    s += "# The functions the image exports, by asking " + t + " itself.\n"
         "function " + f + "_exports\n"
         "    set -l image (string replace -r -- '^~/' \"$HOME/\" (" + f + "_state)[5])\n"
         "    set -l tool (string replace -r -- '^~/' \"$HOME/\" (commandline -opc)[1])\n"
         "    test -f \"$image\"; and command -q -- $tool; or return\n"
         "    command $tool inspect --exports -- $image 2>/dev/null\n"
         "end\n\n";

    s += "complete -c " + t + " -f\n";
    for (const CompletionCommand& command : spec.commands) {
        const std::string cmd = shell_quote(command.name);
        if (!command.name.empty())
            s += "complete -c " + t + " -n " + shell_quote("test (count (commandline -opc)) = 1") + " -a " +
                 shell_quote(command.name) +
                 " -d " + shell_quote(command.help) + "\n";
        const std::string options_of = shell_quote(f + "_options_of " + cmd);
        for (const CompletionOption& option : command.options) {
            std::string names;
            for (const std::string& name : option.names)
                names += name.starts_with("--") ? " -l " + shell_quote(name.substr(2)) : " -s " + shell_quote(name.substr(1));
            std::string value;
            if (option.value == CompletionOption::Value::Next) {
                value = option.files ? " -r -F" : " -x";
                if (!option.choices.empty())
                    value += " -a " + shell_quote(shell_words(option.choices));
                if (option.directories)
                    value += " -a '(__fish_complete_directories (commandline -ct))'";
            }
            s += "complete -c " + t + " -n " + options_of + names + value + " -d " + shell_quote(option.help) + "\n";
            if (option.value != CompletionOption::Value::AfterEquals)
                continue;
            const std::string name = option.names.front();
            const std::string when = shell_quote(f + "_after_equals " + cmd + " " + name);
            std::vector<std::string> words;
            for (const std::string& word : option.choices)
                words.push_back(name + "=" + word);
            for (const std::string& after : option.file_after)
                words.push_back(name + "=" + after);
            if (!words.empty())
                s += "complete -c " + t + " -n " + when + " -a " + shell_quote(shell_words(words)) + "\n";
            for (const std::string& after : option.file_after)
                s += "complete -c " + t + " -n " + when + " -a " +
                     shell_quote("(" + f + "_files_after " + shell_quote(name + "=" + after) + ")") + "\n";
            if (option.files)
                s += "complete -c " + t + " -n " + when + " -a " +
                     shell_quote("(" + f + "_files_after " + shell_quote(name + "=") + ")") + "\n";
        }
        for (size_t i = 0; i <= command.arguments.size(); ++i) {
            const bool past = i == command.arguments.size();
            const CompletionCommand::Argument argument = past ? command.rest : command.arguments[i];
            const std::string when = shell_quote(f + "_argument_of " + cmd + " " + std::to_string(i) + (past ? "+" : ""));
            if (i == 0 && !command.first_words.empty())
                s += "complete -c " + t + " -n " + when + " -a " + shell_quote(shell_words(command.first_words)) + "\n";
            switch (argument) {
            case CompletionCommand::Argument::None: break;
            case CompletionCommand::Argument::File: s += "complete -c " + t + " -n " + when + " -F\n"; break;
            case CompletionCommand::Argument::Directory:
                s += "complete -c " + t + " -n " + when + " -a '(__fish_complete_directories (commandline -ct))'\n";
                break;
            case CompletionCommand::Argument::Export:
                s += "complete -c " + t + " -n " + when + " -a " + shell_quote("(" + f + "_exports)") + "\n";
                break;
            }
        }
    }
    return s;
}

} // namespace hl::cli
