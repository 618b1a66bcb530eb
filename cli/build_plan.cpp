#include "build_plan.hpp"

#include <fstream>
#include <sstream>

namespace hl::cli {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_whole(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

fs::path signature_path(const fs::path& output)
{
    return output.string() + ".cmd";
}

} // namespace

std::optional<std::vector<std::string>> parse_depfile(std::string_view text)
{
    std::vector<std::string> words;
    std::string word;
    bool target_done = false;
    auto finish = [&] {
        if (word.empty())
            return;
        if (target_done)
            words.push_back(word);
        word.clear();
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r')) {
            finish();   // a continued line
            i += text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n' ? 2 : 1;
        } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '#' || text[i + 1] == '\\')) {
            word += text[++i];
        } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '$') {
            word += '$';
            ++i;
        } else if (c == ':' && !target_done && (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n' ||
                                                text[i + 1] == '\t' || text[i + 1] == '\r')) {
            if (word.empty())
                return std::nullopt;   // no target
            word.clear();
            target_done = true;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            finish();
            // A second rule (phony targets of -MP) ends what this output depends on.
            if (c == '\n' && target_done && !words.empty()) {
                size_t next = i + 1;
                while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\n'))
                    ++next;
                if (next < text.size())
                    return words;
            }
        } else {
            word += c;
        }
    }
    finish();
    if (!target_done)
        return std::nullopt;
    return words;
}

std::optional<std::string> why_stale(const fs::path& output, const std::string& signature,
                                     const std::vector<fs::path>& inputs, const std::optional<fs::path>& depfile)
{
    std::error_code error;
    const fs::file_time_type made = fs::last_write_time(output, error);
    if (error)
        return "no " + output.filename().string() + " yet";
    if (read_whole(signature_path(output)) != signature)
        return "its command changed";
    std::vector<fs::path> all = inputs;
    if (depfile) {
        const auto text = read_whole(*depfile);
        const auto prerequisites = text ? parse_depfile(*text) : std::nullopt;
        if (!prerequisites)
            return "its dependencies are not known";
        all.insert(all.end(), prerequisites->begin(), prerequisites->end());
    }
    for (const fs::path& input : all) {
        const fs::file_time_type changed = fs::last_write_time(input, error);
        if (error)
            return input.string() + " is gone";
        if (changed > made)
            return input.string() + " changed";
    }
    return std::nullopt;
}

bool record_signature(const fs::path& output, const std::string& signature)
{
    std::ofstream out(signature_path(output), std::ios::binary | std::ios::trunc);
    out << signature;
    return static_cast<bool>(out);
}

bool write_if_changed(const fs::path& path, const std::string& text)
{
    if (read_whole(path) == text)
        return true;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

} // namespace hl::cli
