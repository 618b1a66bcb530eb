// Unit tests of the image rules of hl-abi(7) for the ELF header and the
// program headers, each with its exact message (elf_rules.cpp).
#include "elf_builder.hpp"

#include <hl/image.hpp>

#include <catch2/catch.hpp>

namespace {

using hl::Image;
using hl::test::ElfBuilder;
using hl::test::hex;
using hl::test::invalid;
using hl::test::valid;

const std::string kStatic = "expected a static executable (link with hlbuild)";
const std::string kWindow = "[0x100000, 0x40000000)";
const std::string kPh1 = "img: program header 1 (PT_LOAD): ";
const std::string kPh2 = "img: program header 2 (PT_LOAD): ";

} // namespace

TEST_CASE("rule: ELF identification", "[elf][rules]") {
    const std::string magic = "expected magic 7f 45 4c 46";
    CHECK(invalid(std::vector<uint8_t>{}) == "img: e_ident: not an ELF file (empty), " + magic);
    CHECK(invalid(std::vector<uint8_t>{'#', '!', '/', 'b', 'i', 'n'}) == "img: e_ident: not an ELF file, " + magic);
    CHECK(invalid(std::vector<uint8_t>{0x7f, 'E', 'L'}) == "img: e_ident: not an ELF file, " + magic);
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_ident[EI_CLASS] = ELFCLASS32; }) ==
          "img: e_ident[EI_CLASS]: 32-bit ELF (ELFCLASS32), expected ELFCLASS64");
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_ident[EI_CLASS] = 7; }) ==
          "img: e_ident[EI_CLASS]: unknown class 0x7, expected ELFCLASS64");
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_ident[EI_DATA] = ELFDATA2MSB; }) ==
          "img: e_ident[EI_DATA]: big-endian (ELFDATA2MSB), expected little-endian (ELFDATA2LSB)");
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_ident[EI_VERSION] = 0; }) ==
          "img: e_ident[EI_VERSION]: 0x0, expected 1 (EV_CURRENT)");
    CHECK(invalid(ElfBuilder().build(40)) == "img: ELF header: truncated at 40 bytes, expected 64 bytes");
}

TEST_CASE("rule: e_machine, e_version and e_type", "[elf][rules]") {
    // The tests run on both architectures hl supports: each refuses the other's guests.
    const std::string expected = hl::kGuestMachine.elf_machine == EM_X86_64 ? "expected 0x3e (EM_X86_64)"
                                                                         : "expected 0xb7 (EM_AARCH64)";
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_machine = hl::kOtherMachine.elf_machine; }) ==
          (hl::kGuestMachine.elf_machine == EM_X86_64
               ? "img: e_machine: 0xb7 (EM_AARCH64): built for aarch64, and this host runs x86-64 guests, "
               : "img: e_machine: 0x3e (EM_X86_64): built for x86-64, and this host runs aarch64 guests, ") +
              expected);
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_machine = EM_ARM; }) == "img: e_machine: 0x28 (EM_ARM), " + expected);
    // Validated for the other architecture (hlbuild --target): its machine, and the same rules.
    const hl::Architecture other = hl::host_architecture() == hl::Architecture::X86_64 ? hl::Architecture::Aarch64
                                                                                      : hl::Architecture::X86_64;
    ElfBuilder foreign;
    foreign.ehdr.e_machine = hl::kOtherMachine.elf_machine;
    CHECK(Image::parse("img", foreign.build(), other).entry() == ElfBuilder().ehdr.e_entry);
    try {
        Image::parse("img", ElfBuilder().build(), other);
        FAIL("an image of the host's machine passed as the other's");
    } catch (const hl::ImageError& e) {
        CHECK(std::string(e.what()) ==
              (other == hl::Architecture::Aarch64
                   ? "img: e_machine: 0x3e (EM_X86_64): built for x86-64, not for aarch64, expected 0xb7 (EM_AARCH64)"
                   : "img: e_machine: 0xb7 (EM_AARCH64): built for aarch64, not for x86-64, expected 0x3e (EM_X86_64)"));
    }
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_machine = 0x1234; }) == "img: e_machine: 0x1234, " + expected);
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_version = 2; }) == "img: e_version: 0x2, expected 1 (EV_CURRENT)");
    const std::pair<uint16_t, std::string> types[] = {
        {ET_DYN, "ET_DYN (a PIE or shared object)"}, {ET_REL, "ET_REL (an object file)"},
        {ET_CORE, "ET_CORE (a core dump)"}, {0x1234, "unknown type 0x1234"}};
    for (const auto& [type, what] : types) {
        const uint16_t e_type = type; // clang 14 cannot capture a structured binding
        CHECK(invalid([&](ElfBuilder& b) { b.ehdr.e_type = e_type; }) ==
              "img: e_type: " + what + ", expected ET_EXEC, a static executable (link with hlbuild)");
    }
}

