// What the completion scripts' writers share (see completion_scripts.hpp).
#include "completion/completion_scripts.hpp"

namespace hl::cli {

std::string shell_quote(const std::string& text)
{
    std::string quoted = "'";
    for (const char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string option_pattern(const CompletionCommand& command, const CompletionOption& option)
{
    std::string pattern;
    for (const std::string& name : option.names)
        pattern += (pattern.empty() ? "" : "|") + shell_quote(command.name + ":" + name);
    return pattern;
}

std::string shell_words(const std::vector<std::string>& words)
{
    std::string text;
    for (const std::string& word : words)
        text += (text.empty() ? "" : " ") + shell_quote(word);
    return text;
}

} // namespace hl::cli
