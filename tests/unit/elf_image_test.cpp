// Unit tests of hl::Image: every image rule of hl-abi(7) with its exact message,
// plus parsing, symbols, truncation robustness and loading real files.
#include "elf_builder.hpp"

#include <hl/image.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace {

using hl::Image;
using hl::ImageError;
using hl::test::ElfBuilder;
using hl::test::hex;
using hl::test::invalid;
using hl::test::valid;
namespace fs = std::filesystem;

const std::string kStatic = "expected a static executable (link with hlbuild)";
const std::string kWindow = "[0x100000, 0x40000000)";

std::string load_error(const fs::path& path, ImageError::Kind kind) {
    try {
        (void)Image::load(path);
    } catch (const ImageError& e) {
        CHECK(e.kind() == kind);
        return e.what();
    }
    FAIL("file was accepted");
    return {};
}

std::string describe(const hl::Segment& s) {
    return "[" + hex(s.vaddr) + ", +" + hex(s.memsz) + ") from " + hex(s.offset) + "+" + hex(s.filesz) + " " +
           (s.readable ? "r" : "-") + (s.writable ? "w" : "-") + (s.executable ? "x" : "-");
}

// A scratch file removed at scope exit.
struct TempFile {
    fs::path path = fs::temp_directory_path() / ("hl_elf_test_" + std::to_string(::getpid()) + "_" +
                                                 std::to_string(counter++));
    static inline int counter = 0;
    explicit TempFile(const std::vector<uint8_t>& bytes) {
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                    static_cast<std::streamsize>(bytes.size()));
    }
    ~TempFile() { fs::remove(path); }
};

const std::string kPh1 = "img: program header 1 (PT_LOAD): ";
const std::string kPh2 = "img: program header 2 (PT_LOAD): ";

} // namespace

TEST_CASE("valid image: segments, permissions, entry and note", "[elf]") {
    const Image image = valid();
    CHECK(image.name() == "img");
    CHECK(image.entry() == 0x100000);
    REQUIRE(image.segments().size() == 3);
    const hl::Segment& text = image.segments()[0];
    const hl::Segment& rodata = image.segments()[1];
    CHECK(describe(text) == "[0x100000, +0x60) from 0x1000+0x60 r-x");
    CHECK(describe(rodata) == "[0x101000, +0x6) from 0x2000+0x6 r--");
    CHECK(describe(image.segments()[2]) == "[0x102000, +0x1800) from 0x3000+0x10 rw-");
    CHECK(image.note().abi_version == HL_ABI_VERSION);
    CHECK(image.note().stack_size == HL_STACK_DEFAULT);
    CHECK(image.note().heap_size == HL_HEAP_DEFAULT);
    const auto bytes = image.segment_bytes(text);
    REQUIRE(bytes.size() == 0x60);
    CHECK((bytes[0] == 0x90 && bytes[0x5f] == 0xc3));
    CHECK(image.segment_bytes(rodata)[0] == 'h');
    CHECK(image.end_address() == 0x103800);
}

TEST_CASE("symbols: a name with control bytes reaches messages escaped, on one line", "[elf]") {
    const Image image = valid([](ElfBuilder& b) {
        b.symbols.push_back({"evil\n\x1b[2J", 0x100000, 0, STT_FUNC});
        b.symbols.push_back({"csi\xc2\x9b" "31m\xff", 0x100000, 0, STT_FUNC});
        b.symbols.push_back({"caf\xc3\xa9", 0x100000, 0, STT_FUNC});
    });
    std::vector<std::string> names;
    for (const hl::Symbol& s : image.symbols())
        names.push_back(s.name);
    CHECK(std::count(names.begin(), names.end(), "evil\\x0a\\x1b[2J") == 1);
    CHECK(std::count(names.begin(), names.end(), "csi\\xc2\\x9b31m\\xff") == 1);
    CHECK(std::count(names.begin(), names.end(), "caf\xc3\xa9") == 1);
}

TEST_CASE("symbols: functions and objects sorted, symbolize with offsets", "[elf]") {
    const Image image = valid([](ElfBuilder& b) { b.symbols.push_back({"start_alias", 0x100000, 0, STT_FUNC}); });
    std::vector<std::string> names;
    for (const hl::Symbol& s : image.symbols())
        names.push_back(s.name);
    CHECK(names == std::vector<std::string>{"_start", "start_alias", "compute", "marker", "greeting", "counter"});
    CHECK(image.symbolize(0x100000) == "_start");
    CHECK(image.symbolize(0x10000f) == "_start+0xf");
    CHECK(image.symbolize(0x100010) == "compute");
    CHECK(image.symbolize(0x10002f) == "compute+0x1f");
    CHECK(image.symbolize(0x100040) == std::nullopt); // only the size-0 "marker" starts here
    CHECK(image.symbolize(0x100050) == std::nullopt); // STT_NOTYPE is not recorded
    CHECK(image.symbolize(0x101005) == "greeting+0x5");
    CHECK(image.symbolize(0x102007) == "counter+0x7");
    CHECK(image.symbolize(0x102008) == std::nullopt);
    CHECK(image.symbolize(0xfffff) == std::nullopt);
    CHECK(image.symbolize(0) == std::nullopt);
}