TEST_CASE("rule: program header table shape and bounds", "[elf][rules]") {
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_phentsize = 32; }) ==
          "img: e_phentsize: 32, expected 56 (sizeof(Elf64_Phdr))");
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_phnum = 0; }) == "img: e_phnum: 0, expected 1 to 64 program headers");
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_phnum = 65; }) == "img: e_phnum: 65, expected 1 to 64 program headers");
    for (uint64_t phoff : {0, 63})
        CHECK(invalid([=](ElfBuilder& b) { b.ehdr.e_phoff = phoff; }) ==
              "img: e_phoff: " + hex(phoff) +
                  " is inside the ELF header, expected the program header table after it, at 0x40 or later");
    // Patched after build(): the builder would grow the file to fit the table.
    auto bytes = ElfBuilder().build();
    const uint64_t size = bytes.size();
    const std::string tail =
        " (224 bytes) extends past end of file (" + hex(size) + " bytes), expected it inside the file";
    for (uint64_t phoff : {size - 223, uint64_t{0x100000}, ~uint64_t{0} - 100}) {
        ElfBuilder::put(bytes, offsetof(Elf64_Ehdr, e_phoff), phoff);
        CHECK(invalid(bytes) == "img: e_phoff: program header table at " + hex(phoff) + tail);
    }
}

TEST_CASE("rule: no PT_INTERP, no PT_DYNAMIC, at least one PT_LOAD", "[elf][rules]") {
    CHECK(invalid([](ElfBuilder& b) { b.add_phdr({PT_INTERP, PF_R, 0x200, 0, 0, 4, 4, 1}); }) ==
          "img: program header 4 (PT_INTERP): requests a dynamic loader, " + kStatic);
    CHECK(invalid([](ElfBuilder& b) { b.add_phdr({PT_DYNAMIC, PF_R, 0x200, 0, 0, 16, 16, 8}); }) ==
          "img: program header 4 (PT_DYNAMIC): holds dynamic linking information, " + kStatic);
    CHECK(invalid([](ElfBuilder& b) { // only the PT_NOTE left
              b.phdrs.erase(b.phdrs.begin(), b.phdrs.begin() + ElfBuilder::kNote);
              b.ehdr.e_phnum = 1;
          }) == "img: program headers: no PT_LOAD segment, expected at least one");
}

TEST_CASE("rule: only PT_LOAD, PT_NOTE and PT_GNU_STACK program headers", "[elf][rules]") {
    // A PT_LOAD relabelled as a type hl would skip must not silently vanish.
    const std::string tail = " is not a type hl accepts, expected PT_LOAD, PT_NOTE or PT_GNU_STACK";
    const std::pair<uint32_t, std::string> types[] = {
        {PT_NULL, "0x0 (PT_NULL)"}, {PT_TLS, "0x7 (PT_TLS)"}, {PT_PHDR, "0x6 (PT_PHDR)"},
        {PT_GNU_RELRO, "0x6474e552 (PT_GNU_RELRO)"}, {PT_GNU_PROPERTY, "0x6474e553 (PT_GNU_PROPERTY)"},
        {PT_LOOS, "0x60000000"}, {0xffffffff, "0xffffffff"}};
    for (const auto& [type, what] : types) {
        const uint32_t p_type = type; // clang 14 cannot capture a structured binding
        CHECK(invalid([=](ElfBuilder& b) { b.phdrs[2].p_type = p_type; }) == "img: program header 2: p_type: " +
                                                                                 what + tail);
    }
}

TEST_CASE("rule: PT_GNU_STACK only in its harmless form", "[elf][rules]") {
    auto marker = [](uint32_t flags, uint64_t filesz, uint64_t memsz) {
        return [=](ElfBuilder& b) { b.add_phdr({PT_GNU_STACK, flags, 0, 0, 0, filesz, memsz, 16}); };
    };
    // What a hand link with -z noexecstack adds: accepted, and loads nothing.
    CHECK(valid(marker(PF_R | PF_W, 0, 0)).segments().size() == 3);
    CHECK(valid(marker(0, 0, 0)).segments().size() == 3);
    const std::string field = "img: program header 4 (PT_GNU_STACK): ";
    const std::string tail = ", expected 0 (PT_GNU_STACK only marks the stack non-executable)";
    CHECK(invalid(marker(PF_R | PF_W, 0x10, 0x10)) == field + "p_filesz: 0x10" + tail);
    CHECK(invalid(marker(PF_R | PF_W, 0, 0x1000)) == field + "p_memsz: 0x1000" + tail);
    CHECK(invalid(marker(PF_R | PF_W | PF_X, 0, 0)) ==
          field + "p_flags: PF_X asks for an executable stack, expected no PF_X (hl stacks are never executable)");
    // Text relabelled: refused, not skipped.
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_type = PT_GNU_STACK; }) ==
          "img: program header 0 (PT_GNU_STACK): p_filesz: 0x60" + tail);
}

