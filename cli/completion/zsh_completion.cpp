// The zsh completion script (see completion_spec.hpp): one _arguments call a
// command, values by a function that knows each option's.
#include "completion/completion_scripts.hpp"

namespace hl::cli {
namespace {

// Text inside an _arguments spec's [help] or :message: ':' '[' ']' '\' escaped.
std::string zsh_escape(const std::string& text)
{
    std::string out;
    for (const char c : text) {
        if (c == ':' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

const char* action_for(CompletionCommand::Argument argument)
{
    switch (argument) {
    case CompletionCommand::Argument::None: return " ";
    case CompletionCommand::Argument::File: return "_files";
    case CompletionCommand::Argument::Directory: return "_files -/";
    case CompletionCommand::Argument::Export: return "->export";
    }
    return " ";
}

// The specs of one command's options.
std::string option_specs(const std::string& f, const CompletionCommand& command)
{
    std::string specs;
    for (const CompletionOption& option : command.options)
        for (const std::string& name : option.names) {
            const bool is_long = name.starts_with("--");
            const std::string help = "[" + zsh_escape(option.help) + "]";
            std::string spec;
            switch (option.value) {
            case CompletionOption::Value::None: spec = name + help; break;
            case CompletionOption::Value::Next:
                spec = name + (is_long ? "=" : "+") + help + ":value:" + f + "_value " + shell_quote(command.name) + " " + name;
                break;
            case CompletionOption::Value::AfterEquals:
                spec = name + "=-" + help + ":value:" + f + "_value " + shell_quote(command.name) + " " + name;
                break;
            }
            specs += "        " + shell_quote(spec) + " \\\n";
        }
    return specs;
}

} // namespace

std::string zsh_completion(const CompletionSpec& spec)
{
    const std::string f = "_" + spec.tool;
    std::string s = "#compdef " + spec.tool + "\n# zsh completion for " + spec.tool + ", written by `" + spec.tool +
                    " completions zsh` (hl " + spec.version + ").\n# Install it as " + f +
                    " in a directory of $fpath, before compinit runs.\n\n";

    // Each option's values.
    // _arguments calls an action with compadd's options before its own words.
    s += f + "_value() {\n    local -a expl=(\"${(@)@[1,-3]}\")\n    case \"${@[-2]}:${@[-1]}\" in\n";
    for (const CompletionCommand& command : spec.commands)
        for (const CompletionOption& option : command.options) {
            if (option.value == CompletionOption::Value::None)
                continue;
            const std::string pattern = option_pattern(command, option);
            std::string body;
            for (const std::string& after : option.file_after)
                body += "            if compset -P " + shell_quote(after) + "; then _files; return; fi\n";
            if (!option.file_after.empty())
                body += "            compadd \"${expl[@]}\" -S '' -- " + shell_words(option.file_after) + "\n";
            if (!option.choices.empty())
                body += "            compadd \"${expl[@]}\" -- " + shell_words(option.choices) + "\n";
            if (option.files)
                body += "            _files\n";
            if (option.directories)
                body += "            _files -/\n";
            if (body.empty())
                body = "            _message value\n";
            s += "        (" + pattern + ")\n" + body + "            ;;\n";
        }
    s += "    esac\n}\n\n";

    s += "# The functions the image exports, by asking " + spec.tool + " itself.\n";
    s += f + "_exports() {\n"
         "    local -a names\n"
         "    local image=${(Q)~1}\n"   // quoting removed, ~ expanded
         "    [[ -f $image ]] || return 1\n"
         "    (( $+commands[$tool] )) || [[ -x $tool ]] || return 1\n"
         "    names=(${(f)\"$(_call_program exports ${(q)tool} inspect --exports -- ${(q)image} 2>/dev/null)\"})\n"
         "    compadd -a names\n"
         "}\n\n";

    std::vector<std::string> names;
    std::string described;
    for (const CompletionCommand& command : spec.commands)
        if (!command.name.empty()) {
            names.push_back(command.name);
            described += "        " + shell_quote(command.name + ":" + command.help) + "\n";
        }
    s += f + "_commands() {\n    local -a commands=(\n" + described + "    )\n    _describe -t commands command commands\n}\n\n";

    s += f + "() {\n"
         "    local tool=${(Q)~words[1]} command= context state state_descr line ret=1\n"
         "    typeset -A opt_args\n"
         "    if (( CURRENT > 2 )); then\n"
         "        case $words[2] in\n";
    std::string alternatives;
    for (const std::string& name : names)
        alternatives += (alternatives.empty() ? "" : "|") + name;
    s += "            (" + alternatives + ")\n"
         "                command=$words[2]\n"
         "                words=(\"${(@)words[2,-1]}\")\n"
         "                (( CURRENT-- ))\n"
         "                ;;\n"
         "        esac\n"
         "    fi\n"
         "    case $command in\n";
    bool has_own_form = false;
    for (const CompletionCommand& command : spec.commands) {
        has_own_form = has_own_form || command.name.empty();
        s += "        (" + (command.name.empty() ? std::string("''") : command.name) + ")\n";
        // After `--`, hlbuild run's words are hlrun's and the guest's: files.
        if (command.dashes_end_arguments)
            s += "            if (( ${words[(I)--]} && ${words[(I)--]} < CURRENT )); then\n"
                 "                _files && ret=0\n"
                 "                return ret\n"
                 "            fi\n";
        s += std::string("            _arguments -S") + (command.options_first ? " -A '-*'" : "") + " : \\\n" +
             option_specs(f, command);
        for (size_t i = 0; i < command.arguments.size(); ++i) {
            std::string action = action_for(command.arguments[i]);
            if (i == 0 && !command.first_words.empty())
                action = "(" + [&] {
                    std::string words;
                    for (const std::string& word : command.first_words)
                        words += (words.empty() ? "" : " ") + word;
                    return words;
                }() + ")";
            if (i == 0 && command.name.empty())
                action = "->first";
            s += "        " + shell_quote(std::to_string(i + 1) + ":argument:" + action) + " \\\n";
        }
        if (command.rest != CompletionCommand::Argument::None)
            s += "        " + shell_quote(std::string("*::argument:") + action_for(command.rest)) + " \\\n";
        s += "        && ret=0\n            ;;\n";
    }
    if (!has_own_form)
        s += "        ('')\n            " + f + "_commands && ret=0\n            ;;\n";
    s += "    esac\n"
         "    case $state in\n"
         "        (export) " + f + "_exports $line[1] && ret=0 ;;\n"
         "        (first)\n"
         "            (( CURRENT == 2 )) && " + f + "_commands && ret=0\n"
         "            _files && ret=0\n"
         "            ;;\n"
         "    esac\n"
         "    return ret\n"
         "}\n\n"
         "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
         "    " + f + " \"$@\"\n"
         "else\n"
         "    compdef " + f + " " + spec.tool + "\n"
         "fi\n";
    return s;
}

} // namespace hl::cli
