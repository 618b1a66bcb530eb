// Unit tests of static Linux executables (hl-abi(7), "Static Linux
// executables"): which personality an image gets, the Linux forms of the
// PT_LOAD rules, the kinds hl refuses, PT_TLS and PT_PHDR, and the program
// header table an Image exposes; each rejection with its exact message
// (elf_linux_rules.cpp, elf_rules.cpp).
#include "elf_builder.hpp"

#include <hl/abi.h>
#include <hl/image.hpp>

#include <catch2/catch.hpp>

#include <cstring>

namespace {

using hl::Image;
using hl::Personality;
using hl::test::ElfBuilder;
using hl::test::hex;
using hl::test::invalid;
using hl::test::linux_invalid;
using hl::test::linux_valid;

constexpr size_t kData = ElfBuilder::kData;
const std::string kPh1 = "img: program header 1 (PT_LOAD): ";
const std::string kPh2 = "img: program header 2 (PT_LOAD): ";
const std::string kLinuxStatic = "expected a static executable (link with musl-gcc -static, or hlbuild)";

Elf64_Phdr tls(uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align = 8) {
    return {PT_TLS, PF_R, ElfBuilder::kDataOffset + (vaddr - ElfBuilder::kDataAddr), vaddr, vaddr, filesz, memsz,
            align};
}

} // namespace

TEST_CASE("linux: an image without the hl note is a static Linux executable", "[elf][linux]") {
    CHECK(hl::personality_name(Personality::Hl) == std::string("hl"));
    CHECK(hl::personality_name(Personality::Linux) == std::string("linux"));
    const Image image = linux_valid();
    CHECK(image.personality() == Personality::Linux);
    CHECK(image.segments().size() == 3);
    CHECK(image.entry() == ElfBuilder::kTextAddr);
    CHECK(image.symbolize(ElfBuilder::kTextAddr + 0x12) == "compute+0x2");
    // No note: the defaults the layout uses.
    CHECK(image.note().abi_version == 0);
    CHECK(image.note().stack_size == HL_STACK_DEFAULT);
    CHECK(image.note().heap_size == HL_HEAP_DEFAULT);
    CHECK_FALSE(image.tls());
    // Exports need the hl runtime: a Linux image's .hl_exports is not read.
    CHECK(linux_valid([](ElfBuilder& b) { b.add_exports({ElfBuilder::export_record("add", "lll")}); })
              .exports()
              .empty());
    CHECK(hl::test::valid([](ElfBuilder& b) { b.add_exports({ElfBuilder::export_record("add", "lll")}); })
              .exports()
              .size() == 1);
}

TEST_CASE("linux rule: a segment may start mid-page, an hl image's may not", "[elf][linux]") {
    const Image image = linux_valid([](ElfBuilder& b) { b.data_mid_page(0xfc0); });
    const hl::Segment& data = image.segments()[kData];
    CHECK(data.vaddr == 0x102fc0);
    CHECK(data.offset == 0x3fc0);
    CHECK(data.memsz == ElfBuilder::kDataMemsz);
    CHECK(image.segment_bytes(data).size() == 16);
    CHECK(image.segment_bytes(data)[0] == 0xab);
    CHECK(image.end_address() == 0x102fc0 + ElfBuilder::kDataMemsz);
    CHECK(invalid([](ElfBuilder& b) { b.data_mid_page(0xfc0); }) ==
          kPh2 + "p_vaddr: 0x102fc0 is not page-aligned, expected a multiple of 0x1000");
}

