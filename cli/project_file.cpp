// Parsing and checking hlbuild.toml (see project_file.hpp).
#include "project_file.hpp"

#include <hl/abi.h>
#include <hl/units.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>

namespace hl::cli {
namespace {

std::string where(const std::string& path, const toml::source_region& source)
{
    return path + ":" + std::to_string(source.begin.line) + ":" + std::to_string(source.begin.column);
}

class Checker {
public:
    // Errors keep their position: toml++ walks tables in key order, users read files top down.
    using Located = std::pair<toml::source_position, std::string>;
    Checker(const std::string& path, std::vector<Located>& errors) : path_(path), errors_(errors) {}

    void error(const toml::node& node, const std::string& message)
    {
        errors_.push_back({node.source().begin, where(path_, node.source()) + ": " + message});
    }

    void string(const toml::node& node, const char* key, std::string& out)
    {
        if (const auto* value = node.as_string(); value && !value->get().empty())
            out = value->get();
        else
            error(node, std::string("image.") + key + ": expected a non-empty string");
    }

    void strings(const toml::node& node, const char* key, std::vector<std::string>& out)
    {
        const auto* array = node.as_array();
        if (!array) {
            error(node, std::string("image.") + key + ": expected an array of strings");
            return;
        }
        out.clear();
        for (const toml::node& item : *array) {
            if (const auto* value = item.as_string())
                out.push_back(value->get());
            else
                error(item, std::string("image.") + key + ": expected a string");
        }
    }

    void size(const toml::node& node, const char* key, std::optional<uint64_t>& out)
    {
        const auto* text = node.as_string();
        const auto* number = node.as_integer();
        std::optional<uint64_t> value;
        if (text)
            value = parse_size(text->get());
        else if (number && number->get() >= 0)
            value = static_cast<uint64_t>(number->get());
        if (!value) {
            error(node, std::string("image.") + key + ": expected a size like \"256Ki\" or \"1Mi\"");
            return;
        }
        out = *value;
    }

    void boolean(const toml::node& node, const char* key, bool& out)
    {
        if (const auto* value = node.as_boolean())
            out = value->get();
        else
            error(node, std::string("image.") + key + ": expected true or false");
    }

    void libc(const toml::node& node, Libc& out)
    {
        const auto* value = node.as_string();
        if (value && value->get() == "tiny")
            out = Libc::Tiny;
        else if (value && value->get() == "musl")
            out = Libc::Musl;
        else
            error(node, "image.libc: expected \"tiny\" or \"musl\"" +
                            (value ? ", got \"" + value->get() + "\"" : std::string()));
    }

    void target(const toml::node& node, std::optional<Target>& out)
    {
        const auto* value = node.as_string();
        if (const auto target = value ? parse_target(value->get()) : std::nullopt)
            out = *target;
        else
            error(node, "image.target: expected \"x86-64\" or \"aarch64\"" +
                            (value ? ", got \"" + value->get() + "\"" : std::string()));
    }

    // Relative, so that a project builds wherever it is copied; ".." may
    // reach a tree beside it.
    void directories(const toml::node& node, const char* key, std::vector<std::string>& out)
    {
        strings(node, key, out);
        const auto* array = node.as_array();
        for (size_t i = 0; array && i < array->size(); ++i) {
            const auto* value = (*array)[i].as_string();
            if (value && value->get().empty())
                error((*array)[i], std::string("image.") + key + ": expected a directory, got an empty string");
            else if (value && value->get().front() == '/')
                error((*array)[i], std::string("image.") + key + ": '" + value->get() +
                                       "' is absolute; expected a directory relative to the project");
        }
    }

private:
    const std::string& path_;
    std::vector<Located>& errors_;
};

void check_image(const toml::table& image, Checker& check, ProjectFile& project)
{
    for (const auto& [key, node] : image) {
        const std::string k(key.str());
        if (k == "name")
            check.string(node, "name", project.name);
        else if (k == "sources")
            check.strings(node, "sources", project.sources);
        else if (k == "cflags")
            check.strings(node, "cflags", project.cflags);
        else if (k == "stack")
            check.size(node, "stack", project.stack);
        else if (k == "heap")
            check.size(node, "heap", project.heap);
        else if (k == "libc")
            check.libc(node, project.libc);
        else if (k == "target")
            check.target(node, project.target);
        else if (k == "include_dirs")
            check.directories(node, "include_dirs", project.include_dirs);
        else if (k == "debug")
            check.boolean(node, "debug", project.debug);
        else
            check.error(node, "unknown key 'image." + k +
                                  "'; expected one of name, sources, cflags, stack, heap, libc, target, "
                                  "include_dirs, debug");
    }
    const auto& name = project.name;
    if (!name.empty() && !valid_image_name(name))
        check.error(*image.get("name"), "image.name: '" + name + "' may use only letters, digits, '_', '-' and '.'");
    // The same bounds the image validator applies to the note, caught before compiling.
    if (project.stack && (*project.stack % HL_PAGE_SIZE || *project.stack < HL_STACK_MIN ||
                          *project.stack > HL_STACK_MAX))
        check.error(*image.get("stack"), "image.stack: expected a multiple of " + format_size(HL_PAGE_SIZE) +
                                             " from " + format_size(HL_STACK_MIN) + " to " + format_size(HL_STACK_MAX));
    if (project.heap && *project.heap > HL_HEAP_MAX)
        check.error(*image.get("heap"), "image.heap: expected at most " + format_size(HL_HEAP_MAX));
}

} // namespace

bool valid_image_name(std::string_view name)
{
    return !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
           });
}

ProjectParse parse_project_file(std::string_view text, const std::string& path)
{
    ProjectParse result;
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& error) {
        result.errors.push_back(where(path, error.source()) + ": " + std::string(error.description()));
        return result;
    }
    std::vector<Checker::Located> located;
    Checker check(path, located);
    ProjectFile project;
    bool have_image = false;
    for (const auto& [key, node] : root) {
        if (key.str() == "image" && node.is_table()) {
            have_image = true;
            check_image(*node.as_table(), check, project);
        } else {
            check.error(node, "unknown key '" + std::string(key.str()) + "'; expected an [image] table");
        }
    }
    std::stable_sort(located.begin(), located.end(), [](const auto& a, const auto& b) {
        return a.first.line != b.first.line ? a.first.line < b.first.line : a.first.column < b.first.column;
    });
    for (auto& [position, message] : located)
        result.errors.push_back(std::move(message));
    if (!have_image)
        result.errors.push_back(path + ": missing the [image] table with at least name = \"...\"");
    else if (project.name.empty() && !root["image"]["name"])
        result.errors.push_back(where(path, root["image"].node()->source()) + ": image.name: missing, expected the image name");
    if (result.errors.empty())
        result.project = std::move(project);
    return result;
}

} // namespace hl::cli
