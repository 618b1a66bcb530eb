// Personality detection and the rules of static Linux executables: what makes
// an image one, and the kinds hl refuses with a line that says what to do.
#include "image/elf_linux_rules.hpp"

#include "image/elf_notes.hpp"
#include "image/elf_rules.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace hl::rules {
namespace {

const std::string kLinuxStatic = "a static executable (link with musl-gcc -static, or hlbuild)";

} // namespace

Personality detect_personality(std::span<const uint8_t> file) {
    Elf64_Ehdr ehdr;
    if (file.size() < sizeof ehdr || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0 ||
        file[EI_CLASS] != ELFCLASS64 || file[EI_DATA] != ELFDATA2LSB)
        return Personality::Hl;
    std::memcpy(&ehdr, file.data(), sizeof ehdr);
    const uint64_t table_size = uint64_t{ehdr.e_phnum} * sizeof(Elf64_Phdr);
    if (ehdr.e_phentsize != sizeof(Elf64_Phdr) || ehdr.e_phnum == 0 || ehdr.e_phnum > kMaxProgramHeaders ||
        ehdr.e_phoff < sizeof ehdr || !inside_file(ehdr.e_phoff, table_size, file.size()))
        return Personality::Hl;
    std::vector<Elf64_Phdr> phdrs(ehdr.e_phnum);
    std::memcpy(phdrs.data(), file.data() + ehdr.e_phoff, phdrs.size() * sizeof(Elf64_Phdr));
    bool hl_note = false;
    // A note that is not well formed ends the look; the rules refuse it later,
    // with the same message whichever personality the image got.
    (void)walk_notes(phdrs, file, [&](const Note& note) { hl_note = hl_note || is_hl_note(note); });
    return hl_note ? Personality::Hl : Personality::Linux;
}

void check_linux_kind(const std::string& name, const Elf64_Ehdr& ehdr, std::span<const Elf64_Phdr> phdrs,
                      std::span<const uint8_t> file) {
    // A dynamic loader first: gcc's default output is a dynamically linked PIE,
    // and linking it statically is what fixes it.
    for (size_t i = 0; i < phdrs.size(); ++i)
        if (phdrs[i].p_type == PT_INTERP)
            reject(name, header_name(i, "PT_INTERP"), "a dynamically linked executable (it asks for a dynamic loader)",
                   kLinuxStatic);
    if (ehdr.e_type == ET_DYN)
        reject(name, "e_type",
               "ET_DYN, a position-independent executable (PIE or static-pie), which hl does not support",
               "ET_EXEC (link with musl-gcc -static -no-pie)");
    if (ehdr.e_type != ET_EXEC)
        reject(name, "e_type", type_problem(ehdr.e_type), "ET_EXEC, " + kLinuxStatic);
    for (size_t i = 0; i < phdrs.size(); ++i)
        if (phdrs[i].p_type == PT_DYNAMIC)
            reject(name, header_name(i, "PT_DYNAMIC"),
                   "a dynamically linked executable (it holds dynamic linking information)", kLinuxStatic);
    // Notes that are not well formed are refused later, as in hl images; here
    // only a glibc mark before them counts.
    (void)walk_notes(phdrs, file, [&](const Note& note) {
        if (note.type == NT_GNU_ABI_TAG && note.owned_by("GNU"))
            reject(name, "note",
                   "an NT_GNU_ABI_TAG note in " + header_name(note.header, "PT_NOTE") +
                       " marks a static glibc executable, which hl does not support",
                   "a static musl executable (link with musl-gcc -static)");
    });
}

std::optional<TlsSegment> find_tls(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                                   const std::vector<Segment>& segments) {
    std::optional<TlsSegment> tls;
    std::optional<size_t> first;
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const Elf64_Phdr& ph = phdrs[i];
        if (ph.p_type != PT_TLS)
            continue;
        const std::string field = header_name(i, "PT_TLS");
        if (first)
            reject(name, field, "a second PT_TLS (the first is " + header_name(*first, "PT_TLS") + ")",
                   "at most one");
        if (ph.p_filesz > ph.p_memsz)
            reject(name, field + ": p_filesz", hex(ph.p_filesz) + " exceeds p_memsz " + hex(ph.p_memsz),
                   "at most p_memsz");
        // The template is read from memory at p_vaddr, so it must be loaded
        // there; written without a sum that could wrap.
        auto holds_template = [&](const Segment& s) {
            return ph.p_vaddr >= s.vaddr && ph.p_vaddr - s.vaddr <= s.filesz &&
                   ph.p_filesz <= s.filesz - (ph.p_vaddr - s.vaddr);
        };
        if (ph.p_filesz != 0 && std::none_of(segments.begin(), segments.end(), holds_template))
            reject(name, field + ": p_vaddr",
                   "its " + hex(ph.p_filesz) + " template bytes at " + hex(ph.p_vaddr) +
                       " are not inside a PT_LOAD's file bytes",
                   "the template inside a loaded segment");
        tls = TlsSegment{ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_align};
        first = i;
    }
    return tls;
}

std::optional<uint64_t> program_headers_address(const std::vector<Segment>& segments, uint64_t offset,
                                                uint64_t size) {
    for (const Segment& s : segments)
        if (offset >= s.offset && offset - s.offset <= s.filesz && size <= s.filesz - (offset - s.offset))
            return s.vaddr + (offset - s.offset);
    return std::nullopt;
}

void check_phdr_segment(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                        std::optional<uint64_t> table_address) {
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const Elf64_Phdr& ph = phdrs[i];
        if (ph.p_type != PT_PHDR)
            continue;
        const std::string field = header_name(i, "PT_PHDR") + ": p_vaddr";
        if (!table_address)
            reject(name, field, hex(ph.p_vaddr) + ", but no PT_LOAD loads the program header table",
                   "a PT_LOAD whose file bytes hold the table, or no PT_PHDR");
        if (ph.p_vaddr != *table_address)
            reject(name, field,
                   hex(ph.p_vaddr) + " is not where the program header table is loaded (" + hex(*table_address) + ")",
                   hex(*table_address));
    }
}

} // namespace hl::rules