TEST_CASE("linux rule: p_align is at least a page, and p_vaddr and p_offset agree modulo it", "[elf][linux]") {
    const std::string tail = ", expected a power of two of at least 0x1000 (link with -Wl,-z,max-page-size=4096)";
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_align = 0; }) ==
          kPh1 + "p_align: 0x0 leaves the segment unaligned" + tail);
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_align = 1; }) ==
          kPh1 + "p_align: 0x1 leaves the segment unaligned" + tail);
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_align = 0x800; }) ==
          kPh1 + "p_align: 0x800 is below the page size 0x1000" + tail);
    // Not a power of two: the rule of every program header comes first.
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_align = 0x1800; }) ==
          kPh1 + "p_align: 0x1800 is not a power of two, expected 0 or a power of two");
    CHECK(linux_invalid([](ElfBuilder& b) { b.data_mid_page(0xfc0).phdrs[kData].p_offset -= 0x10; }) ==
          kPh2 + "p_align: p_vaddr 0x102fc0 and p_offset 0x3fb0 differ modulo 0x1000, expected them equal modulo "
                 "p_align");
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[0].p_align = 0x200000; }) ==
          "img: program header 0 (PT_LOAD): p_align: p_vaddr 0x100000 and p_offset 0x1000 differ modulo 0x200000, "
          "expected them equal modulo p_align");
    // Congruent modulo a larger p_align: text at file offset 0 for 0x100000.
    const Image far = linux_valid([](ElfBuilder& b) {
        b.phdrs[0].p_align = 0x10000;
        b.phdrs[0].p_offset = 0x10000;
        b.blobs[ElfBuilder::kText].offset = 0x10000;
    });
    CHECK(far.segments()[0].offset == 0x10000);
}

TEST_CASE("linux rule: PT_LOAD segments in order, never overlapping, never sharing a page", "[elf][linux]") {
    // Rodata takes [0x101000, 0x101006): the rest of its page is its own.
    CHECK(linux_invalid([](ElfBuilder& b) { b.move_data(0x101ff0); }) ==
          kPh2 + "p_vaddr: 0x101ff0 shares the page 0x101000 with program header 1 (PT_LOAD) [0x101000, 0x101006), "
                 "expected each segment on pages of its own (link with -Wl,-z,separate-code and no linker script that "
                 "packs segments)");
    CHECK(linux_invalid([](ElfBuilder& b) { b.move_data(0x101006); }) ==
          kPh2 + "p_vaddr: 0x101006 shares the page 0x101000 with program header 1 (PT_LOAD) [0x101000, 0x101006), "
                 "expected each segment on pages of its own (link with -Wl,-z,separate-code and no linker script that "
                 "packs segments)");
    CHECK(linux_invalid([](ElfBuilder& b) { b.move_data(0x101005); }) ==
          kPh2 + "p_vaddr: 0x101005 overlaps program header 1 (PT_LOAD) [0x101000, 0x101006), expected segments that "
                 "do not overlap");
    CHECK(linux_invalid([](ElfBuilder& b) { std::swap(b.phdrs[1], b.phdrs[2]); }) ==
          kPh2 + "p_vaddr: 0x101000 is below program header 1 (PT_LOAD) at 0x102000, expected PT_LOAD segments sorted "
                 "by address");
    // The next page is free, wherever in it the segment starts.
    CHECK(linux_valid([](ElfBuilder& b) { b.move_data(0x102000); }).segments()[kData].vaddr == 0x102000);
    CHECK(linux_valid([](ElfBuilder& b) { b.move_data(0x102ff0); }).segments()[kData].vaddr == 0x102ff0);
}

