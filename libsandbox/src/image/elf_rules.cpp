// The image rules of hl-abi(7): header, program header and entry checks that
// decide whether an ELF file is a runnable image, for either personality.
#include "image/elf_rules.hpp"

#include "image/guest_machine.hpp"

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

std::string machine_name(uint16_t machine) {
    switch (machine) {
    case EM_386: return " (EM_386)";
    case EM_ARM: return " (EM_ARM)";
    case EM_AARCH64: return " (EM_AARCH64)";
    case EM_X86_64: return " (EM_X86_64)";
    case EM_RISCV: return " (EM_RISCV)";
    default: return "";
    }
}

// hl loads PT_LOAD and reads PT_NOTE; PT_GNU_STACK, which a hand link may add,
// is a marker it accepts in its harmless form. A static Linux executable also
// brings what its linker writes: PT_TLS, PT_PHDR, PT_GNU_RELRO, and with some
// options PT_GNU_EH_FRAME or PT_GNU_PROPERTY, none of which loads anything.
// An hl image linked against musl may hold a PT_TLS for the program's
// _Thread_local variables, which musl sets up as on Linux.
// Any other type is refused rather than skipped: a PT_LOAD relabelled PT_NULL
// would otherwise be dropped without a word.
void check_type(const std::string& name, size_t index, uint32_t type, Personality personality, bool tls) {
    if (type == PT_LOAD || type == PT_NOTE || type == PT_GNU_STACK || (type == PT_TLS && tls))
        return;
    const bool linux_type = type == PT_TLS || type == PT_PHDR || type == PT_GNU_RELRO || type == PT_GNU_EH_FRAME ||
                            type == PT_GNU_PROPERTY;
    if (personality == Personality::Linux && linux_type)
        return;
    const char* known = phdr_type_name(type);
    reject(name, "program header " + std::to_string(index) + ": p_type",
           hex(type) + (known ? std::string(" (") + known + ")" : "") + " is not a type hl accepts",
           personality == Personality::Hl ? (tls ? "PT_LOAD, PT_NOTE, PT_GNU_STACK or PT_TLS"
                                                 : "PT_LOAD, PT_NOTE or PT_GNU_STACK")
                                          : "PT_LOAD, PT_NOTE, PT_TLS, PT_PHDR, PT_GNU_STACK, PT_GNU_RELRO, "
                                            "PT_GNU_EH_FRAME or PT_GNU_PROPERTY");
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
// are, so it must not ask for PF_X. In an hl image it must also load nothing;
// a Linux linker may put a requested stack size in p_memsz (-z stack-size),
// which Linux ignores, and so does hl.
void check_stack_marker(const std::string& name, size_t index, const Elf64_Phdr& ph, Personality personality) {
    const std::string field = header_name(index, "PT_GNU_STACK") + ": ";
    const std::string marker = "0 (PT_GNU_STACK only marks the stack non-executable)";
    if (personality == Personality::Hl && ph.p_filesz != 0)
        reject(name, field + "p_filesz", hex(ph.p_filesz), marker);
    if (personality == Personality::Hl && ph.p_memsz != 0)
        reject(name, field + "p_memsz", hex(ph.p_memsz), marker);
    if ((ph.p_flags & PF_X) != 0)
        reject(name, field + "p_flags", "PF_X asks for an executable stack",
               "no PF_X (hl stacks are never executable)");
}

// hl images start every segment on a page. A Linux executable's segment may
// start anywhere its p_align allows (its data usually starts mid-page), so
// there p_align itself must be at least a page: p_vaddr and p_offset then
// agree modulo the page, as they must for the file to be mapped.
void check_load_alignment(const std::string& name, const std::string& field, const Elf64_Phdr& ph,
                          Personality personality) {
    if (personality == Personality::Linux) {
        if (ph.p_align < kPage)
            reject(name, field + "p_align",
                   hex(ph.p_align) + (ph.p_align <= 1 ? " leaves the segment unaligned"
                                                      : " is below the page size " + hex(kPage)),
                   "a power of two of at least " + hex(kPage) + " (link with -Wl,-z,max-page-size=4096)");
        return;
    }
    if (ph.p_vaddr % kPage != 0)
        reject(name, field + "p_vaddr", hex(ph.p_vaddr) + " is not page-aligned", "a multiple of " + hex(kPage));
    if (ph.p_offset % kPage != ph.p_vaddr % kPage)
        reject(name, field + "p_offset",
               hex(ph.p_offset) + " differs from p_vaddr " + hex(ph.p_vaddr) + " modulo " + hex(kPage),
               "equal page offsets");
}

void check_load(const std::string& name, size_t index, const Elf64_Phdr& ph, uint64_t file_size,
                Personality personality) {
    const std::string field = header_name(index, "PT_LOAD") + ": ";
    if (ph.p_filesz > ph.p_memsz)
        reject(name, field + "p_filesz", hex(ph.p_filesz) + " exceeds p_memsz " + hex(ph.p_memsz),
               "at most p_memsz");
    if (ph.p_memsz == 0)
        reject(name, field + "p_memsz", "0", "a nonempty segment");
    check_load_alignment(name, field, ph, personality);
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
    // The window's ends are page-aligned, so the pages of a segment that starts
    // or ends mid-page are inside it exactly when its bytes are.
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

// Permissions are per page, so two segments may not share one. An hl image's
// segments start on pages, so the only way to share is to overlap the page a
// segment ends in; a Linux image's may also start mid-page, and its message
// tells apart bytes that overlap from a page that is shared.
void check_separate_pages(const std::string& name, size_t index, const Elf64_Phdr& ph, size_t previous,
                          const Segment& last, Personality personality) {
    const std::string field = header_name(index, "PT_LOAD") + ": p_vaddr";
    const std::string last_name = header_name(previous, "PT_LOAD");
    if (ph.p_vaddr < last.vaddr)
        reject(name, field, hex(ph.p_vaddr) + " is below " + last_name + " at " + hex(last.vaddr),
               "PT_LOAD segments sorted by address");
    const uint64_t last_end = last.vaddr + last.memsz;
    const std::string last_range = "[" + hex(last.vaddr) + ", " + hex(last_end) + ")";
    if (personality == Personality::Hl) {
        if (ph.p_vaddr < page_up(last_end))
            reject(name, field, hex(ph.p_vaddr) + " overlaps " + last_name + " " + last_range + " rounded to pages",
                   "segments on separate pages");
        return;
    }
    if (ph.p_vaddr < last_end)
        reject(name, field, hex(ph.p_vaddr) + " overlaps " + last_name + " " + last_range,
               "segments that do not overlap");
    if (ph.p_vaddr < page_up(last_end))
        reject(name, field,
               hex(ph.p_vaddr) + " shares the page " + hex(page_down(ph.p_vaddr)) + " with " + last_name + " " +
                   last_range,
               "each segment on pages of its own (link with -Wl,-z,separate-code and no linker script that packs "
               "segments)");
}

} // namespace

std::string hex(uint64_t value) {
    return format_hex(value);
}

std::string header_name(size_t index, const char* type) {
    return "program header " + std::to_string(index) + " (" + type + ")";
}

bool inside_file(uint64_t offset, uint64_t size, uint64_t file_size) {
    return offset <= file_size && size <= file_size - offset;
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


void reject(const std::string& name, const std::string& field, const std::string& problem,
            const std::string& expected) {
    throw ImageError(ImageError::Kind::Invalid, name + ": " + field + ": " + problem + ", expected " + expected);
}

Elf64_Ehdr check_elf_header(const std::string& name, std::span<const uint8_t> file, Personality personality,
                            Architecture target) {
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
    const GuestMachine& want = machine_of(target);
    if (ehdr.e_machine != want.elf_machine) {
        std::string problem = hex(ehdr.e_machine) + machine_name(ehdr.e_machine);
        const GuestMachine& other = &want == &kX86_64Machine ? kAarch64Machine : kX86_64Machine;
        if (ehdr.e_machine == other.elf_machine)
            problem += std::string(": built for ") + other.name +
                       (target == host_architecture() ? std::string(", and this host runs ") + want.name + " guests"
                                                      : std::string(", not for ") + want.name);
        reject(name, "e_machine", problem, hex(want.elf_machine) + " (" + want.elf_name + ")");
    }
    if (ehdr.e_version != EV_CURRENT)
        reject(name, "e_version", hex(ehdr.e_version), "1 (EV_CURRENT)");
    if (personality == Personality::Hl && ehdr.e_type != ET_EXEC)
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
                                           uint64_t file_size, Personality personality, bool tls) {
    std::vector<Segment> segments;
    std::optional<size_t> previous; // index of the last PT_LOAD, for messages
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const Elf64_Phdr& ph = phdrs[i];
        if (ph.p_type == PT_INTERP)
            reject(name, header_name(i, "PT_INTERP"), "requests a dynamic loader", kStatic);
        if (ph.p_type == PT_DYNAMIC)
            reject(name, header_name(i, "PT_DYNAMIC"), "holds dynamic linking information", kStatic);
        check_type(name, i, ph.p_type, personality, tls);
        check_flags_and_align(name, header_name(i, phdr_type_name(ph.p_type)) + ": ", ph);
        if (ph.p_type == PT_GNU_STACK)
            check_stack_marker(name, i, ph, personality);
        if (ph.p_type != PT_LOAD)
            continue;
        check_load(name, i, ph, file_size, personality);
        if (previous)
            check_separate_pages(name, i, ph, *previous, segments.back(), personality);
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

} // namespace hl::rules