TEST_CASE("stripped image and broken section tables parse without symbols", "[elf]") {
    CHECK(valid([](ElfBuilder& b) { b.sections = false; }).symbols().empty());
    ElfBuilder b;
    for (uint64_t shoff : {uint64_t{0x100000}, ~uint64_t{0} - 8}) {
        auto bytes = b.build();
        ElfBuilder::put(bytes, offsetof(Elf64_Ehdr, e_shoff), shoff);
        const Image image = Image::parse("img", bytes);
        CHECK(image.symbols().empty());
        CHECK(image.segments().size() == 3);
    }
    auto bytes = b.build(); // .symtab's sh_link points at no section
    Elf64_Ehdr ehdr;
    std::memcpy(&ehdr, bytes.data(), sizeof ehdr);
    ElfBuilder::put(bytes, ehdr.e_shoff + 2 * sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_link), uint32_t{99});
    CHECK(Image::parse("img", bytes).symbols().empty());
}

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
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_machine = EM_AARCH64; }) ==
          "img: e_machine: 0xb7 (EM_AARCH64), expected 0x3e (EM_X86_64)");
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_machine = 0x1234; }) ==
          "img: e_machine: 0x1234, expected 0x3e (EM_X86_64)");
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

TEST_CASE("rule: the hl note is present exactly once", "[elf][rules][note]") {
    const std::string missing =
        "img: note: no hl ABI note found, expected one (link with hlbuild or use HL_IMAGE_NOTE)";
    CHECK(invalid([](ElfBuilder& b) { b.ehdr.e_phnum = ElfBuilder::kNote; }) == missing); // no PT_NOTE
    // Other owners, other hl note types and look-alike names do not count.
    const std::vector<uint8_t> desc(sizeof(hl_image_note));
    for (const auto& notes : {ElfBuilder::note_entry("GNU", 3, {1, 2, 3, 4}), ElfBuilder::note_entry("hl", 2, desc),
                              ElfBuilder::note_entry("hlx", HL_NOTE_ABI, desc)})
        CHECK(invalid([&](ElfBuilder& b) { b.set_notes(notes); }) == missing);
    const auto once = ElfBuilder::hl_note(ElfBuilder::default_note());
    auto twice = once;
    twice.insert(twice.end(), once.begin(), once.end());
    CHECK(invalid([&](ElfBuilder& b) { b.set_notes(twice); }) ==
          "img: note: 2 hl ABI notes found, expected exactly one");
    CHECK(invalid([](ElfBuilder& b) { b.add_phdr(b.phdrs[ElfBuilder::kNote]); }) ==
          "img: note: 2 hl ABI notes found, expected exactly one");
}

TEST_CASE("rule: notes are well formed", "[elf][rules][note]") {
    CHECK(invalid([](ElfBuilder& b) { b.set_notes(ElfBuilder::note_entry("hl", 1, std::vector<uint8_t>(16))); }) ==
          "img: note: hl ABI note descsz is 16, expected 24 (sizeof(struct hl_image_note))");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[ElfBuilder::kNote].p_offset = 0x100000; }) ==
          "img: note: program header 3 (PT_NOTE) data (0x40 bytes at 0x100000) extends past end of file (" +
              hex(ElfBuilder().build().size()) + " bytes), expected notes inside the file");
    ElfBuilder b;
    auto notes = b.blobs[ElfBuilder::kNote].bytes;
    notes.resize(notes.size() + 4);
    b.set_notes(notes);
    CHECK(invalid(b.build()) ==
          "img: note: header at offset 0x40 of program header 3 (PT_NOTE) is truncated to 4 bytes, expected 12 bytes");
    // Sizes near 2^32 must not wrap the walk.
    for (auto [namesz, descsz] : {std::pair<uint32_t, uint32_t>{3, 0xffffffff}, {0xfffffffd, 24}, {0x40, 0}}) {
        auto bad = ElfBuilder::hl_note(ElfBuilder::default_note());
        ElfBuilder::put(bad, 0, Elf64_Nhdr{namesz, descsz, HL_NOTE_ABI});
        CHECK(invalid([&](ElfBuilder& e) { e.set_notes(bad); }) ==
              "img: note: note at offset 0x0 of program header 3 (PT_NOTE) (namesz " + hex(namesz) + ", descsz " +
                  hex(descsz) + ") extends past the segment end 0x28, expected notes inside the segment");
    }
}