TEST_CASE("rule: p_flags has no bits beyond PF_R, PF_W and PF_X", "[elf][rules]") {
    const std::string tail = ", expected only PF_R, PF_W and PF_X (0x7)";
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_flags = PF_R | 0x8; }) ==
          kPh1 + "p_flags: 0xc has unknown bits 0x8" + tail);
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_flags = PF_R | PF_X | PF_MASKPROC; }) ==
          "img: program header 0 (PT_LOAD): p_flags: 0xf0000005 has unknown bits 0xf0000000" + tail);
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[ElfBuilder::kNote].p_flags = PF_R | PF_MASKOS; }) ==
          "img: program header 3 (PT_NOTE): p_flags: 0xff00004 has unknown bits 0xff00000" + tail);
}

TEST_CASE("rule: p_align is 0 or a power of two, and fits a PT_LOAD", "[elf][rules]") {
    for (uint64_t align : {uint64_t{3}, uint64_t{0x1001}, ~uint64_t{0}})
        CHECK(invalid([=](ElfBuilder& b) { b.phdrs[1].p_align = align; }) ==
              kPh1 + "p_align: " + hex(align) + " is not a power of two, expected 0 or a power of two");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[ElfBuilder::kNote].p_align = 6; }) ==
          "img: program header 3 (PT_NOTE): p_align: 0x6 is not a power of two, expected 0 or a power of two");
    // Page-aligned and congruent modulo a page, but not modulo a larger p_align.
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_align = 0x10000; }) ==
          kPh1 + "p_align: p_vaddr 0x101000 and p_offset 0x2000 differ modulo 0x10000, expected them equal modulo "
                 "p_align");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_align = 0x2000; }) ==
          "img: program header 0 (PT_LOAD): p_align: p_vaddr 0x100000 and p_offset 0x1000 differ modulo 0x2000, "
          "expected them equal modulo p_align");
    // 0 and 1 ask for nothing; smaller powers of two follow from the page rule.
    for (uint64_t align : {uint64_t{0}, uint64_t{1}, uint64_t{16}, uint64_t{0x1000}})
        CHECK(valid([=](ElfBuilder& b) {
                  for (size_t i : {ElfBuilder::kText, ElfBuilder::kRodata, ElfBuilder::kData})
                      b.phdrs[i].p_align = align;
              }).segments().size() == 3);
    // Congruent modulo 0x10000: text at file offset 0x10000 for 0x100000.
    const Image far = valid([](ElfBuilder& b) {
        b.phdrs[0].p_align = 0x10000;
        b.phdrs[0].p_offset = b.blobs[ElfBuilder::kText].offset = 0x10000;
    });
    CHECK(far.segments()[0].offset == 0x10000);
}

TEST_CASE("rule: PT_LOAD sizes", "[elf][rules]") {
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_memsz = 4; }) ==
          kPh1 + "p_filesz: 0x6 exceeds p_memsz 0x4, expected at most p_memsz");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_filesz = b.phdrs[1].p_memsz = 0; }) ==
          kPh1 + "p_memsz: 0, expected a nonempty segment");
}

TEST_CASE("rule: PT_LOAD alignment", "[elf][rules]") {
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_vaddr += 0x10, b.phdrs[1].p_offset += 0x10; }) ==
          kPh1 + "p_vaddr: 0x101010 is not page-aligned, expected a multiple of 0x1000");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_offset = 0x2010; }) ==
          kPh1 + "p_offset: 0x2010 differs from p_vaddr 0x101000 modulo 0x1000, expected equal page offsets");
}

TEST_CASE("rule: PT_LOAD file data inside the file", "[elf][rules]") {
    ElfBuilder b;
    b.sections = false;
    const std::string eof =
        "extend past end of file (" + hex(b.build().size()) + " bytes), expected them inside the file";
    b.phdrs[2].p_filesz = b.phdrs[2].p_memsz = 0x2000;
    CHECK(invalid(b.build()) == kPh2 + "p_filesz: 0x2000 bytes at p_offset 0x3000 " + eof);
    b.phdrs[2].p_filesz = 0x10;
    b.phdrs[2].p_offset = 0xfffffffffffff000; // offset + filesz wraps
    CHECK(invalid(b.build()) == kPh2 + "p_filesz: 0x10 bytes at p_offset 0xfffffffffffff000 " + eof);
    b.phdrs[2].p_filesz = 0; // bss-only: reads nothing, so the offset does not matter
    CHECK_NOTHROW(Image::parse("img", b.build()));
}

