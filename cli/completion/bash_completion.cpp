// The bash completion script (see completion_spec.hpp). It reads the line
// itself (COMP_LINE up to COMP_POINT) rather than COMP_WORDS, which bash
// splits at '=' and ':', and hands back each candidate without the part of
// the word bash will keep (up to its last '=' or ':' word break).
#include "completion/completion_scripts.hpp"

namespace hl::cli {
namespace {

std::string option_words(const CompletionCommand& command)
{
    std::vector<std::string> words;
    for (const CompletionOption& option : command.options)
        for (const std::string& name : option.names) {
            words.push_back(name);
            if (option.value == CompletionOption::Value::AfterEquals)
                words.push_back(name + "=");
        }
    return shell_words(words);
}

const char* kind_word(CompletionCommand::Argument argument)
{
    switch (argument) {
    case CompletionCommand::Argument::None: return "none";
    case CompletionCommand::Argument::File: return "file";
    case CompletionCommand::Argument::Directory: return "directory";
    case CompletionCommand::Argument::Export: return "export";
    }
    return "none";
}

} // namespace

std::string bash_completion(const CompletionSpec& spec)
{
    const std::string f = "_" + spec.tool;   // the functions' prefix
    std::string commands;
    for (const CompletionCommand& command : spec.commands)
        if (!command.name.empty())
            commands += (commands.empty() ? "" : "|") + command.name;

    std::string s;
    s += "# bash completion for " + spec.tool + ", written by `" + spec.tool + " completions bash` (hl " + spec.version +
         ").\n# Install it as $(pkg-config --variable=completionsdir bash-completion)/" + spec.tool +
         ", or source it.\n\n";

    // How each option takes its value.
    s += f + "_value_kind() {\n    case \"$1:$2\" in\n";
    for (const CompletionCommand& command : spec.commands)
        for (const CompletionOption& option : command.options)
            if (option.value != CompletionOption::Value::None)
                s += "        " + option_pattern(command, option) + ") echo " +
                     (option.value == CompletionOption::Value::Next ? "next" : "equals") + " ;;\n";
    s += "    esac\n}\n\n";

    // The candidates for an option's value: $3 goes before each, $4 is what was typed.
    s += f + "_values() {\n    local prefix=$3 typed=$4\n    case \"$1:$2\" in\n";
    for (const CompletionCommand& command : spec.commands)
        for (const CompletionOption& option : command.options) {
            if (option.value == CompletionOption::Value::None)
                continue;
            std::string body;
            for (const std::string& after : option.file_after)
                body += "            if [[ $typed == " + shell_quote(after) + "* ]]; then " + f + "_files \"${prefix}" +
                        after + "\" \"${typed#" + shell_quote(after) + "}\"; return; fi\n";
            std::vector<std::string> words = option.choices;
            words.insert(words.end(), option.file_after.begin(), option.file_after.end());
            if (!words.empty())
                body += "            " + f + "_words \"$prefix\" \"$typed\" " + shell_words(words) + "\n";
            if (option.files)
                body += "            " + f + "_files \"$prefix\" \"$typed\"\n";
            if (option.directories)
                body += "            " + f + "_files \"$prefix\" \"$typed\" -d\n";
            if (!body.empty())
                s += "        " + option_pattern(command, option) + ")\n" + body + "            ;;\n";
        }
    s += "    esac\n}\n\n";

    // The options of a command, and what each argument is.
    s += f + "_options() {\n    case $1 in\n";
    for (const CompletionCommand& command : spec.commands)
        s += "        " + shell_quote(command.name) + ") " + f + "_words \"\" \"$2\" " + option_words(command) + " ;;\n";
    s += "    esac\n}\n\n";
    s += f + "_options_first() {\n    case $1 in\n";
    for (const CompletionCommand& command : spec.commands)
        if (command.options_first)
            s += "        " + shell_quote(command.name) + ") return 0 ;;\n";
    s += "    esac\n    return 1\n}\n\n";
    s += f + "_dashes_end_arguments() {\n    case $1 in\n";
    for (const CompletionCommand& command : spec.commands)
        if (command.dashes_end_arguments)
            s += "        " + shell_quote(command.name) + ") return 0 ;;\n";
    s += "    esac\n    return 1\n}\n\n";
    s += f + "_argument() {\n    local command=$1 index=$2 typed=$3 first=$4 kind=none\n    case $command in\n";
    for (const CompletionCommand& command : spec.commands) {
        s += "        " + shell_quote(command.name) + ")\n            case $index in\n";
        for (size_t i = 0; i < command.arguments.size(); ++i)
            s += "                " + std::to_string(i) + ") kind=" + kind_word(command.arguments[i]) + " ;;\n";
        s += "                *) kind=" + std::string(kind_word(command.rest)) + " ;;\n            esac\n";
        if (!command.first_words.empty())
            s += "            [[ $index == 0 ]] && " + f + "_words \"\" \"$typed\" " + shell_words(command.first_words) +
                 "\n";
        s += "            ;;\n";
    }
    s += "    esac\n";
    s += "    [[ -z $command && $index == 0 && $5 == 1 ]] && " + f + "_words \"\" \"$typed\" " +
             shell_words([&] {
                 std::vector<std::string> names;
                 for (const CompletionCommand& command : spec.commands)
                     if (!command.name.empty())
                         names.push_back(command.name);
                 return names;
             }()) +
             "\n";
    s += "    case $kind in\n"
         "        file) " + f + "_files \"\" \"$typed\" ;;\n"
         "        directory) " + f + "_files \"\" \"$typed\" -d ;;\n"
         "        export) " + f + "_exports \"$first\" \"$typed\" ;;\n"
         "    esac\n}\n\n";

    // Helpers: words and files that start with what was typed, each after prefix.
    s += f + "_words() {\n"
         "    local prefix=$1 typed=$2 word\n"
         "    shift 2\n"
         "    for word in \"$@\"; do\n"
         "        [[ $word == \"$typed\"* ]] && " + f + "_candidates+=(\"$prefix$word\")\n"
         "    done\n"
         "}\n\n";
    s += f + "_files() {\n"
         "    local prefix=$1 typed=$2 path\n"
         "    " + f + "_want_filenames=1\n"
         "    while IFS= read -r path; do\n"
         "        " + f + "_candidates+=(\"$prefix$path\")\n"
         "    done < <(compgen ${3:--f} -- \"$typed\")\n"
         "}\n\n";
    s += "# The functions the image (the first argument) exports, by asking " + spec.tool + " itself.\n";
    s += f + "_exports() {\n"
         "    local image=${1/#\\~/$HOME} name\n"
         "    local tool=${" + f + "_tool/#\\~/$HOME}\n"
         "    [[ -f $image ]] && command -v -- \"$tool\" >/dev/null || return\n"
         "    while IFS= read -r name; do\n"
         "        [[ $name == \"$2\"* ]] && " + f + "_candidates+=(\"$name\")\n"
         "    done < <(\"$tool\" inspect --exports -- \"$image\" 2>/dev/null)\n"
         "}\n\n";

    // Quoting undone, as the shell would before running the command (no expansions but ~/).
    s += f + "_dequote() {\n"
         "    local in=$1 out= c quote= k\n"
         "    for (( k = 0; k < ${#in}; k++ )); do\n"
         "        c=${in:k:1}\n"
         "        if [[ -z $quote ]]; then\n"
         "            case $c in\n"
         "                \\\\) (( k++ )); out+=${in:k:1} ;;\n"
         "                \\'|\\\") quote=$c ;;\n"
         "                *) out+=$c ;;\n"
         "            esac\n"
         "        elif [[ $c == \"$quote\" ]]; then\n"
         "            quote=\n"
         "        elif [[ $quote == '\"' && $c == \\\\ && ${in:k+1:1} == [\\\"\\\\\\$\\`] ]]; then\n"
         "            (( k++ )); out+=${in:k:1}\n"
         "        else\n"
         "            out+=$c\n"
         "        fi\n"
         "    done\n"
         "    [[ $out == \\~/* ]] && out=$HOME/${out#\\~/}\n"
         "    printf '%s' \"$out\"\n"
         "}\n\n";

    // The entry point.
    s += f + "() {\n"
         "    # COMP_WORDS as the shell split them, glued back where bash broke a word at '=' or ':'\n"
         "    # (no space between the pieces in the line); raw, quotes and all, up to the cursor's.\n"
         "    local -a raw=()\n"
         "    local i point=0 before\n"
         "    for (( i = 0; i <= COMP_CWORD; i++ )); do\n"
         "        before=$point\n"
         "        while [[ ${COMP_LINE:point:1} == [[:space:]] ]]; do (( point++ )); done\n"
         "        if (( i > 0 && point == before )); then\n"
         "            raw[${#raw[@]}-1]+=${COMP_WORDS[i]}\n"
         "        else\n"
         "            raw+=(\"${COMP_WORDS[i]}\")\n"
         "        fi\n"
         "        (( point += ${#COMP_WORDS[i]} ))\n"
         "    done\n"
         "    # What bash will replace: the cursor's piece (after a lone '=' or ':', nothing); the\n"
         "    # glued part before it stays.\n"
         "    local piece=${COMP_WORDS[COMP_CWORD]}\n"
         "    [[ $piece == [=:] ]] && piece=\n"
         "    local trim=${raw[${#raw[@]}-1]%\"$piece\"}\n"
         "    local -a words=()\n"
         "    for piece in \"${raw[@]}\"; do words+=(\"$(" + f + "_dequote \"$piece\")\"); done\n"
         "    local cur=${words[${#words[@]}-1]} command= start=1\n"
         "    local -a " + f + "_candidates=()\n"
         "    local " + f + "_want_filenames= " + f + "_tool=${words[0]}\n";
    if (!commands.empty())
        s += "    if (( ${#words[@]} > 2 )); then\n"
             "        case ${words[1]} in " + commands + ") command=${words[1]}; start=2 ;; esac\n"
             "    fi\n";
    s += "    local -a args=()\n"
         "    local word skip= rest= dashes=\n"
         "    for (( i = start; i < ${#words[@]} - 1; i++ )); do\n"
         "        word=${words[i]}\n"
         "        if [[ -n $skip ]]; then skip=; continue; fi\n"
         "        if [[ -z $rest && $word == -- ]]; then rest=1; dashes=1; continue; fi\n"
         "        if [[ -z $rest && $word == -?* ]]; then\n"
         "            [[ $word != *=* && $(" + f + "_value_kind \"$command\" \"$word\") == next ]] && skip=1\n"
         "            continue\n"
         "        fi\n"
         "        args+=(\"$word\")\n"
         "        " + f + "_options_first \"$command\" && rest=1\n"
         "    done\n"
         "    if [[ -n $skip ]]; then\n"
         "        " + f + "_values \"$command\" \"${words[${#words[@]}-2]}\" \"\" \"$cur\"\n"
         "    elif [[ -z $rest && $cur == -* ]]; then\n"
         "        if [[ $cur == *=* ]]; then\n"
         "            " + f + "_values \"$command\" \"${cur%%=*}\" \"${cur%%=*}=\" \"${cur#*=}\"\n"
         "        else\n"
         "            " + f + "_options \"$command\" \"$cur\"\n"
         "        fi\n"
         "    else\n"
         "        local index=${#args[@]}\n"
         "        [[ -n $dashes ]] && " + f + "_dashes_end_arguments \"$command\" && index=rest\n"
         "        " + f + "_argument \"$command\" \"$index\" \"$cur\" \"${args[0]-}\" \"$((${#words[@]} - 1))\"\n"
         "    fi\n"
         "    COMPREPLY=()\n"
         "    local candidate\n"
         "    for candidate in \"${" + f + "_candidates[@]}\"; do\n"
         "        COMPREPLY+=(\"${candidate#\"$trim\"}\")\n"
         "        [[ $candidate == *[=:] ]] && compopt -o nospace 2>/dev/null\n"
         "    done\n"
         "    [[ -n $" + f + "_want_filenames ]] && compopt -o filenames 2>/dev/null\n"
         "    return 0\n"
         "}\n\n"
         "complete -F " + f + " " + spec.tool + "\n";
    return s;
}

} // namespace hl::cli
