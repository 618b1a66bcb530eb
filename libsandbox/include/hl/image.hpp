// hl::Image: a guest image (static x86-64 ELF executable) read with libelf and
// validated against the rules of hl-abi(7). An Image that exists is valid:
// construction either succeeds or throws ImageError naming the file and the
// offending field or segment. Owns a copy of the file's bytes.
//
// Which rules apply depends on the image's personality: an image with the hl
// note is an hl guest; one without it is a static Linux executable (built
// with musl-gcc -static), checked as Linux would load it (hl-abi(7), "Static
// Linux executables").
#pragma once

#include <hl/version.hpp>

#include <hl/error.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

// How the host runs an image: as an hl guest (hypercalls, the hl note) or as
// a static Linux executable (system calls).
enum class Personality { Hl, Linux };

// "hl", "linux".
const char* personality_name(Personality personality);

// The architectures hl runs guests of. KVM runs guests of its host's
// architecture only, so images are validated for the host's unless another
// is named (hlbuild checks what it built for another host so).
enum class Architecture { X86_64, Aarch64 };
Architecture host_architecture();
// "x86-64" or "aarch64".
const char* architecture_name(Architecture architecture);

struct Segment {
    uint64_t vaddr = 0;   // address of the first byte: page-aligned in hl images; a Linux image's
                          // segment may start mid-page and then takes the whole page it starts in
    uint64_t memsz = 0;   // bytes in guest memory (> 0)
    uint64_t filesz = 0;  // bytes taken from the file (<= memsz; == memsz if executable), rest is zero
    uint64_t offset = 0;  // file offset of the first byte
    bool readable = false;
    bool writable = false;
    bool executable = false;
};

// A PT_TLS: the template of the initial thread's thread-local storage.
// Its first filesz bytes are at vaddr, inside a loaded segment's file bytes;
// the rest, up to memsz, is zero.
struct TlsSegment {
    uint64_t vaddr = 0;
    uint64_t filesz = 0;
    uint64_t memsz = 0;
    uint64_t align = 0;
};

struct ImageNote {
    uint32_t abi_version = 0;
    uint32_t flags = 0;          // HL_NOTE_* bits of <hl/abi.h>
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
    // st_size; for a function the table gives no size (hand-written
    // assembly), the bytes up to the next symbol or the end of its section.
    uint64_t size = 0;
    std::string name;
};

class Image {
public:
    // Reads and validates the file. ImageError::Kind::Unreadable when the file
    // cannot be opened or read, Kind::Invalid for every rule it breaks.
    static Image load(const std::filesystem::path& path);
    // The same for an image of `architecture`, which need not be the host's:
    // such an image can be inspected, not run here.
    static Image load(const std::filesystem::path& path, Architecture architecture);

    // Validates bytes already in memory; `name` is used in messages.
    static Image parse(std::string name, std::vector<uint8_t> bytes);
    static Image parse(std::string name, std::vector<uint8_t> bytes, Architecture architecture);

    const std::string& name() const { return c_->name_; }
    // Hl when the image has the hl note, Linux when it has none.
    Personality personality() const { return c_->personality_; }
    // Whether the host serves the guest's Linux system calls and starts it
    // with a Linux initial stack: a Linux executable, or an hl image linked
    // against musl (its note has HL_NOTE_LINUX_SYSCALLS).
    bool serves_system_calls() const;
    uint64_t entry() const { return c_->entry_; }
    // PT_LOAD segments, sorted by address, non-overlapping, no two on one page.
    const std::vector<Segment>& segments() const { return c_->segments_; }
    // The hl note. A Linux image has none: abi_version 0 and the default
    // stack and minimum heap of <hl/abi.h> (HL_STACK_DEFAULT, HL_HEAP_DEFAULT).
    const ImageNote& note() const { return c_->note_; }
    // Function and object symbols from .symtab, sorted by address; empty when stripped.
    const std::vector<Symbol>& symbols() const { return c_->symbols_; }
    // Exported functions in section order; empty when the image has none,
    // and always for a Linux image.
    const std::vector<Export>& exports() const { return c_->exports_; }

    // The program header table, for a Linux initial stack's auxiliary vector.
    // Size of one entry (e_phentsize, AT_PHENT): always sizeof(Elf64_Phdr), 56.
    uint16_t program_header_size() const { return c_->program_header_size_; }
    // Number of entries (e_phnum, AT_PHNUM): 1 to 64.
    uint16_t program_header_count() const { return c_->program_header_count_; }
    // The table's bytes as in the file: count * size bytes from e_phoff.
    std::span<const uint8_t> program_header_bytes() const;
    // Where the table is in guest memory once the segments are loaded
    // (AT_PHDR): set when one PT_LOAD's file bytes hold the whole table,
    // nullopt when none does (as in hlbuild's images, which do not load their headers).
    std::optional<uint64_t> program_headers_address() const { return c_->program_headers_address_; }
    // The PT_TLS of a Linux image or of an hl image that serves system calls;
    // nullopt when it has none (other hl images never do).
    const std::optional<TlsSegment>& tls() const { return c_->tls_; }
    const Export* find_export(std::string_view name) const;
    // The file bytes of a segment (filesz bytes).
    std::span<const uint8_t> segment_bytes(const Segment& segment) const;
    // "name+0x1f" for the symbol containing address, or nullopt.
    std::optional<std::string> symbolize(uint64_t address) const;
    // One past the highest byte any segment occupies in memory.
    uint64_t end_address() const;
    // The whole file, as loaded.
    std::span<const uint8_t> bytes() const { return c_->bytes_; }
    // Whether other is this image: a copy of it, or the same bytes parsed again.
    bool same_as(const Image& other) const;

private:
    Image() = default;
    // Immutable once parsed and shared by every copy: a sandbox keeps its
    // image, and a thousand sandboxes of one image should not hold a thousand
    // copies of its bytes and symbols.
    struct Contents {
        std::string name_;
        std::vector<uint8_t> bytes_;
        Personality personality_ = Personality::Hl;
        uint64_t entry_ = 0;
        std::vector<Segment> segments_;
        ImageNote note_;
        uint16_t program_header_size_ = 0;
        uint16_t program_header_count_ = 0;
        uint64_t program_header_offset_ = 0;
        std::optional<uint64_t> program_headers_address_;
        std::optional<TlsSegment> tls_;
        std::vector<Symbol> symbols_;
        std::vector<Export> exports_;
    };
    std::shared_ptr<const Contents> c_;
};

// "no export named 'NAME'; the image exports: add, greet", or "...: nothing
// (see HL_EXPORT in hl-abi(7))": the one message for a call to a name the
// image does not export.
std::string unknown_export_error(const Image& image, std::string_view name);

} // namespace hl