TEST_CASE("rule: PT_LOAD inside the image window", "[elf][rules]") {
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[2].p_memsz = 0xffffffffffffff00; }) ==
          kPh2 + "p_memsz: 0xffffffffffffff00 at p_vaddr 0x102000 overflows, expected a segment inside " + kWindow);
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_vaddr = b.phdrs[0].p_paddr = 0; }) ==
          "img: program header 0 (PT_LOAD): p_vaddr: segment [0x0, 0x60) is outside the image window, expected it "
          "inside " + kWindow);
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[2].p_memsz = 0x40000000; }) ==
          kPh2 + "p_vaddr: segment [0x102000, 0x40102000) is outside the image window, expected it inside " + kWindow);
    // A bss-only segment's memsz is checked like any other, not trusted.
    auto bss = [](uint64_t vaddr, uint64_t memsz) {
        return [=](ElfBuilder& b) { b.add_phdr({PT_LOAD, PF_R | PF_W, 0x3000, vaddr, vaddr, 0, memsz, 0x1000}); };
    };
    CHECK(invalid(bss(0x200000, 0x80000000)) ==
          "img: program header 4 (PT_LOAD): p_vaddr: segment [0x200000, 0x80200000) is outside the image window, "
          "expected it inside " + kWindow);
    const Image edge = valid(bss(0x3ffff000, 0x1000));
    CHECK(edge.segments().back().filesz == 0);
    CHECK(edge.end_address() == 0x40000000);
}

TEST_CASE("rule: PT_LOAD permissions", "[elf][rules]") {
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_flags = 0; }) ==
          kPh1 + "p_flags: segment is not readable, expected PF_R");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_flags = PF_X; }) ==
          "img: program header 0 (PT_LOAD): p_flags: segment is not readable, expected PF_R");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_flags = PF_R | PF_W | PF_X; }) ==
          "img: program header 0 (PT_LOAD): p_flags: segment is writable and executable, expected at most one of "
          "PF_W and PF_X");
}

TEST_CASE("rule: executable PT_LOAD has no zero-filled memory", "[elf][rules]") {
    const std::string tail =
        " in an executable segment, expected p_filesz equal to p_memsz (no zero-filled executable memory)";
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_memsz = 0x61; }) ==
          "img: program header 0 (PT_LOAD): p_filesz: 0x60 is below p_memsz 0x61" + tail);
    // An executable bss-only segment, on a page of its own.
    CHECK(invalid([](ElfBuilder& b) { b.add_phdr({PT_LOAD, PF_R | PF_X, 0x3000, 0x200000, 0x200000, 0, 0x1000,
                                                   0x1000}); }) ==
          "img: program header 4 (PT_LOAD): p_filesz: 0x0 is below p_memsz 0x1000" + tail);
    // Data may be zero-filled: that is bss.
    CHECK(valid().segments()[2].filesz < valid().segments()[2].memsz);
}

TEST_CASE("rule: PT_LOAD segments sorted and on separate pages", "[elf][rules]") {
    CHECK(invalid([](ElfBuilder& b) { std::swap(b.phdrs[1], b.phdrs[2]); }) ==
          kPh2 + "p_vaddr: 0x101000 is below program header 1 (PT_LOAD) at 0x102000, expected PT_LOAD segments "
                 "sorted by address");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[0].p_filesz = b.phdrs[0].p_memsz = 0x1001; }) ==
          kPh1 + "p_vaddr: 0x101000 overlaps program header 0 (PT_LOAD) [0x100000, 0x101001) rounded to pages, "
                 "expected segments on separate pages");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[1].p_vaddr = 0x100000; }) ==
          kPh1 + "p_vaddr: 0x100000 overlaps program header 0 (PT_LOAD) [0x100000, 0x100060) rounded to pages, "
                 "expected segments on separate pages");
    // A segment that ends exactly on a page boundary leaves the next page free.
    CHECK(valid([](ElfBuilder& b) { b.phdrs[0].p_filesz = b.phdrs[0].p_memsz = 0x1000; }).segments()[0].memsz ==
          0x1000);
}

TEST_CASE("rule: entry point inside an executable segment", "[elf][rules]") {
    const std::string tail = " is not inside an executable segment, expected an address in a PT_LOAD segment with PF_X";
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_entry = 0x101000; }) == "img: e_entry: 0x101000" + tail);
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_entry = 0x100060; }) == "img: e_entry: 0x100060" + tail);
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_entry = 0; }) == "img: e_entry: 0x0" + tail);
    CHECK(valid([](ElfBuilder& b) { b.ehdr.e_entry = 0x10005f; }).entry() == 0x10005f);
}
