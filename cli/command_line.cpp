// CLI11 parsing with one-line errors (see command_line.hpp).
#include "command_line.hpp"

#include "logging.hpp"

#include <hl/suggest.hpp>
#include <hl/version.hpp>

#include <algorithm>
#include <cctype>
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

namespace {

// "--memroy=4Mi" is the option "--memroy".
std::string option_word(const std::string& word)
{
    return word.starts_with("--") ? word.substr(0, word.find('=')) : word;
}

// The first word left over that looks like an option, if any.
std::optional<std::string> stray_option(const std::vector<std::string>& extras)
{
    for (const std::string& word : extras)
        if (word.size() > 1 && word[0] == '-')
            return option_word(word);
    return std::nullopt;
}

// An option that is unknown where it stood: the nearest of that command's,
// or the subcommand it belongs to when it came before it.
std::string unknown_option(const CLI::App& app, const CLI::App& command, const std::string& word, const std::string& see)
{
    if (&command == &app)
        for (const CLI::App* sub : app.get_subcommands({})) {
            const std::vector<std::string> names = option_names(*sub);
            if (std::find(names.begin(), names.end(), word) != names.end())
                return "'" + word + "' is an option of " + command_path(*sub) + ": put it after the command (" +
                       command_path(*sub) + " " + word + " ...)" + see;
        }
    return "unknown option '" + word + "'" + did_you_mean(word, option_names(command)) + see;
}

} // namespace

std::string usage_error_text(const CLI::App& app, const CLI::ParseError& error)
{
    const CLI::App& command = innermost(app);
    const std::string see = "; see " + command_path(command) + " --help";
    std::string text = error.what();
    // An unknown option explains the rest (a required one "missing", a command not found): it goes first.
    if (dynamic_cast<const CLI::ExtrasError*>(&error) || dynamic_cast<const CLI::RequiredError*>(&error)) {
        if (const auto word = stray_option(command.remaining()))
            return unknown_option(app, command, *word, see);
        // Left over before a subcommand ("hlbuild -j 4 compile"): the top command's.
        if (const auto word = stray_option(app.remaining()); word && &command != &app)
            return unknown_option(app, app, *word, "; see " + app.get_name() + " --help");
    }
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&error)) {
        // "--memory: 1 required TEXT missing", "--memory: At Most 1 required but received 2".
        if (const size_t colon = text.find(": "); colon != std::string::npos && text.rfind("-", 0) == 0) {
            const std::string name = text.substr(0, colon);
            if (text.find("missing") != std::string::npos)
                return name + ": needs a value" + see;
            if (text.find("received") != std::string::npos)
                return name + ": given more than once" + see;
        }
    }
    if (dynamic_cast<const CLI::ConversionError*>(&error)) {
        // "Could not convert: --json = maybe": a flag given a value it cannot take.
        constexpr std::string_view kPrefix = "Could not convert: ";
        if (const size_t equals = text.find(" = "); text.starts_with(kPrefix) && equals != std::string::npos)
            return text.substr(kPrefix.size(), equals - kPrefix.size()) + ": '" + text.substr(equals + 3) +
                   "' is not a value it takes" + see;
    }
    if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
        const std::vector<std::string> extras = command.remaining();
        if (!extras.empty()) {
            const std::string& word = extras.front();
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
        if (!extras.empty())
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
            std::string lower = text;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
            const bool other_case = std::find(words.begin(), words.end(), lower) != words.end();
            return "'" + text + "' is not " + listed(words, " or ") +
                   (other_case ? " (did you mean " + lower + "?)" : did_you_mean(lower, words));
        },
        description);
}

std::optional<std::vector<std::string>> arguments_after_options(const CLI::App& app, const std::string& command)
{
    std::vector<std::string> rest = app.remaining();
    if (!rest.empty() && rest.front() == "--") {
        rest.erase(rest.begin());
    } else if (!rest.empty() && rest.front().size() > 1 && rest.front()[0] == '-') {
        log_error("unknown option '{}'{}; see {} --help", rest.front(),
                  did_you_mean(option_word(rest.front()), option_names(app)), command);
        return std::nullopt;
    }
    return rest;
}

} // namespace hl::cli
