// hlrun inspect: what an image holds, read from the file alone: its
// personality, entry point, note (hl images) or thread-local storage (Linux
// executables), segments with their permissions, and the functions it exports;
// for a snapshot file, its memory and whether it was taken right after
// initialisation, then the same of its image; for a core file (hlrun --core),
// which image stopped, how, where, and the memory it holds.
//   hlrun inspect [--json] IMAGE|SNAPSHOT|CORE
#include "command_line.hpp"
#include "hlrun_common.hpp"
#include "hlrun_exit_codes.hpp"
#include "hlrun_subcommands.hpp"
#include "logging.hpp"

#include <hl/core_file.hpp>
#include <hl/text.hpp>
#include <hl/units.hpp>

#include <fmt/format.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace hl::cli {
namespace {

std::string permissions(const Segment& s)
{
    return std::string(s.readable ? "r" : "-") + (s.writable ? "w" : "-") + (s.executable ? "x" : "-");
}

std::string text_of(const Image& image)
{
    const bool hl_image = image.personality() == Personality::Hl;
    const auto entry_symbol = image.symbolize(image.entry());
    const char* personality = !hl_image                     ? "linux: static executable, no hl note"
                              : image.serves_system_calls() ? "hl, Linux system calls (musl)"
                                                            : "hl";
    std::string out = fmt::format("image       {}\npersonality {}\nentry       {:#x}{}\n", image.name(), personality,
                                  image.entry(), entry_symbol ? " (" + *entry_symbol + ")" : "");
    if (hl_image) {
        const ImageNote& note = image.note();
        out += fmt::format("abi         {}\nstack       {}\nheap        {} (minimum)\n", note.abi_version,
                           format_size(note.stack_size), format_size(note.heap_size));
    }
    // An image whose C library is musl may have thread-local storage; the tiny libc's never does.
    if (image.serves_system_calls()) {
        const auto& tls = image.tls();
        out += tls ? fmt::format("tls         {:#x}, {} bytes ({} from the file), align {}\n", tls->vaddr,
                                 tls->memsz, tls->filesz, tls->align)
                   : std::string("tls         none\n");
    }
    out += "segments\n";
    for (const Segment& s : image.segments())
        out += fmt::format("  0x{:08x}  {:10} bytes  {}\n", s.vaddr, s.memsz, permissions(s));
    if (!hl_image) // exports are an hl runtime's: a Linux executable has none to list
        return out;
    out += fmt::format("exports     {}\n", image.exports().size());
    for (const Export& e : image.exports())
        out += "  " + describe_export(e) + "\n";
    return out;
}

std::string json_of(const Image& image)
{
    const bool hl_image = image.personality() == Personality::Hl;
    const ImageNote& note = image.note();
    // Every field on every image, null where it does not apply: the note's
    // on a Linux executable, tls on an hl image or an executable without one.
    auto note_field = [&](uint64_t value) { return hl_image ? std::to_string(value) : std::string("null"); };
    std::string tls = "null";
    if (const auto& t = image.tls())
        tls = "{\"address\":" + std::to_string(t->vaddr) + ",\"size\":" + std::to_string(t->memsz) +
              ",\"file_size\":" + std::to_string(t->filesz) + ",\"align\":" + std::to_string(t->align) + "}";
    std::string out = "{\"image\":" + json_string(image.name()) + ",\"personality\":\"" +
                      personality_name(image.personality()) + "\",\"system_calls\":" +
                      (image.serves_system_calls() ? "true" : "false") + ",\"entry\":" + std::to_string(image.entry()) +
                      ",\"abi\":" + note_field(note.abi_version) + ",\"stack\":" + note_field(note.stack_size) +
                      ",\"heap\":" + note_field(note.heap_size) + ",\"tls\":" + tls + ",\"segments\":[";
    for (size_t i = 0; i < image.segments().size(); ++i) {
        const Segment& s = image.segments()[i];
        out += (i ? "," : "") + std::string("{\"address\":") + std::to_string(s.vaddr) + ",\"size\":" +
               std::to_string(s.memsz) + ",\"permissions\":\"" + permissions(s) + "\"}";
    }
    out += "],\"exports\":[";
    for (size_t i = 0; i < image.exports().size(); ++i) {
        const Export& e = image.exports()[i];
        out += (i ? "," : "") + std::string("{\"name\":") + json_string(e.name) + ",\"returns\":\"" + type_name(e.result) +
               "\",\"parameters\":[";
        for (size_t k = 0; k < e.parameters.size(); ++k)
            out += (k ? ",\"" : "\"") + std::string(type_name(e.parameters[k])) + "\"";
        out += "]}";
    }
    out += "]}\n";
    return out;
}

// A snapshot file: what it holds, then its image as for an image file.
std::string snapshot_text(const std::string& path, const Snapshot& snapshot)
{
    return fmt::format("snapshot    {}\nmemory      {} ({} stored)\ninitialised {}\n", path,
                       format_size(snapshot.memory_size()), format_size(snapshot.stored_bytes()),
                       snapshot.after_initialize() ? "yes: fresh calls return to it" : "no: calls ran before it") +
           text_of(snapshot.image());
}

std::string snapshot_json(const std::string& path, const Snapshot& snapshot)
{
    std::string image = json_of(snapshot.image());
    image.pop_back(); // its newline
    return "{\"snapshot\":" + json_string(path) + ",\"memory\":" + std::to_string(snapshot.memory_size()) +
           ",\"stored\":" + std::to_string(snapshot.stored_bytes()) + ",\"initialised\":" +
           (snapshot.after_initialize() ? "true" : "false") + ",\"image\":" + image + "}\n";
}

std::string signal_name(int signal)
{
    const char* abbreviation = sigabbrev_np(signal);
    return abbreviation ? std::string("SIG") + abbreviation : std::to_string(signal);
}

std::string segment_permissions(const CoreFile::Segment& s)
{
    return std::string("r") + (s.writable ? "w" : "-") + (s.executable ? "x" : "-");
}

std::string core_text(const std::string& path, const CoreFile& core)
{
    std::string out = fmt::format("core        {}\nimage       {}\nsha256      {}\nstopped     {}: {}\nat          {}\n"
                                  "signal      {} ({})\narguments   {}\nwritten by  hl {}\nregisters  ",
                                  printable(path), printable(core.image), printable(core.image_sha256),
                                  printable(core.ending), printable(core.message), printable(core.where),
                                  signal_name(core.signal), core.signal, printable(core.arguments),
                                  printable(core.hl_version));
    for (const auto& [name, value] : core.registers)
        out += " " + name + "=" + format_hex(value);
    out += "\nsegments\n";
    for (const CoreFile::Segment& s : core.segments)
        out += fmt::format("  0x{:08x}  {:10} bytes  {}\n", s.address, s.size, segment_permissions(s));
    return out;
}

std::string core_json(const std::string& path, const CoreFile& core)
{
    std::string out = "{\"core\":" + json_string(path) + ",\"hl\":" + json_string(core.hl_version) +
                      ",\"image\":" + json_string(core.image) + ",\"image_sha256\":" + json_string(core.image_sha256) +
                      ",\"ending\":" + json_string(core.ending) + ",\"message\":" + json_string(core.message) +
                      ",\"where\":" + json_string(core.where) + ",\"signal\":" + std::to_string(core.signal) +
                      ",\"signal_name\":" + json_string(signal_name(core.signal)) +
                      ",\"program\":" + json_string(core.program) + ",\"arguments\":" + json_string(core.arguments) +
                      ",\"registers\":{";
    for (size_t i = 0; i < core.registers.size(); ++i)
        out += (i ? ",\"" : "\"") + core.registers[i].first + "\":" + std::to_string(core.registers[i].second);
    out += "},\"segments\":[";
    for (size_t i = 0; i < core.segments.size(); ++i) {
        const CoreFile::Segment& s = core.segments[i];
        out += (i ? "," : "") + std::string("{\"address\":") + std::to_string(s.address) + ",\"size\":" +
               std::to_string(s.size) + ",\"permissions\":\"" + segment_permissions(s) + "\"}";
    }
    return out + "]}\n";
}

} // namespace

