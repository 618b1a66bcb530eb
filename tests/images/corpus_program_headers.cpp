// The corpus: program headers, their types, flags and alignment, and every
// PT_LOAD rule (sizes, file bytes, the image window, permissions, order).
#include "corpus.hpp"

#include <utility>

namespace hl::corpus {
namespace {

const std::string kWindow = "[0x100000, 0x40000000)";

std::string outside_window(uint64_t start, uint64_t end) {
    return "p_vaddr: segment [" + hex(start) + ", " + hex(end) + ") is outside the image window, expected it inside " +
           kWindow;
}

// The default image with a fifth program header, a bss-only PT_LOAD.
ElfBuilder extra_bss(uint64_t vaddr, uint64_t memsz) {
    ElfBuilder b;
    b.add_phdr({PT_LOAD, PF_R | PF_W, ElfBuilder::kDataOffset, vaddr, vaddr, 0, memsz, 0x1000});
    return b;
}

} // namespace

void program_headers(std::vector<Case>& out) {
    auto with = [&](const std::string& name, const ElfBuilder& b, const std::string& expected) {
        out.push_back({name, b.build(), expected});
    };
    auto change = [&](const std::string& name, auto mutate, const std::string& expected) {
        ElfBuilder b;
        mutate(b);
        with(name, b, expected);
    };
    const uint64_t size = ElfBuilder().build().size();
    const std::string dynamic = "a static executable (link with hlbuild)";
    change("phdr-interp.elf", [](ElfBuilder& b) { b.add_phdr({PT_INTERP, PF_R, 0x200, 0, 0, 4, 4, 1}); },
           "program header 4 (PT_INTERP): requests a dynamic loader, expected " + dynamic);
    change("phdr-dynamic.elf", [](ElfBuilder& b) { b.add_phdr({PT_DYNAMIC, PF_R, 0x200, 0, 0, 16, 16, 8}); },
           "program header 4 (PT_DYNAMIC): holds dynamic linking information, expected " + dynamic);
    change("phdr-no-load.elf",
           [](ElfBuilder& b) { // only the PT_NOTE left
               b.phdrs.erase(b.phdrs.begin(), b.phdrs.begin() + ElfBuilder::kNote);
               b.ehdr.e_phnum = 1;
           },
           "program headers: no PT_LOAD segment, expected at least one");
    // Types: a PT_LOAD relabelled as one hl would skip is refused, not dropped.
    const std::string accepts = " is not a type hl accepts, expected PT_LOAD, PT_NOTE or PT_GNU_STACK";
    struct Relabel {
        uint32_t type;
        std::string shown; // as the message gives it
        std::string file;  // part of the file name
        size_t index;      // which header of the default image
    };
    const char* headers[] = {"text", "rodata", "data", "note"};
    for (const Relabel& r : std::vector<Relabel>{
             {PT_NULL, "0x0 (PT_NULL)", "null", 0}, {PT_NULL, "0x0 (PT_NULL)", "null", 2},
             {PT_TLS, "0x7 (PT_TLS)", "tls", 2}, {PT_PHDR, "0x6 (PT_PHDR)", "phdr", 1},
             {PT_SHLIB, "0x5 (PT_SHLIB)", "shlib", 1},
             {PT_GNU_EH_FRAME, "0x6474e550 (PT_GNU_EH_FRAME)", "gnu-eh-frame", 1},
             {PT_GNU_RELRO, "0x6474e552 (PT_GNU_RELRO)", "gnu-relro", 1},
             {PT_GNU_PROPERTY, "0x6474e553 (PT_GNU_PROPERTY)", "gnu-property", 3},
             {PT_LOOS, "0x60000000", "loos", 2}, {PT_LOPROC, "0x70000000", "loproc", 2},
             {0xffffffff, "0xffffffff", "max", 0}})
        change("phdr-type-" + r.file + "-" + headers[r.index] + ".elf",
               [&](ElfBuilder& b) { b.phdrs[r.index].p_type = r.type; },
               // The PT_NOTE relabelled hides the hl note: what is left is a
               // static Linux executable, where PT_GNU_PROPERTY is allowed.
               r.index == ElfBuilder::kNote ? kAcceptedLinux
                                            : "program header " + std::to_string(r.index) + ": p_type: " + r.shown +
                                                  accepts);
    // PT_GNU_STACK: accepted as the marker a hand link adds, refused in any other form.
    auto stack_marker = [](uint32_t flags, uint64_t filesz, uint64_t memsz) {
        return [=](ElfBuilder& b) { b.add_phdr({PT_GNU_STACK, flags, 0, 0, 0, filesz, memsz, 16}); };
    };
    const std::string marker = ", expected 0 (PT_GNU_STACK only marks the stack non-executable)";
    change("phdr-gnu-stack-rw.elf", stack_marker(PF_R | PF_W, 0, 0), kAccepted);
    change("phdr-gnu-stack-memsz.elf", stack_marker(PF_R | PF_W, 0, 0x100000),
           ph(4, "PT_GNU_STACK") + "p_memsz: 0x100000" + marker);
    change("phdr-gnu-stack-rwx.elf", stack_marker(PF_R | PF_W | PF_X, 0, 0),
           ph(4, "PT_GNU_STACK") + "p_flags: PF_X asks for an executable stack, expected no PF_X (hl stacks are "
                                   "never executable)");
    change("phdr-gnu-stack-relabelled-text.elf", [](ElfBuilder& b) { b.phdrs[0].p_type = PT_GNU_STACK; },
           ph(0, "PT_GNU_STACK") + "p_filesz: 0x60" + marker);
    change("phdr-gnu-stack-relabelled-data.elf",
           [](ElfBuilder& b) { b.phdrs[2].p_type = PT_GNU_STACK, b.phdrs[2].p_flags = PF_R | PF_W; },
           ph(2, "PT_GNU_STACK") + "p_filesz: 0x10" + marker);
    // Flags beyond PF_R, PF_W and PF_X, and alignments, on any header.
    const std::string flag_bits = ", expected only PF_R, PF_W and PF_X (0x7)";
    change("phdr-flags-bit-3.elf", [](ElfBuilder& b) { b.phdrs[1].p_flags = PF_R | 0x8; },
           ph(1) + "p_flags: 0xc has unknown bits 0x8" + flag_bits);
    change("phdr-flags-maskproc-text.elf", [](ElfBuilder& b) { b.phdrs[0].p_flags |= PF_MASKPROC; },
           ph(0) + "p_flags: 0xf0000005 has unknown bits 0xf0000000" + flag_bits);
    change("phdr-flags-all-note.elf", [](ElfBuilder& b) { b.phdrs[3].p_flags = 0xffffffff; },
           ph(3, "PT_NOTE") + "p_flags: 0xffffffff has unknown bits 0xfffffff8" + flag_bits);
    const std::string power = " is not a power of two, expected 0 or a power of two";
    for (const uint64_t align : {uint64_t{3}, uint64_t{0x1001}, uint64_t{0xffffffffffffffff}})
        change("phdr-align-" + hex(align) + "-rodata.elf", [=](ElfBuilder& b) { b.phdrs[1].p_align = align; },
               ph(1) + "p_align: " + hex(align) + power);
    change("phdr-align-0x6-note.elf", [](ElfBuilder& b) { b.phdrs[3].p_align = 6; },
           ph(3, "PT_NOTE") + "p_align: 0x6" + power);
    change("load-align-0x10000-differs.elf", [](ElfBuilder& b) { b.phdrs[1].p_align = 0x10000; },
           ph(1) + "p_align: p_vaddr 0x101000 and p_offset 0x2000 differ modulo 0x10000, expected them equal modulo "
                   "p_align");
    change("load-align-0x200000-differs.elf", [](ElfBuilder& b) { b.phdrs[0].p_align = 0x200000; },
           ph(0) + "p_align: p_vaddr 0x100000 and p_offset 0x1000 differ modulo 0x200000, expected them equal "
                   "modulo p_align");
    change("load-align-0.elf", [](ElfBuilder& b) { b.phdrs[0].p_align = b.phdrs[1].p_align = b.phdrs[2].p_align = 0; },
           kAccepted);
    // Sizes.
    change("load-filesz-gt-memsz.elf", [](ElfBuilder& b) { b.phdrs[1].p_memsz = 4; },
           ph(1) + "p_filesz: 0x6 exceeds p_memsz 0x4, expected at most p_memsz");
    change("load-filesz-max-memsz-0.elf",
           [](ElfBuilder& b) { b.phdrs[1].p_filesz = ~uint64_t{0}, b.phdrs[1].p_memsz = 0; },
           ph(1) + "p_filesz: 0xffffffffffffffff exceeds p_memsz 0x0, expected at most p_memsz");
    change("load-memsz-0.elf", [](ElfBuilder& b) { b.phdrs[1].p_filesz = b.phdrs[1].p_memsz = 0; },
           ph(1) + "p_memsz: 0, expected a nonempty segment");
    // Alignment.
    change("load-vaddr-misaligned.elf", [](ElfBuilder& b) { b.phdrs[1].p_vaddr += 0x10, b.phdrs[1].p_offset += 0x10; },
           ph(1) + "p_vaddr: 0x101010 is not page-aligned, expected a multiple of 0x1000");
    change("load-vaddr-misaligned-by-1.elf", [](ElfBuilder& b) { b.phdrs[0].p_vaddr += 1, b.phdrs[0].p_offset += 1; },
           ph(0) + "p_vaddr: 0x100001 is not page-aligned, expected a multiple of 0x1000");
    change("load-offset-misaligned.elf", [](ElfBuilder& b) { b.phdrs[1].p_offset = 0x2010; },
           ph(1) + "p_offset: 0x2010 differs from p_vaddr 0x101000 modulo 0x1000, expected equal page offsets");
    // File bytes outside the file.
    change("load-offset-past-eof.elf", [](ElfBuilder& b) { b.phdrs[2].p_offset = 0x100000; },
           ph(2) + past_eof(0x10, 0x100000, size));
    change("load-offset-max.elf", [](ElfBuilder& b) { b.phdrs[2].p_offset = 0xfffffffffffff000; },
           ph(2) + past_eof(0x10, 0xfffffffffffff000, size));
    change("load-filesz-past-eof.elf", [](ElfBuilder& b) { b.phdrs[2].p_filesz = b.phdrs[2].p_memsz = 0x2000; },
           ph(2) + past_eof(0x2000, 0x3000, size));
    change("load-filesz-2p63.elf", [](ElfBuilder& b) { b.phdrs[2].p_filesz = b.phdrs[2].p_memsz = uint64_t{1} << 63; },
           ph(2) + past_eof(uint64_t{1} << 63, 0x3000, size));
    // Addresses: overflow, below and beyond the image window, absurd bss.
    change("load-memsz-overflows.elf", [](ElfBuilder& b) { b.phdrs[2].p_memsz = 0xffffffffffffff00; },
           ph(2) + "p_memsz: 0xffffffffffffff00 at p_vaddr 0x102000 overflows, expected a segment inside " + kWindow);
    with("load-bss-at-top-overflows.elf", extra_bss(0xfffffffffffff000, 0x1000),
         ph(4) + "p_memsz: 0x1000 at p_vaddr 0xfffffffffffff000 overflows, expected a segment inside " + kWindow);
    with("load-bss-memsz-2p64-minus-page.elf", extra_bss(0x200000, 0xfffffffffffff000),
         ph(4) + "p_memsz: 0xfffffffffffff000 at p_vaddr 0x200000 overflows, expected a segment inside " + kWindow);
    with("load-bss-memsz-2p40.elf", extra_bss(0x200000, uint64_t{1} << 40),
         ph(4) + outside_window(0x200000, 0x200000 + (uint64_t{1} << 40)));
    with("load-bss-memsz-2p63.elf", extra_bss(0x200000, uint64_t{1} << 63),
         ph(4) + outside_window(0x200000, 0x200000 + (uint64_t{1} << 63)));
    with("load-bss-at-window-end.elf", extra_bss(0x40000000, 0x1000), ph(4) + outside_window(0x40000000, 0x40001000));
    with("load-bss-below-window.elf", extra_bss(0xff000, 0x1000), ph(4) + outside_window(0xff000, 0x100000));
    change("load-vaddr-0.elf", [](ElfBuilder& b) { b.phdrs[0].p_vaddr = b.phdrs[0].p_paddr = 0; },
           ph(0) + outside_window(0, 0x60));
    change("load-end-past-window.elf", [](ElfBuilder& b) { b.phdrs[2].p_memsz = 0x40000000; },
           ph(2) + outside_window(0x102000, 0x40102000));
    // Permissions.
    for (const auto& [flags, what] : std::vector<std::pair<uint32_t, std::string>>{
             {0, "none"}, {PF_X, "x"}, {PF_W, "w"}, {PF_W | PF_X, "wx"}}) {
        const uint32_t p_flags = flags; // clang 14 cannot capture a structured binding
        change("load-flags-" + what + "-not-readable.elf", [=](ElfBuilder& b) { b.phdrs[0].p_flags = p_flags; },
               ph(0) + "p_flags: segment is not readable, expected PF_R");
    }
    const std::string wx = "p_flags: segment is writable and executable, expected at most one of PF_W and PF_X";
    change("load-flags-rwx-text.elf", [](ElfBuilder& b) { b.phdrs[0].p_flags = PF_R | PF_W | PF_X; }, ph(0) + wx);
    change("load-flags-rwx-data.elf", [](ElfBuilder& b) { b.phdrs[2].p_flags = PF_R | PF_W | PF_X; }, ph(2) + wx);
    // Executable memory comes from the file, never zero-filled.
    const std::string zero_filled =
        " in an executable segment, expected p_filesz equal to p_memsz (no zero-filled executable memory)";
    change("load-text-memsz-over-filesz.elf", [](ElfBuilder& b) { b.phdrs[0].p_memsz = 0x1000; },
           ph(0) + "p_filesz: 0x60 is below p_memsz 0x1000" + zero_filled);
    change("load-data-executable-bss.elf", [](ElfBuilder& b) { b.phdrs[2].p_flags = PF_R | PF_X; },
           ph(2) + "p_filesz: 0x10 is below p_memsz 0x1800" + zero_filled);
    change("load-bss-only-executable.elf",
           [](ElfBuilder& b) { b.add_phdr({PT_LOAD, PF_R | PF_X, 0x3000, 0x200000, 0x200000, 0, 0x1000, 0x1000}); },
           ph(4) + "p_filesz: 0x0 is below p_memsz 0x1000" + zero_filled);
    // Order and overlap.
    change("load-unsorted.elf", [](ElfBuilder& b) { std::swap(b.phdrs[1], b.phdrs[2]); },
           ph(2) + "p_vaddr: 0x101000 is below program header 1 (PT_LOAD) at 0x102000, expected PT_LOAD segments "
                   "sorted by address");
    change("load-duplicate-text.elf", [](ElfBuilder& b) { b.add_phdr(b.phdrs[0]); },
           ph(4) + "p_vaddr: 0x100000 is below program header 2 (PT_LOAD) at 0x102000, expected PT_LOAD segments "
                   "sorted by address");
    const std::string pages = " rounded to pages, expected segments on separate pages";
    change("load-overlap-shared-page.elf",
           [](ElfBuilder& b) { b.phdrs[0].p_filesz = b.phdrs[0].p_memsz = 0x1001; },
           ph(1) + "p_vaddr: 0x101000 overlaps program header 0 (PT_LOAD) [0x100000, 0x101001)" + pages);
    change("load-overlap-same-start.elf", [](ElfBuilder& b) { b.phdrs[1].p_vaddr = 0x100000; },
           ph(1) + "p_vaddr: 0x100000 overlaps program header 0 (PT_LOAD) [0x100000, 0x100060)" + pages);
    change("load-overlap-contains-next.elf",
           [](ElfBuilder& b) { b.phdrs[0].p_filesz = b.phdrs[0].p_memsz = 0x3000; },
           ph(1) + "p_vaddr: 0x101000 overlaps program header 0 (PT_LOAD) [0x100000, 0x103000)" + pages);
}

} // namespace hl::corpus
