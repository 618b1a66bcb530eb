// CLI11 parsing with one-line errors (see command_line.hpp).
#include "command_line.hpp"

#include "logging.hpp"

#include <hl/suggest.hpp>

#include <algorithm>
#include <charconv>

namespace hl::cli {

namespace {

// The command as typed so far: "hlbuild compile" for a subcommand that was parsed.
const CLI::App& innermost(const CLI::App& app)
{
    for (const CLI::App* sub : app.get_subcommands())
        if (sub->parsed())
            return innermost(*sub);
    return app;
}

std::string command_path(const CLI::App& app)
{
    const CLI::App* parent = app.get_parent();
    return parent ? command_path(*parent) + " " + app.get_name() : app.get_name();
}

std::vector<std::string> subcommand_names(const CLI::App& app)
{
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({}))
        names.push_back(sub->get_name());
    return names;
}

std::string listed(const std::vector<std::string>& words, const char* last_joint)
{
    std::string out;
    for (size_t i = 0; i < words.size(); ++i)
        out += (i == 0 ? "" : i + 1 == words.size() ? last_joint : ", ") + words[i];
    return out;
}

} // namespace

namespace {

class UsageFormatter : public CLI::Formatter {
public:
    explicit UsageFormatter(std::string usage) : usage_(std::move(usage)) {}
    std::string make_usage(const CLI::App*, std::string) const override { return "Usage: " + usage_ + "\n"; }

private:
    std::string usage_;
};

} // namespace

void set_up_command(CLI::App& app, const std::string& tool, std::string usage)
{
    app.set_version_flag("--version", tool + " " + HL_VERSION);
    app.formatter(std::make_shared<UsageFormatter>(std::move(usage)));
}

std::vector<std::string> option_names(const CLI::App& app)
{
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options()) {
        for (const std::string& name : option->get_lnames())
            names.push_back("--" + name);
        for (const std::string& name : option->get_snames())
            names.push_back("-" + name);
    }
    return names;
}

std::string usage_error_text(const CLI::App& app, const CLI::ParseError& error)
{
    const CLI::App& command = innermost(app);
    const std::string see = "; see " + command_path(command) + " --help";
    std::string text = error.what();
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&error)) {
        // "--memory: 1 required TEXT missing": the option, then CLI11's words.
        if (const size_t colon = text.find(": "); colon != std::string::npos && text.rfind("-", 0) == 0)
            return text.substr(0, colon) + ": needs a value" + see;
    }
    if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
        const std::vector<std::string> extras = command.remaining();
        if (!extras.empty()) {
            const std::string& word = extras.front();
            if (word.size() > 1 && word[0] == '-')
                return "unknown option '" + word + "'" + did_you_mean(word, option_names(command)) + see;
            const std::vector<std::string> commands = subcommand_names(command);
            if (!commands.empty() && &command == &app)
                return "unknown command '" + word + "'" + did_you_mean(word, commands) + "; expected " +
                       listed(commands, " or ") + see;
            return "unexpected argument '" + word + "'" + see;
        }
    }
    if (dynamic_cast<const CLI::RequiredError*>(&error) && text.find("subcommand") != std::string::npos) {
        const std::vector<std::string> commands = subcommand_names(app);
        const std::vector<std::string> extras = app.remaining();
        if (!extras.empty() && !extras.front().starts_with("-"))
            return "unknown command '" + extras.front() + "'" + did_you_mean(extras.front(), commands) +
                   "; expected " + listed(commands, " or ") + see;
        return "missing command: " + listed(commands, " or ") + see;
    }
    // "NAME is required", "--output is required": what is missing, first.
    if (constexpr std::string_view kRequired = " is required";
        dynamic_cast<const CLI::RequiredError*>(&error) && text.ends_with(kRequired))
        return "missing " + text.substr(0, text.size() - kRequired.size()) + see;
    return text + see;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int usage_status)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        log_error("{}", usage_error_text(app, e));
        return usage_status;
    }
    return std::nullopt;
}

CLI::Validator whole_number_in(uint64_t lo, uint64_t hi)
{
    const std::string range = std::to_string(lo) + (hi == UINT64_MAX ? " up" : " to " + std::to_string(hi));
    return CLI::Validator(
        [lo, hi, range](std::string& text) -> std::string {
            uint64_t value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi)
                return "'" + text + "' is not a whole number from " + range;
            return {};
        },
        "N: " + range);
}

CLI::Validator one_of(std::vector<std::string> words)
{
    const std::string description = "{" + listed(words, ",") + "}";
    return CLI::Validator(
        [words](std::string& text) -> std::string {
            if (std::find(words.begin(), words.end(), text) != words.end())
                return {};
            return "'" + text + "' is not " + listed(words, " or ") + did_you_mean(text, words);
        },
        description);
}

std::optional<std::vector<std::string>> arguments_after_options(const CLI::App& app, const std::string& command)
{
    std::vector<std::string> rest = app.remaining();
    if (!rest.empty() && rest.front() == "--") {
        rest.erase(rest.begin());
    } else if (!rest.empty() && rest.front().size() > 1 && rest.front()[0] == '-') {
        log_error("unknown option '{}'{}; see {} --help", rest.front(), did_you_mean(rest.front(), option_names(app)),
                  command);
        return std::nullopt;
    }
    return rest;
}

} // namespace hl::cli