TEST_CASE("linux rule: dynamically linked, position-independent and glibc executables are refused",
          "[elf][linux]") {
    const Elf64_Phdr interp{PT_INTERP, PF_R, 0x200, 0, 0, 4, 4, 1};
    const Elf64_Phdr dynamic{PT_DYNAMIC, PF_R | PF_W, 0x3000, 0x102000, 0x102000, 16, 16, 8};
    const std::string dynamically_linked = "img: program header 4 (PT_INTERP): a dynamically linked executable (it "
                                           "asks for a dynamic loader), " + kLinuxStatic;
    CHECK(linux_invalid([&](ElfBuilder& b) { b.add_phdr(interp); }) == dynamically_linked);
    // gcc's default output, a dynamically linked PIE: what to fix first is the linking.
    CHECK(linux_invalid([&](ElfBuilder& b) {
              b.ehdr.e_type = ET_DYN;
              b.add_phdr(interp);
              b.add_phdr(dynamic);
          }) == dynamically_linked);
    const std::string pie = "img: e_type: ET_DYN, a position-independent executable (PIE or static-pie), which hl "
                            "does not support, expected ET_EXEC (link with musl-gcc -static -no-pie)";
    CHECK(linux_invalid([&](ElfBuilder& b) {
              b.ehdr.e_type = ET_DYN;
              b.add_phdr(dynamic);
          }) == pie);
    CHECK(linux_invalid([&](ElfBuilder& b) { b.ehdr.e_type = ET_DYN; }) == pie);
    CHECK(linux_invalid([&](ElfBuilder& b) { b.add_phdr(dynamic); }) ==
          "img: program header 4 (PT_DYNAMIC): a dynamically linked executable (it holds dynamic linking "
          "information), " + kLinuxStatic);
    CHECK(linux_invalid([&](ElfBuilder& b) { b.ehdr.e_type = ET_CORE; }) ==
          "img: e_type: ET_CORE (a core dump), expected ET_EXEC, a static executable (link with musl-gcc -static, or "
          "hlbuild)");
    // An hl image keeps its own messages.
    CHECK(invalid([&](ElfBuilder& b) { b.ehdr.e_type = ET_DYN; }) ==
          "img: e_type: ET_DYN (a PIE or shared object), expected ET_EXEC, a static executable (link with hlbuild)");
    CHECK(invalid([&](ElfBuilder& b) { b.add_phdr(interp); }) ==
          "img: program header 4 (PT_INTERP): requests a dynamic loader, expected a static executable (link with "
          "hlbuild)");

    // glibc's crt1 brings an ABI tag note (musl's brings none), here after the build id.
    const auto abi_tag =
        ElfBuilder::note_entry("GNU", NT_GNU_ABI_TAG, {0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0});
    auto glibc_notes = ElfBuilder::note_entry("GNU", NT_GNU_BUILD_ID, std::vector<uint8_t>(8, 0x5a));
    glibc_notes.insert(glibc_notes.end(), abi_tag.begin(), abi_tag.end());
    const std::string glibc = "img: note: an NT_GNU_ABI_TAG note in program header 3 (PT_NOTE) marks a static glibc "
                              "executable, which hl does not support, expected a static musl executable (link with "
                              "musl-gcc -static)";
    CHECK(linux_invalid([&](ElfBuilder& b) { b.set_notes(glibc_notes); }) == glibc);
    // In a PT_NOTE of its own, as glibc links it.
    CHECK(linux_invalid([&](ElfBuilder& b) {
              b.add_phdr({PT_NOTE, PF_R, 0x3000 + 0x100, 0, 0, abi_tag.size(), abi_tag.size(), 4});
              b.blobs.push_back({0x3100, abi_tag});
          }) == "img: note: an NT_GNU_ABI_TAG note in program header 4 (PT_NOTE) marks a static glibc executable, "
                "which hl does not support, expected a static musl executable (link with musl-gcc -static)");
    // Other GNU notes, and type 1 of another owner, are not glibc's mark.
    CHECK(linux_valid([&](ElfBuilder& b) {
              b.set_notes(ElfBuilder::note_entry("GNU", NT_GNU_PROPERTY_TYPE_0, std::vector<uint8_t>(16), 8));
              b.phdrs[ElfBuilder::kNote].p_align = 8;
          }).personality() == Personality::Linux);
    CHECK(linux_valid([&](ElfBuilder& b) {
              b.set_notes(ElfBuilder::note_entry("GNUX", NT_GNU_ABI_TAG, std::vector<uint8_t>(16)));
          }).personality() == Personality::Linux);
    // A 32-bit executable: one message for both personalities.
    CHECK(linux_invalid([](ElfBuilder& b) { b.ehdr.e_ident[EI_CLASS] = ELFCLASS32; }) ==
          "img: e_ident[EI_CLASS]: 32-bit ELF (ELFCLASS32), expected ELFCLASS64");
}