TEST_CASE("notes in an 8-aligned PT_NOTE pad to 8", "[elf][note]") {
    hl_image_note note = ElfBuilder::default_note();
    note.stack_size = 0x8000;
    auto notes = ElfBuilder::note_entry("GNU", 5, {1, 2, 3, 4}, 8); // 24 bytes; 20 if padded to 4
    const auto hl = ElfBuilder::hl_note(note, 8);
    notes.insert(notes.end(), hl.begin(), hl.end());
    const Image image = valid([&](ElfBuilder& b) {
        b.set_notes(notes);
        b.phdrs[ElfBuilder::kNote].p_align = 8;
    });
    CHECK(image.note().stack_size == 0x8000);
}

TEST_CASE("rule: hl note fields", "[elf][rules][note]") {
    auto with = [](auto change) {
        return [=](ElfBuilder& b) {
            hl_image_note note = ElfBuilder::default_note();
            change(note);
            b.set_notes(ElfBuilder::hl_note(note));
        };
    };
    CHECK(invalid(with([](hl_image_note& n) { n.abi_version = 2; })) ==
          "img: note: abi_version is 2, expected 1 (this host's HL_ABI_VERSION)");
    CHECK(invalid(with([](hl_image_note& n) { n.flags = 1; })) == "img: note: flags is 0x1, expected 0 (reserved)");
    // The edges come from <hl/abi.h>; the messages are pinned as users read them.
    for (uint64_t stack : {uint64_t{0}, uint64_t{HL_STACK_MIN + HL_PAGE_SIZE / 2}, uint64_t{HL_STACK_MAX + HL_PAGE_SIZE}})
        CHECK(invalid(with([=](hl_image_note& n) { n.stack_size = stack; })) ==
              "img: note: stack_size is " + hex(stack) +
                  ", expected a multiple of 0x1000 from 0x1000 to 0x10000000 (256 MiB)");
    for (uint64_t stack : {uint64_t{HL_STACK_MIN}, uint64_t{HL_STACK_MAX}})
        CHECK(valid(with([=](hl_image_note& n) { n.stack_size = stack; })).note().stack_size == stack);
    CHECK(invalid(with([](hl_image_note& n) { n.heap_size = HL_HEAP_MAX + 1; })) ==
          "img: note: heap_size is 0x100000001, expected at most 0x100000000 (4 GiB)");
    CHECK(valid(with([](hl_image_note& n) { n.heap_size = HL_HEAP_MAX; })).note().heap_size == HL_HEAP_MAX);
    CHECK(valid(with([](hl_image_note& n) { n.heap_size = 0; })).note().heap_size == 0);
}

TEST_CASE("every truncation of a valid image is rejected cleanly", "[elf]") {
    const ElfBuilder b;
    const std::vector<uint8_t> full = b.build();
    size_t wrong = 0, first_wrong = 0;
    for (size_t n = 0; n < full.size(); ++n) {
        const std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
        bool ok = false;
        try {
            (void)Image::parse("img", cut);
            ok = n >= b.loaded_end(); // past the segments only symbols can be lost
        } catch (const ImageError& e) {
            ok = e.kind() == ImageError::Kind::Invalid;
        }
        if (!ok && wrong++ == 0)
            first_wrong = n;
    }
    INFO("first wrong truncation at " << first_wrong << " bytes");
    CHECK(wrong == 0);
}

TEST_CASE("load: unreadable paths", "[elf][load]") {
    const fs::path missing = fs::temp_directory_path() / "hl_elf_test_no_such_file";
    CHECK(load_error(missing, ImageError::Kind::Unreadable) ==
          missing.string() + ": cannot read: No such file or directory");
    const fs::path dir = fs::temp_directory_path();
    CHECK(load_error(dir, ImageError::Kind::Unreadable) == dir.string() + ": cannot read: Is a directory");
}

TEST_CASE("load: real files", "[elf][load]") {
    const TempFile image(ElfBuilder().build());
    CHECK(Image::load(image.path).segments().size() == 3);
    const std::string text = "hello, world\n";
    const TempFile text_file(std::vector<uint8_t>(text.begin(), text.end()));
    CHECK(load_error(text_file.path, ImageError::Kind::Invalid) ==
          text_file.path.string() + ": e_ident: not an ELF file, expected magic 7f 45 4c 46");
    const TempFile empty(std::vector<uint8_t>{});
    CHECK(load_error(empty.path, ImageError::Kind::Invalid) ==
          empty.path.string() + ": e_ident: not an ELF file (empty), expected magic 7f 45 4c 46");
    if (!fs::exists("/bin/ls")) {
        WARN("/bin/ls is missing; skipping the PIE check");
        return;
    }
    CHECK(load_error("/bin/ls", ImageError::Kind::Invalid) ==
          "/bin/ls: e_type: ET_DYN (a PIE or shared object), expected ET_EXEC, a static executable "
          "(link with hlbuild)");
}
