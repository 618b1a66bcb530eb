// CLI11 parsing with one-line errors (see command_line.hpp).
#include "command_line.hpp"

#include "logging.hpp"

namespace hl::cli {

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, int usage_status)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        log_error("{}; see {} --help", e.what(), app.get_name());
        return usage_status;
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> arguments_after_options(const CLI::App& app, const std::string& command)
{
    std::vector<std::string> rest = app.remaining();
    if (!rest.empty() && rest.front() == "--") {
        rest.erase(rest.begin());
    } else if (!rest.empty() && rest.front().size() > 1 && rest.front()[0] == '-') {
        log_error("unknown option '{}'; see {} --help", rest.front(), command);
        return std::nullopt;
    }
    return rest;
}

} // namespace hl::cli