TEST_CASE("linux rule: the program header types a static Linux executable has", "[elf][linux]") {
    const Image image = linux_valid([](ElfBuilder& b) {
        b.add_phdr({PT_GNU_RELRO, PF_R, 0x3000, 0x102000, 0x102000, 0x10, 0x10, 1});
        b.add_phdr({PT_GNU_EH_FRAME, PF_R, 0x2000, 0x101000, 0x101000, 4, 4, 4});
        b.add_phdr({PT_GNU_PROPERTY, PF_R, 0x200, 0, 0, 0x18, 0x18, 8});
        // -z stack-size asks for a stack size in p_memsz: Linux ignores it, so does hl.
        b.add_phdr({PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0x800000, 16});
    });
    CHECK(image.segments().size() == 3);
    const std::string tail = " is not a type hl accepts, expected PT_LOAD, PT_NOTE, PT_TLS, PT_PHDR, PT_GNU_STACK, "
                             "PT_GNU_RELRO, PT_GNU_EH_FRAME or PT_GNU_PROPERTY";
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[2].p_type = PT_NULL; }) ==
          "img: program header 2: p_type: 0x0 (PT_NULL)" + tail);
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_type = PT_SHLIB; }) ==
          "img: program header 1: p_type: 0x5 (PT_SHLIB)" + tail);
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_type = PT_LOOS; }) ==
          "img: program header 1: p_type: 0x60000000" + tail);
    CHECK(linux_invalid([](ElfBuilder& b) { b.add_phdr({PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 0, 16}); }) ==
          "img: program header 4 (PT_GNU_STACK): p_flags: PF_X asks for an executable stack, expected no PF_X (hl "
          "stacks are never executable)");
    CHECK(linux_invalid([](ElfBuilder& b) {
              b.add_phdr({PT_GNU_RELRO, PF_R | 0x10, 0x3000, 0x102000, 0x102000, 8, 8, 1});
          }) ==
          "img: program header 4 (PT_GNU_RELRO): p_flags: 0x14 has unknown bits 0x10, expected only PF_R, PF_W and "
          "PF_X (0x7)");
}

TEST_CASE("linux rule: PT_TLS", "[elf][linux]") {
    const Image image = linux_valid([](ElfBuilder& b) {
        b.data_mid_page(0xfc0);
        b.add_phdr(tls(0x102fc0, 4, 0x20, 4));
    });
    REQUIRE(image.tls());
    CHECK(image.tls()->vaddr == 0x102fc0);
    CHECK(image.tls()->filesz == 4);
    CHECK(image.tls()->memsz == 0x20);
    CHECK(image.tls()->align == 4);
    // Only zero-initialised thread-local data: nothing to read from the file.
    CHECK(linux_valid([](ElfBuilder& b) { b.add_phdr(tls(0x500000, 0, 0x40)); }).tls()->memsz == 0x40);
    const std::string field = "img: program header 4 (PT_TLS): ";
    CHECK(linux_invalid([](ElfBuilder& b) { b.add_phdr(tls(0x102000, 8, 4)); }) ==
          field + "p_filesz: 0x8 exceeds p_memsz 0x4, expected at most p_memsz");
    // Data has 16 bytes from the file: a template may end there, not past it.
    CHECK(linux_valid([](ElfBuilder& b) { b.add_phdr(tls(0x102008, 8, 8)); }).tls()->filesz == 8);
    CHECK(linux_invalid([](ElfBuilder& b) { b.add_phdr(tls(0x102008, 9, 9)); }) ==
          field + "p_vaddr: its 0x9 template bytes at 0x102008 are not inside a PT_LOAD's file bytes, expected the "
                  "template inside a loaded segment");
    CHECK(linux_invalid([](ElfBuilder& b) { b.add_phdr(tls(0x0ff000, 4, 4)); }) ==
          field + "p_vaddr: its 0x4 template bytes at 0xff000 are not inside a PT_LOAD's file bytes, expected the "
                  "template inside a loaded segment");
    CHECK(linux_invalid([](ElfBuilder& b) {
              b.add_phdr(tls(0x102000, 4, 4));
              b.add_phdr(tls(0x102000, 4, 4));
          }) == "img: program header 5 (PT_TLS): a second PT_TLS (the first is program header 4 (PT_TLS)), expected at "
                "most one");
    CHECK(linux_invalid([](ElfBuilder& b) { b.add_phdr(tls(0x102000, 4, 4, 3)); }) ==
          field + "p_align: 0x3 is not a power of two, expected 0 or a power of two");
    // hl images have no thread-local storage.
    CHECK(invalid([](ElfBuilder& b) { b.add_phdr(tls(0x102000, 4, 4)); }) ==
          "img: program header 4: p_type: 0x7 (PT_TLS) is not a type hl accepts, expected PT_LOAD, PT_NOTE or "
          "PT_GNU_STACK");
}

