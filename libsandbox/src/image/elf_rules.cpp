// The image rules of hl-abi(7): header, program header, entry and note checks
// that decide whether an ELF file is a runnable hl guest image.
#include "image/elf_rules.hpp"

#include "pages.hpp"

#include <hl/units.hpp>

#include <hl/abi.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <optional>

namespace hl::rules {
namespace {

// Headers are copied straight out of the file, which is little-endian.
static_assert(std::endian::native == std::endian::little, "host must be little-endian");

constexpr uint64_t kWindowStart = HL_IMAGE_WINDOW_START;
constexpr uint64_t kWindowEnd = HL_IMAGE_WINDOW_END;
const std::string kStatic = "a static executable (link with hlbuild)";

std::string window() { return "[" + hex(kWindowStart) + ", " + hex(kWindowEnd) + ")"; }

std::string header_name(size_t index, const char* type) {
    return "program header " + std::to_string(index) + " (" + type + ")";
}

// True when [offset, offset + size) fits in a file of file_size bytes.
bool inside_file(uint64_t offset, uint64_t size, uint64_t file_size) {
    return offset <= file_size && size <= file_size - offset;
}

std::string machine_name(uint16_t machine) {
    switch (machine) {
    case EM_386: return " (EM_386)";
    case EM_ARM: return " (EM_ARM)";
    case EM_AARCH64: return " (EM_AARCH64)";
    case EM_RISCV: return " (EM_RISCV)";
    default: return "";
    }
}

std::string type_problem(uint16_t type) {
    switch (type) {
    case ET_DYN: return "ET_DYN (a PIE or shared object)";
    case ET_REL: return "ET_REL (an object file)";
    case ET_CORE: return "ET_CORE (a core dump)";
    default: return "unknown type " + hex(type);
    }
}

const char* phdr_type_name(uint32_t type) {
    switch (type) {
    case PT_NULL: return "PT_NULL";
    case PT_LOAD: return "PT_LOAD";
    case PT_DYNAMIC: return "PT_DYNAMIC";
    case PT_INTERP: return "PT_INTERP";
    case PT_NOTE: return "PT_NOTE";
    case PT_SHLIB: return "PT_SHLIB";
    case PT_PHDR: return "PT_PHDR";
    case PT_TLS: return "PT_TLS";
    case PT_GNU_EH_FRAME: return "PT_GNU_EH_FRAME";
    case PT_GNU_STACK: return "PT_GNU_STACK";
    case PT_GNU_RELRO: return "PT_GNU_RELRO";
    case PT_GNU_PROPERTY: return "PT_GNU_PROPERTY";
    default: return nullptr;
    }
}

// hl loads PT_LOAD and reads PT_NOTE; PT_GNU_STACK, which a hand link may add,
// is a marker it accepts in its harmless form. Any other type is refused
// rather than skipped: a PT_LOAD relabelled PT_NULL or PT_TLS would otherwise
// be dropped without a word.
void check_type(const std::string& name, size_t index, uint32_t type) {
    if (type == PT_LOAD || type == PT_NOTE || type == PT_GNU_STACK)
        return;
    const char* known = phdr_type_name(type);
    reject(name, "program header " + std::to_string(index) + ": p_type",
           hex(type) + (known ? std::string(" (") + known + ")" : "") + " is not a type hl accepts",
           "PT_LOAD, PT_NOTE or PT_GNU_STACK");
}

// Rules every accepted program header follows, whatever its type.
void check_flags_and_align(const std::string& name, const std::string& field, const Elf64_Phdr& ph) {
    constexpr uint32_t kKnownFlags = PF_R | PF_W | PF_X;
    if ((ph.p_flags & ~kKnownFlags) != 0)
        reject(name, field + "p_flags", hex(ph.p_flags) + " has unknown bits " + hex(ph.p_flags & ~kKnownFlags),
               "only PF_R, PF_W and PF_X (" + hex(kKnownFlags) + ")");
    if (!std::has_single_bit(ph.p_align) && ph.p_align != 0)
        reject(name, field + "p_align", hex(ph.p_align) + " is not a power of two", "0 or a power of two");
}

// A PT_GNU_STACK only says whether the stack may be executable; hl stacks never
// are, so it must load nothing and not ask for PF_X.
void check_stack_marker(const std::string& name, size_t index, const Elf64_Phdr& ph) {
    const std::string field = header_name(index, "PT_GNU_STACK") + ": ";
    const std::string marker = "0 (PT_GNU_STACK only marks the stack non-executable)";
    if (ph.p_filesz != 0)
        reject(name, field + "p_filesz", hex(ph.p_filesz), marker);
    if (ph.p_memsz != 0)
        reject(name, field + "p_memsz", hex(ph.p_memsz), marker);
    if ((ph.p_flags & PF_X) != 0)
        reject(name, field + "p_flags", "PF_X asks for an executable stack",
               "no PF_X (hl stacks are never executable)");
}

void check_load(const std::string& name, size_t index, const Elf64_Phdr& ph, uint64_t file_size) {
    const std::string field = header_name(index, "PT_LOAD") + ": ";
    if (ph.p_filesz > ph.p_memsz)
        reject(name, field + "p_filesz", hex(ph.p_filesz) + " exceeds p_memsz " + hex(ph.p_memsz),
               "at most p_memsz");
    if (ph.p_memsz == 0)
        reject(name, field + "p_memsz", "0", "a nonempty segment");
    if (ph.p_vaddr % kPage != 0)
        reject(name, field + "p_vaddr", hex(ph.p_vaddr) + " is not page-aligned", "a multiple of " + hex(kPage));
    if (ph.p_offset % kPage != ph.p_vaddr % kPage)
        reject(name, field + "p_offset",
               hex(ph.p_offset) + " differs from p_vaddr " + hex(ph.p_vaddr) + " modulo " + hex(kPage),
               "equal page offsets");
    if (ph.p_align > 1 && ph.p_vaddr % ph.p_align != ph.p_offset % ph.p_align)
        reject(name, field + "p_align",
               "p_vaddr " + hex(ph.p_vaddr) + " and p_offset " + hex(ph.p_offset) + " differ modulo " +
                   hex(ph.p_align),
               "them equal modulo p_align");
    // A bss-only segment reads nothing from the file, so its offset is not bounded.
    if (ph.p_filesz != 0 && !inside_file(ph.p_offset, ph.p_filesz, file_size))
        reject(name, field + "p_filesz",
               hex(ph.p_filesz) + " bytes at p_offset " + hex(ph.p_offset) + " extend past end of file (" +
                   hex(file_size) + " bytes)",
               "them inside the file");
    uint64_t end = 0;
    if (__builtin_add_overflow(ph.p_vaddr, ph.p_memsz, &end))
        reject(name, field + "p_memsz", hex(ph.p_memsz) + " at p_vaddr " + hex(ph.p_vaddr) + " overflows",
               "a segment inside " + window());
    if (ph.p_vaddr < kWindowStart || end > kWindowEnd)
        reject(name, field + "p_vaddr",
               "segment [" + hex(ph.p_vaddr) + ", " + hex(end) + ") is outside the image window",
               "it inside " + window());
    if ((ph.p_flags & PF_R) == 0)
        reject(name, field + "p_flags", "segment is not readable", "PF_R");
    if ((ph.p_flags & PF_W) != 0 && (ph.p_flags & PF_X) != 0)
        reject(name, field + "p_flags", "segment is writable and executable", "at most one of PF_W and PF_X");
    // Zero-filled executable memory is code nobody wrote: every executable byte
    // must come from the file.
    if ((ph.p_flags & PF_X) != 0 && ph.p_filesz < ph.p_memsz)
        reject(name, field + "p_filesz",
               hex(ph.p_filesz) + " is below p_memsz " + hex(ph.p_memsz) + " in an executable segment",
               "p_filesz equal to p_memsz (no zero-filled executable memory)");
}

} // namespace

std::string hex(uint64_t value) {
    return format_hex(value);
}

void reject(const std::string& name, const std::string& field, const std::string& problem,
            const std::string& expected) {
    throw ImageError(ImageError::Kind::Invalid, name + ": " + field + ": " + problem + ", expected " + expected);
}

Elf64_Ehdr check_elf_header(const std::string& name, std::span<const uint8_t> file) {
    if (file.size() < SELFMAG || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0)
        reject(name, "e_ident", file.empty() ? "not an ELF file (empty)" : "not an ELF file",
               "magic 7f 45 4c 46");
    if (file.size() > EI_CLASS && file[EI_CLASS] != ELFCLASS64)
        reject(name, "e_ident[EI_CLASS]",
               file[EI_CLASS] == ELFCLASS32 ? "32-bit ELF (ELFCLASS32)" : "unknown class " + hex(file[EI_CLASS]),
               "ELFCLASS64");
    if (file.size() > EI_DATA && file[EI_DATA] != ELFDATA2LSB)
        reject(name, "e_ident[EI_DATA]",
               file[EI_DATA] == ELFDATA2MSB ? "big-endian (ELFDATA2MSB)" : "unknown encoding " + hex(file[EI_DATA]),
               "little-endian (ELFDATA2LSB)");
    if (file.size() > EI_VERSION && file[EI_VERSION] != EV_CURRENT)
        reject(name, "e_ident[EI_VERSION]", hex(file[EI_VERSION]), "1 (EV_CURRENT)");
    if (file.size() < sizeof(Elf64_Ehdr))
        reject(name, "ELF header", "truncated at " + std::to_string(file.size()) + " bytes",
               std::to_string(sizeof(Elf64_Ehdr)) + " bytes");

    Elf64_Ehdr ehdr;
    std::memcpy(&ehdr, file.data(), sizeof ehdr);
    if (ehdr.e_machine != EM_X86_64)
        reject(name, "e_machine", hex(ehdr.e_machine) + machine_name(ehdr.e_machine), "0x3e (EM_X86_64)");
    if (ehdr.e_version != EV_CURRENT)
        reject(name, "e_version", hex(ehdr.e_version), "1 (EV_CURRENT)");
    if (ehdr.e_type != ET_EXEC)
        reject(name, "e_type", type_problem(ehdr.e_type), "ET_EXEC, " + kStatic);
    if (ehdr.e_phentsize != sizeof(Elf64_Phdr))
        reject(name, "e_phentsize", std::to_string(ehdr.e_phentsize),
               std::to_string(sizeof(Elf64_Phdr)) + " (sizeof(Elf64_Phdr))");
    if (ehdr.e_phnum == 0 || ehdr.e_phnum > kMaxProgramHeaders)
        reject(name, "e_phnum", std::to_string(ehdr.e_phnum),
               "1 to " + std::to_string(kMaxProgramHeaders) + " program headers");
    // libelf reads e_phoff 0 as "no table"; any table inside the ELF header is a broken one.
    if (ehdr.e_phoff < sizeof(Elf64_Ehdr))
        reject(name, "e_phoff", hex(ehdr.e_phoff) + " is inside the ELF header",
               "the program header table after it, at " + hex(sizeof(Elf64_Ehdr)) + " or later");
    // e_phnum <= 64 and e_phentsize == 56, so only the addition can wrap.
    const uint64_t table_size = uint64_t{ehdr.e_phnum} * ehdr.e_phentsize;
    if (!inside_file(ehdr.e_phoff, table_size, file.size()))
        reject(name, "e_phoff",
               "program header table at " + hex(ehdr.e_phoff) + " (" + std::to_string(table_size) +
                   " bytes) extends past end of file (" + hex(file.size()) + " bytes)",
               "it inside the file");
    return ehdr;
}

std::vector<Segment> check_program_headers(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                                           uint64_t file_size) {
    std::vector<Segment> segments;
    std::optional<size_t> previous; // index of the last PT_LOAD, for messages
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const Elf64_Phdr& ph = phdrs[i];
        if (ph.p_type == PT_INTERP)
            reject(name, header_name(i, "PT_INTERP"), "requests a dynamic loader", kStatic);
        if (ph.p_type == PT_DYNAMIC)
            reject(name, header_name(i, "PT_DYNAMIC"), "holds dynamic linking information", kStatic);
        check_type(name, i, ph.p_type);
        check_flags_and_align(name, header_name(i, phdr_type_name(ph.p_type)) + ": ", ph);
        if (ph.p_type == PT_GNU_STACK)
            check_stack_marker(name, i, ph);
        if (ph.p_type != PT_LOAD)
            continue;
        check_load(name, i, ph, file_size);
        if (!segments.empty()) {
            const Segment& last = segments.back();
            const std::string field = header_name(i, "PT_LOAD") + ": p_vaddr";
            if (ph.p_vaddr < last.vaddr)
                reject(name, field,
                       hex(ph.p_vaddr) + " is below " + header_name(*previous, "PT_LOAD") + " at " +
                           hex(last.vaddr),
                       "PT_LOAD segments sorted by address");
            // Permissions are per page, so two segments may not share one.
            const uint64_t last_end = last.vaddr + last.memsz;
            if (ph.p_vaddr < page_up(last_end))
                reject(name, field,
                       hex(ph.p_vaddr) + " overlaps " + header_name(*previous, "PT_LOAD") + " [" +
                           hex(last.vaddr) + ", " + hex(last_end) + ") rounded to pages",
                       "segments on separate pages");
        }
        segments.push_back({ph.p_vaddr, ph.p_memsz, ph.p_filesz, ph.p_offset, (ph.p_flags & PF_R) != 0,
                            (ph.p_flags & PF_W) != 0, (ph.p_flags & PF_X) != 0});
        previous = i;
    }
    if (segments.empty())
        reject(name, "program headers", "no PT_LOAD segment", "at least one");
    return segments;
}

