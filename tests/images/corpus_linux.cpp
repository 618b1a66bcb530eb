// The corpus: static Linux executables (no hl note), made like musl-gcc
// -static output from the builder's image: what hl accepts, each Linux kind
// it refuses with what to do instead, and the Linux forms of the PT_LOAD rules.
#include "corpus.hpp"

#include <utility>

namespace hl::corpus {
namespace {

constexpr size_t kData = ElfBuilder::kData;
const std::string kLinuxStatic = "expected a static executable (link with musl-gcc -static, or hlbuild)";
const std::string kAlignTail = ", expected a power of two of at least 0x1000 (link with -Wl,-z,max-page-size=4096)";

// A PT_TLS over the first `filesz` bytes of data, `memsz` in all.
Elf64_Phdr tls(uint64_t vaddr, uint64_t filesz, uint64_t memsz) {
    return {PT_TLS, PF_R, ElfBuilder::kDataOffset + (vaddr - ElfBuilder::kDataAddr), vaddr, vaddr, filesz, memsz, 8};
}

} // namespace

void linux_images(std::vector<Case>& out) {
    auto change = [&](const std::string& name, auto mutate, const std::string& expected) {
        ElfBuilder b;
        b.linux_image();
        mutate(b);
        out.push_back({name, b.build(), expected});
    };
    // Accepted: what musl-gcc -static writes.
    change("linux-valid.elf", [](ElfBuilder&) {}, kAcceptedLinux);
    change("linux-data-mid-page.elf", [](ElfBuilder& b) { b.data_mid_page(0xfc0); }, kAcceptedLinux);
    // (At most 8 program headers fit before the builder's notes.)
    change("linux-tls-relro-phdr.elf",
           [](ElfBuilder& b) {
               b.data_mid_page(0xfc0);
               b.add_phdr(tls(ElfBuilder::kDataAddr + 0xfc0, 4, 0x20));
               b.add_phdr({PT_GNU_RELRO, PF_R, 0x3fc0, 0x102fc0, 0x102fc0, 0x40, 0x40, 1});
               b.load_headers(0x200000);
               b.add_phdr({PT_PHDR, PF_R, 0x40, 0x200040, 0x200040, 0x1c0, 0x1c0, 8});
           },
           kAcceptedLinux);
    change("linux-eh-frame-property-stack-size.elf",
           [](ElfBuilder& b) {
               b.add_phdr({PT_GNU_EH_FRAME, PF_R, 0x2000, 0x101000, 0x101000, 4, 4, 4});
               b.add_phdr({PT_GNU_PROPERTY, PF_R, 0x200, 0, 0, 0x18, 0x18, 8});
               b.add_phdr({PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0x800000, 16}); // -z stack-size=8Mi
           },
           kAcceptedLinux);
    // Refused kinds, each saying what to do instead.
    change("linux-interp.elf", [](ElfBuilder& b) { b.add_phdr({PT_INTERP, PF_R, 0x200, 0, 0, 4, 4, 1}); },
           "program header 4 (PT_INTERP): a dynamically linked executable (it asks for a dynamic loader), " +
               kLinuxStatic);
    change("linux-interp-pie.elf",
           [](ElfBuilder& b) {
               b.ehdr.e_type = ET_DYN;
               b.add_phdr({PT_INTERP, PF_R, 0x200, 0, 0, 4, 4, 1});
           },
           "program header 4 (PT_INTERP): a dynamically linked executable (it asks for a dynamic loader), " +
               kLinuxStatic);
    change("linux-static-pie.elf",
           [](ElfBuilder& b) {
               b.ehdr.e_type = ET_DYN;
               b.add_phdr({PT_DYNAMIC, PF_R | PF_W, 0x3000, 0x102000, 0x102000, 16, 16, 8});
           },
           "e_type: ET_DYN, a position-independent executable (PIE or static-pie), which hl does not support, "
           "expected ET_EXEC (link with musl-gcc -static -no-pie)");
    change("linux-dynamic.elf",
           [](ElfBuilder& b) { b.add_phdr({PT_DYNAMIC, PF_R | PF_W, 0x3000, 0x102000, 0x102000, 16, 16, 8}); },
           "program header 4 (PT_DYNAMIC): a dynamically linked executable (it holds dynamic linking information), " +
               kLinuxStatic);
    change("linux-type-rel.elf", [](ElfBuilder& b) { b.ehdr.e_type = ET_REL; },
           "e_type: ET_REL (an object file), expected ET_EXEC, a static executable (link with musl-gcc -static, or "
           "hlbuild)");
    change("linux-glibc-abi-tag.elf",
           [](ElfBuilder& b) {
               Bytes notes = ElfBuilder::note_entry("GNU", NT_GNU_BUILD_ID, Bytes(8, 0x5a));
               const Bytes tag = ElfBuilder::note_entry("GNU", NT_GNU_ABI_TAG, {0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0,
                                                                               0, 0, 0, 0});
               notes.insert(notes.end(), tag.begin(), tag.end());
               b.set_notes(notes);
           },
           "note: an NT_GNU_ABI_TAG note in program header 3 (PT_NOTE) marks a static glibc executable, which hl "
           "does not support, expected a static musl executable (link with musl-gcc -static)");
    change("linux-elf32.elf", [](ElfBuilder& b) { b.ehdr.e_ident[EI_CLASS] = ELFCLASS32; },
           "e_ident[EI_CLASS]: 32-bit ELF (ELFCLASS32), expected ELFCLASS64");
    // PT_LOAD alignment: at least a page, vaddr and offset congruent modulo it.
    for (const uint64_t align : {0, 1})
        change("linux-align-" + std::to_string(align) + ".elf", [=](ElfBuilder& b) { b.phdrs[1].p_align = align; },
               ph(1) + "p_align: " + hex(align) + " leaves the segment unaligned" + kAlignTail);
    change("linux-align-0x200.elf", [](ElfBuilder& b) { b.phdrs[kData].p_align = 0x200; },
           ph(kData) + "p_align: 0x200 is below the page size 0x1000" + kAlignTail);
    change("linux-align-offset-differs.elf", [](ElfBuilder& b) { b.data_mid_page(0xfc0).phdrs[kData].p_offset += 8; },
           ph(kData) + "p_align: p_vaddr 0x102fc0 and p_offset 0x3fc8 differ modulo 0x1000, expected them equal "
                       "modulo p_align");
    // Pages: never shared, never overlapping, in order.
    change("linux-shares-page.elf",
           [](ElfBuilder& b) { b.move_data(ElfBuilder::kRodataAddr + 0x800); },
           ph(kData) + "p_vaddr: 0x101800 shares the page 0x101000 with program header 1 (PT_LOAD) [0x101000, "
                       "0x101006), expected each segment on pages of its own (link with -Wl,-z,separate-code and "
                       "no linker script that packs segments)");
    change("linux-overlaps.elf",
           [](ElfBuilder& b) { b.move_data(ElfBuilder::kRodataAddr + 4); },
           ph(kData) + "p_vaddr: 0x101004 overlaps program header 1 (PT_LOAD) [0x101000, 0x101006), expected "
                       "segments that do not overlap");
    change("linux-unsorted.elf", [](ElfBuilder& b) { std::swap(b.phdrs[1], b.phdrs[2]); },
           ph(2) + "p_vaddr: 0x101000 is below program header 1 (PT_LOAD) at 0x102000, expected PT_LOAD segments "
                   "sorted by address");
    // The rules every image keeps.
    change("linux-writable-text.elf", [](ElfBuilder& b) { b.phdrs[0].p_flags |= PF_W; },
           ph(0) + "p_flags: segment is writable and executable, expected at most one of PF_W and PF_X");
    change("linux-below-window.elf",
           [](ElfBuilder& b) { b.phdrs[0].p_vaddr = b.phdrs[0].p_paddr = b.ehdr.e_entry = 0xff000; },
           ph(0) + "p_vaddr: segment [0xff000, 0xff060) is outside the image window, expected it inside "
                   "[0x100000, 0x40000000)");
    change("linux-entry-in-data.elf", [](ElfBuilder& b) { b.ehdr.e_entry = ElfBuilder::kDataAddr; },
           "e_entry: 0x102000 is not inside an executable segment, expected an address in a PT_LOAD segment with "
           "PF_X");
    change("linux-type-null.elf", [](ElfBuilder& b) { b.phdrs[2].p_type = PT_NULL; },
           "program header 2: p_type: 0x0 (PT_NULL) is not a type hl accepts, expected PT_LOAD, PT_NOTE, PT_TLS, "
           "PT_PHDR, PT_GNU_STACK, PT_GNU_RELRO, PT_GNU_EH_FRAME or PT_GNU_PROPERTY");
    change("linux-gnu-stack-rwx.elf",
           [](ElfBuilder& b) { b.add_phdr({PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 0, 16}); },
           ph(4, "PT_GNU_STACK") + "p_flags: PF_X asks for an executable stack, expected no PF_X (hl stacks are "
                                   "never executable)");
    change("linux-note-truncated.elf", [](ElfBuilder& b) { b.phdrs[ElfBuilder::kNote].p_filesz = 8; },
           "note: header at offset 0x0 of program header 3 (PT_NOTE) is truncated to 8 bytes, expected 12 bytes");
    // PT_PHDR: where the table is loaded.
    change("linux-phdr-not-loaded.elf",
           [](ElfBuilder& b) { b.add_phdr({PT_PHDR, PF_R, 0x40, 0x40, 0x40, 0x118, 0x118, 8}); },
           ph(4, "PT_PHDR") + "p_vaddr: 0x40, but no PT_LOAD loads the program header table, expected a PT_LOAD "
                              "whose file bytes hold the table, or no PT_PHDR");
    change("linux-phdr-elsewhere.elf",
           [](ElfBuilder& b) {
               b.load_headers(0x200000);
               b.add_phdr({PT_PHDR, PF_R, 0x40, 0x200000, 0x200000, 0x150, 0x150, 8});
           },
           ph(5, "PT_PHDR") + "p_vaddr: 0x200000 is not where the program header table is loaded (0x200040), "
                              "expected 0x200040");
    // PT_TLS: one, its sizes, its template loaded.
    change("linux-tls-twice.elf",
           [](ElfBuilder& b) {
               b.add_phdr(tls(ElfBuilder::kDataAddr, 4, 8));
               b.add_phdr(tls(ElfBuilder::kDataAddr, 4, 8));
           },
           "program header 5 (PT_TLS): a second PT_TLS (the first is program header 4 (PT_TLS)), expected at most "
           "one");
    change("linux-tls-filesz-over-memsz.elf", [](ElfBuilder& b) { b.add_phdr(tls(ElfBuilder::kDataAddr, 8, 4)); },
           ph(4, "PT_TLS") + "p_filesz: 0x8 exceeds p_memsz 0x4, expected at most p_memsz");
    change("linux-tls-past-file-bytes.elf", [](ElfBuilder& b) { b.add_phdr(tls(ElfBuilder::kDataAddr + 8, 16, 16)); },
           ph(4, "PT_TLS") + "p_vaddr: its 0x10 template bytes at 0x102008 are not inside a PT_LOAD's file bytes, "
                             "expected the template inside a loaded segment");
    change("linux-tls-wraps.elf", [](ElfBuilder& b) { b.add_phdr(tls(~uint64_t{0} - 3, 8, 8)); },
           ph(4, "PT_TLS") + "p_vaddr: its 0x8 template bytes at 0xfffffffffffffffc are not inside a PT_LOAD's file "
                             "bytes, expected the template inside a loaded segment");
}

} // namespace hl::corpus
