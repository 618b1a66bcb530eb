// Exported functions of an image (see elf_exports.hpp).
#include "image/elf_exports.hpp"

#include "image/elf_rules.hpp"

#include <hl/abi.h>
#include <hl/suggest.hpp>
#include <hl/text.hpp>
#include <hl/units.hpp>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace hl {

const char* type_name(char code)
{
    switch (code) {
    case 'i': return "i32";
    case 'l': return "i64";
    case 'u': return "u64";
    case 'd': return "f64";
    case 'b': return "bool";
    case 's': return "string";
    case 'y': return "bytes";
    case 'v': return "void";
    default: return "?";
    }
}

std::string describe_export(const Export& e)
{
    std::string text = std::string(type_name(e.result)) + " " + e.name + "(";
    for (size_t i = 0; i < e.parameters.size(); ++i)
        text += (i ? ", " : "") + std::string(type_name(e.parameters[i]));
    return text + ")";
}

bool valid_function_name(std::string_view name)
{
    auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    return !name.empty() && name.size() < HL_EXPORT_NAME_MAX && alpha(name[0]) &&
           std::all_of(name.begin(), name.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

std::string argument_count_error(const Export& e, size_t given)
{
    return e.name + " takes " + std::to_string(e.parameters.size()) + " argument" +
           (e.parameters.size() == 1 ? "" : "s") + ", got " + std::to_string(given) + " (" + describe_export(e) + ")";
}

std::string unknown_export_error(const Image& image, std::string_view name)
{
    if (image.personality() == Personality::Linux)
        return "no export named '" + std::string(name) +
               "': a static Linux executable exports nothing (functions are exported by images hlbuild "
               "links, see HL_EXPORT in hl-abi(7)); run it with hlrun IMAGE [ARGS...]";
    std::string known;
    std::vector<std::string> names;
    for (const Export& e : image.exports()) {
        known += (known.empty() ? "" : ", ") + e.name;
        names.push_back(e.name);
    }
    return "no export named '" + std::string(name) + "'" + did_you_mean(name, names) + "; the image exports: " +
           (known.empty() ? "nothing (see HL_EXPORT in hl-abi(7))" : known);
}

namespace rules {
namespace {

constexpr std::string_view kValueTypes = "iludbsy";

std::string field(uint32_t index) { return "export " + std::to_string(index); }

// A C string in a fixed-size field: its length, or nullopt when not terminated.
std::optional<size_t> terminated(const char* text, size_t size)
{
    const void* nul = std::memchr(text, '\0', size);
    if (!nul)
        return std::nullopt;
    return static_cast<size_t>(static_cast<const char*>(nul) - text);
}

} // namespace

Export check_export(const std::string& name, uint32_t index, const hl_export& record,
                    const std::vector<Segment>& segments, const std::vector<Export>& seen)
{
    Export e;
    e.index = index;
    const auto name_length = terminated(record.name, sizeof record.name);
    if (!name_length || *name_length == 0)
        reject(name, field(index) + " name", "empty or not NUL-terminated", "a C identifier");
    e.name.assign(record.name, *name_length);
    if (!valid_function_name(e.name))
        reject(name, field(index) + " name", "'" + printable(e.name) + "' is not an identifier", "a C identifier");
    if (std::any_of(seen.begin(), seen.end(), [&](const Export& other) { return other.name == e.name; }))
        reject(name, field(index) + " name", "'" + e.name + "' is exported twice", "unique export names");

    const auto signature_length = terminated(record.signature, sizeof record.signature);
    if (!signature_length || *signature_length == 0)
        reject(name, field(index) + " (" + e.name + ") signature", "empty or not NUL-terminated",
               "a return type and up to " + std::to_string(HL_MAX_ARGS) + " parameter types");
    const std::string signature(record.signature, *signature_length);
    e.result = signature[0];
    e.parameters = signature.substr(1);
    if (e.result != 'v' && kValueTypes.find(e.result) == std::string_view::npos)
        reject(name, field(index) + " (" + e.name + ") signature",
               "unknown return type '" + printable({&e.result, 1}) + "'", "one of i l u d b s y v");
    for (const char c : e.parameters)
        if (kValueTypes.find(c) == std::string_view::npos)
            reject(name, field(index) + " (" + e.name + ") signature",
                   "unknown parameter type '" + printable({&c, 1}) + "'", "one of i l u d b s y");
    if (e.parameters.size() > HL_MAX_ARGS)
        reject(name, field(index) + " (" + e.name + ") signature",
               std::to_string(e.parameters.size()) + " parameters", "at most " + std::to_string(HL_MAX_ARGS));

    e.thunk = record.thunk;
    const bool executable = std::any_of(segments.begin(), segments.end(), [&](const Segment& s) {
        return s.executable && e.thunk >= s.vaddr && e.thunk - s.vaddr < s.memsz;
    });
    if (!executable)
        reject(name, field(index) + " (" + e.name + ") thunk", hex(e.thunk) + " is not in an executable segment",
               "the address of its code");
    return e;
}

std::vector<Export> read_exports(const std::string& name, Elf* elf, const std::vector<Segment>& segments,
                                 std::span<const uint8_t> file)
{
    size_t strings = 0;
    if (elf_getshdrstrndx(elf, &strings) != 0)
        return {};
    GElf_Shdr shdr{};
    bool found = false;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        if (!gelf_getshdr(scn, &shdr))
            return {};
        const char* section = elf_strptr(elf, strings, shdr.sh_name);
        if (section && std::strcmp(section, HL_EXPORT_SECTION) == 0) {
            found = true;
            break;
        }
    }
    if (!found)
        return {};

    const std::string where = std::string("section ") + HL_EXPORT_SECTION;
    if (shdr.sh_size % sizeof(hl_export) != 0)
        reject(name, where, "size " + hex(shdr.sh_size) + " is not a whole number of records",
               "a multiple of " + std::to_string(sizeof(hl_export)) + " bytes");
    const uint64_t count = shdr.sh_size / sizeof(hl_export);
    if (count > HL_MAX_EXPORTS)
        reject(name, where, std::to_string(count) + " exports", "at most " + std::to_string(HL_MAX_EXPORTS));
    // The records are read where the guest will see them: in a loaded, read-only segment's file bytes.
    const Segment* home = nullptr;
    for (const Segment& s : segments)
        if (shdr.sh_addr >= s.vaddr && shdr.sh_addr - s.vaddr <= s.filesz && shdr.sh_size <= s.filesz - (shdr.sh_addr - s.vaddr))
            home = &s;
    if (!home || home->writable || home->executable)
        reject(name, where, "at " + hex(shdr.sh_addr) + " is not inside a read-only loaded segment",
               "the records in rodata (link with hlbuild)");
    const uint64_t offset = home->offset + (shdr.sh_addr - home->vaddr);
    std::vector<Export> exports;
    for (uint64_t i = 0; i < count; ++i) {
        hl_export record;
        std::memcpy(&record, file.data() + offset + i * sizeof record, sizeof record);
        exports.push_back(check_export(name, static_cast<uint32_t>(i), record, segments, exports));
    }
    return exports;
}

} // namespace rules
} // namespace hl