void check_entry(const std::string& name, uint64_t entry, const std::vector<Segment>& segments) {
    for (const Segment& segment : segments) {
        if (segment.executable && entry >= segment.vaddr && entry - segment.vaddr < segment.memsz)
            return;
    }
    reject(name, "e_entry", hex(entry) + " is not inside an executable segment",
           "an address in a PT_LOAD segment with PF_X");
}

ImageNote find_note(const std::string& name, std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file) {
    struct hl_image_note desc {};
    size_t found = 0;
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const Elf64_Phdr& ph = phdrs[i];
        if (ph.p_type != PT_NOTE)
            continue;
        const std::string where = header_name(i, "PT_NOTE");
        if (!inside_file(ph.p_offset, ph.p_filesz, file.size()))
            reject(name, "note",
                   where + " data (" + hex(ph.p_filesz) + " bytes at " + hex(ph.p_offset) +
                       ") extends past end of file (" + hex(file.size()) + " bytes)",
                   "notes inside the file");
        const uint8_t* base = file.data() + ph.p_offset;
        // Notes in an 8-aligned segment (such as .note.gnu.property) pad to 8.
        const uint64_t align = ph.p_align == 8 ? 8 : 4;
        uint64_t pos = 0;
        while (pos < ph.p_filesz) {
            const uint64_t left = ph.p_filesz - pos;
            if (left < sizeof(Elf64_Nhdr))
                reject(name, "note",
                       "header at offset " + hex(pos) + " of " + where + " is truncated to " +
                           std::to_string(left) + " bytes",
                       std::to_string(sizeof(Elf64_Nhdr)) + " bytes");
            Elf64_Nhdr nhdr;
            std::memcpy(&nhdr, base + pos, sizeof nhdr);
            // namesz and descsz are 32-bit and pos < p_filesz <= file size, so
            // none of these sums can wrap a 64-bit value.
            const uint64_t name_at = pos + sizeof nhdr;
            const uint64_t desc_at = round_up(name_at + nhdr.n_namesz, align);
            const uint64_t desc_end = desc_at + nhdr.n_descsz;
            if (desc_end > ph.p_filesz)
                reject(name, "note",
                       "note at offset " + hex(pos) + " of " + where + " (namesz " + hex(nhdr.n_namesz) +
                           ", descsz " + hex(nhdr.n_descsz) + ") extends past the segment end " +
                           hex(ph.p_filesz),
                       "notes inside the segment");
            const bool is_hl = nhdr.n_namesz == sizeof HL_NOTE_NAME &&
                               std::memcmp(base + name_at, HL_NOTE_NAME, sizeof HL_NOTE_NAME) == 0;
            if (is_hl && nhdr.n_type == HL_NOTE_ABI) {
                if (nhdr.n_descsz != sizeof desc)
                    reject(name, "note", "hl ABI note descsz is " + std::to_string(nhdr.n_descsz),
                           std::to_string(sizeof desc) + " (sizeof(struct hl_image_note))");
                std::memcpy(&desc, base + desc_at, sizeof desc);
                ++found;
            }
            pos = round_up(desc_end, align);
        }
    }
    if (found == 0)
        reject(name, "note", "no hl ABI note found", "one (link with hlbuild or use HL_IMAGE_NOTE)");
    if (found > 1)
        reject(name, "note", std::to_string(found) + " hl ABI notes found", "exactly one");
    if (desc.abi_version != HL_ABI_VERSION)
        reject(name, "note", "abi_version is " + std::to_string(desc.abi_version),
               std::to_string(HL_ABI_VERSION) + " (this host's HL_ABI_VERSION)");
    if (desc.flags != 0)
        reject(name, "note", "flags is " + hex(desc.flags), "0 (reserved)");
    if (desc.stack_size % kPage != 0 || desc.stack_size < HL_STACK_MIN || desc.stack_size > HL_STACK_MAX)
        reject(name, "note", "stack_size is " + hex(desc.stack_size),
               "a multiple of " + hex(kPage) + " from " + hex(HL_STACK_MIN) + " to " + hex(HL_STACK_MAX) + " (" +
                   std::to_string(HL_STACK_MAX >> 20) + " MiB)");
    if (desc.heap_size > HL_HEAP_MAX)
        reject(name, "note", "heap_size is " + hex(desc.heap_size),
               "at most " + hex(HL_HEAP_MAX) + " (" + std::to_string(HL_HEAP_MAX >> 30) + " GiB)");
    return ImageNote{desc.abi_version, desc.stack_size, desc.heap_size};
}

} // namespace hl::rules