TEST_CASE("image: the program header table, and where it is loaded", "[elf][linux]") {
    ElfBuilder b;
    const std::vector<uint8_t> file = b.build();
    const Image image = Image::parse("img", file);
    CHECK(image.program_header_size() == sizeof(Elf64_Phdr));
    CHECK(image.program_header_count() == 4);
    const auto table = image.program_header_bytes();
    REQUIRE(table.size() == 4 * sizeof(Elf64_Phdr));
    CHECK(std::memcmp(table.data(), file.data() + sizeof(Elf64_Ehdr), table.size()) == 0);
    // hlbuild's images do not load their headers.
    CHECK_FALSE(image.program_headers_address());

    // A Linux linker loads them with the first bytes of the file.
    const Image loaded = linux_valid([](ElfBuilder& e) { e.load_headers(0x200000); });
    CHECK(loaded.program_header_count() == 5);
    CHECK(loaded.program_headers_address() == 0x200040);
    // A PT_PHDR must agree with it.
    CHECK(linux_valid([](ElfBuilder& e) {
              e.load_headers(0x200000);
              e.add_phdr({PT_PHDR, PF_R, 0x40, 0x200040, 0x200040, 6 * 56, 6 * 56, 8});
          }).program_headers_address() == 0x200040);
    CHECK(linux_invalid([](ElfBuilder& e) {
              e.load_headers(0x200000);
              e.add_phdr({PT_PHDR, PF_R, 0x40, 0x300040, 0x300040, 6 * 56, 6 * 56, 8});
          }) == "img: program header 5 (PT_PHDR): p_vaddr: 0x300040 is not where the program header table is loaded "
                "(0x200040), expected 0x200040");
    CHECK(linux_invalid([](ElfBuilder& e) { e.add_phdr({PT_PHDR, PF_R, 0x40, 0x40, 0x40, 5 * 56, 5 * 56, 8}); }) ==
          "img: program header 4 (PT_PHDR): p_vaddr: 0x40, but no PT_LOAD loads the program header table, expected a "
          "PT_LOAD whose file bytes hold the table, or no PT_PHDR");
    // A segment that holds only part of the table does not load it.
    CHECK_FALSE(linux_valid([](ElfBuilder& e) {
                    e.load_headers(0x200000);
                    e.phdrs.back().p_filesz = e.phdrs.back().p_memsz = 0x80;
                }).program_headers_address());
}

TEST_CASE("linux rule: every other PT_LOAD rule holds as in hl images", "[elf][linux]") {
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[0].p_flags = PF_R | PF_W | PF_X; }) ==
          "img: program header 0 (PT_LOAD): p_flags: segment is writable and executable, expected at most one of PF_W "
          "and PF_X");
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_flags = PF_W; }) ==
          kPh1 + "p_flags: segment is not readable, expected PF_R");
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[0].p_memsz = 0x61; }) ==
          "img: program header 0 (PT_LOAD): p_filesz: 0x60 is below p_memsz 0x61 in an executable segment, expected "
          "p_filesz equal to p_memsz (no zero-filled executable memory)");
    // The window holds every page a segment touches: its ends are page-aligned.
    CHECK(linux_invalid([](ElfBuilder& b) { b.move_data(0x3ffffff0); }) ==
          kPh2 + "p_vaddr: segment [0x3ffffff0, 0x400017f0) is outside the image window, expected it inside "
                 "[0x100000, 0x40000000)");
    CHECK(linux_invalid([](ElfBuilder& b) { b.ehdr.e_entry = ElfBuilder::kDataAddr; }) ==
          "img: e_entry: 0x102000 is not inside an executable segment, expected an address in a PT_LOAD segment with "
          "PF_X");
    CHECK(linux_invalid([](ElfBuilder& b) { b.phdrs[1].p_filesz = b.phdrs[1].p_memsz = 0; }) ==
          kPh1 + "p_memsz: 0, expected a nonempty segment");
}
