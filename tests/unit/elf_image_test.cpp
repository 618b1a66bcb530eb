// Unit tests of hl::Image: parsing a valid image, its segments, note and
// symbols, robustness to truncation, and loading real files. The rules each
// refusal enforces are in elf_rules_test.cpp and elf_note_rules_test.cpp.
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
    // The size-0 function "marker" reaches the end of .text (0x100060); STT_NOTYPE is not recorded.
    CHECK(image.symbolize(0x100040) == "marker");
    CHECK(image.symbolize(0x100050) == "marker+0x10");
    CHECK(image.symbolize(0x10005f) == "marker+0x1f");
    CHECK(image.symbolize(0x100060) == std::nullopt);
    CHECK(image.symbolize(0x101005) == "greeting+0x5");
    CHECK(image.symbolize(0x102007) == "counter+0x7");
    CHECK(image.symbolize(0x102008) == std::nullopt);
    CHECK(image.symbolize(0xfffff) == std::nullopt);
    CHECK(image.symbolize(0) == std::nullopt);
}

TEST_CASE("symbols: a function without a size reaches the next symbol, unless a sized one shares its address", "[elf]") {
    const Image image = valid([](ElfBuilder& b) {
        b.symbols.push_back({"after_marker", ElfBuilder::kTextAddr + 0x48, 8, STT_FUNC});
        b.symbols.push_back({"compute_label", ElfBuilder::kTextAddr + 0x10, 0, STT_FUNC});
    });
    CHECK(image.symbolize(0x100047) == "marker+0x7");
    CHECK(image.symbolize(0x100048) == "after_marker");
    CHECK(image.symbolize(0x100050) == std::nullopt);   // after_marker's 8 bytes end there
    CHECK(image.symbolize(0x100010) == "compute");
    CHECK(image.symbolize(0x10002f) == "compute+0x1f");
    const auto label = std::find_if(image.symbols().begin(), image.symbols().end(),
                                    [](const hl::Symbol& s) { return s.name == "compute_label"; });
    REQUIRE(label != image.symbols().end());
    CHECK(label->size == 0);
}

TEST_CASE("symbols: a function without a size outside its section's addresses keeps none", "[elf]") {
    // .text is 0x100000-0x100060: a size-0 function said to be in it but past its end reaches nothing.
    const Image image = valid([](ElfBuilder& b) { b.symbols.push_back({"stray", 0x102800, 0, STT_FUNC}); });
    const auto stray = std::find_if(image.symbols().begin(), image.symbols().end(),
                                    [](const hl::Symbol& s) { return s.name == "stray"; });
    REQUIRE(stray != image.symbols().end());
    CHECK(stray->size == 0);
    CHECK(image.symbolize(0x102808) == std::nullopt);
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
        WARN("/bin/ls is missing; skipping the dynamically linked check");
        return;
    }
    // A dynamically linked PIE, like every program of a Debian system.
    CHECK(load_error("/bin/ls", ImageError::Kind::Invalid) ==
          "/bin/ls: program header 1 (PT_INTERP): a dynamically linked executable (it asks for a dynamic loader), "
          "expected a static executable (link with musl-gcc -static, or hlbuild)");
}