int hlrun_inspect(int argc, char** argv)
{
    bool json = false;
    bool exports = false;
    std::string path;
    CLI::App app{"Show what a guest image holds, without running it (see hlrun(1))", "hlrun inspect"};
    set_up_command(app, "hlrun", "hlrun inspect [--json | --exports] IMAGE|SNAPSHOT|CORE");
    CLI::Option* json_option = app.add_flag("--json", json, "Print one JSON object");
    app.add_flag("--exports", exports, "Print the names of the functions an image or snapshot exports, one a line")
        ->excludes(json_option);
    app.add_option("IMAGE", path, "The guest image, a snapshot file or a core file")->required();
    if (const auto status = parse_command_line(app, argc, argv, kExitUsage))
        return *status;
    if (exports)
        return guarded([&] {
            if (CoreFile::is_core_file(path)) {
                log_error("--exports: {} is a core file, which exports nothing", path);
                return static_cast<int>(kExitUsage);
            }
            const Image image = Snapshot::is_snapshot_file(path) ? Snapshot::load(path).image() : Image::load(path);
            std::string names;
            for (const Export& e : image.exports())
                names += e.name + "\n";
            return print_to_stdout(names, "the exports of " + path);
        });
    return guarded([&] {
        if (CoreFile::is_core_file(path)) {
            const CoreFile core = CoreFile::load(path);
            return print_to_stdout(json ? core_json(path, core) : core_text(path, core), "what " + path + " holds");
        }
        if (Snapshot::is_snapshot_file(path)) {
            const Snapshot snapshot = Snapshot::load(path);
            return print_to_stdout(json ? snapshot_json(path, snapshot) : snapshot_text(path, snapshot),
                                   "what " + path + " holds");
        }
        const Image image = Image::load(path);
        return print_to_stdout(json ? json_of(image) : text_of(image), "what " + path + " holds");
    });
}

} // namespace hl::cli
