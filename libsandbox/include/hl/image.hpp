// hl::Image: a guest image (static x86-64 ELF executable) read with libelf and
// validated against the rules of hl-abi(7). An Image that exists is valid:
// construction either succeeds or throws ImageError naming the file and the
// offending field or segment. Owns a copy of the file's bytes.
#pragma once

#include <hl/error.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

struct Segment {
    uint64_t vaddr = 0;   // page-aligned
    uint64_t memsz = 0;   // bytes in guest memory (> 0)
    uint64_t filesz = 0;  // bytes taken from the file (<= memsz; == memsz if executable), rest is zero
    uint64_t offset = 0;  // file offset of the first byte
    bool readable = false;
    bool writable = false;
    bool executable = false;
};

struct ImageNote {
    uint32_t abi_version = 0;
    uint64_t stack_size = 0;
    uint64_t heap_size = 0;
};

// A function the guest exports (HL_EXPORT), as the image's .hl_exports
// section records it. Types are the ABI's characters (see <hl/abi.h>).
struct Export {
    uint32_t index = 0;           // position in .hl_exports: what a call names
    std::string name;
    char result = 'v';
    std::string parameters;       // one character per parameter
    uint64_t thunk = 0;
};

// "i32", "i64", "u64", "f64", "bool", "string", "bytes", "void"; "?" otherwise.
const char* type_name(char code);
// "i64 add(i64, i64)"
std::string describe_export(const Export& e);
// Whether `name` can name an export or a host function: a C identifier
// ([A-Za-z_][A-Za-z0-9_]*) that fits the ABI's name field, at most
// HL_EXPORT_NAME_MAX - 1 bytes.
bool valid_function_name(std::string_view name);
// "add takes 2 arguments, got 1 (i64 add(i64, i64))": the one message for a
// call with the wrong number of arguments, whoever refuses it.
std::string argument_count_error(const Export& e, size_t given);

struct Symbol {
    uint64_t address = 0;
    uint64_t size = 0;
    std::string name;
};

class Image {
public:
    // Reads and validates the file. ImageError::Kind::Unreadable when the file
    // cannot be opened or read, Kind::Invalid for every rule it breaks.
    static Image load(const std::filesystem::path& path);

    // Validates bytes already in memory; `name` is used in messages.
    static Image parse(std::string name, std::vector<uint8_t> bytes);

    const std::string& name() const { return name_; }
    uint64_t entry() const { return entry_; }
    // PT_LOAD segments, sorted by address, non-overlapping.
    const std::vector<Segment>& segments() const { return segments_; }
    const ImageNote& note() const { return note_; }
    // Function and object symbols from .symtab, sorted by address; empty when stripped.
    const std::vector<Symbol>& symbols() const { return symbols_; }
    // Exported functions in section order; empty when the image has none.
    const std::vector<Export>& exports() const { return exports_; }
    const Export* find_export(std::string_view name) const;
    // The file bytes of a segment (filesz bytes).
    std::span<const uint8_t> segment_bytes(const Segment& segment) const;
    // "name+0x1f" for the symbol containing address, or nullopt.
    std::optional<std::string> symbolize(uint64_t address) const;
    // One past the highest byte any segment occupies in memory.
    uint64_t end_address() const;

private:
    Image() = default;
    std::string name_;
    std::vector<uint8_t> bytes_;
    uint64_t entry_ = 0;
    std::vector<Segment> segments_;
    ImageNote note_;
    std::vector<Symbol> symbols_;
    std::vector<Export> exports_;
};

// "no export named 'NAME'; the image exports: add, greet", or "...: nothing
// (see HL_EXPORT in hl-abi(7))": the one message for a call to a name the
// image does not export.
std::string unknown_export_error(const Image& image, std::string_view name);

} // namespace hl
