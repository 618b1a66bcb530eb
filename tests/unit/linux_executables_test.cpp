// Image::load on real Linux executables that the build compiled from
// tests/linux (tests/CMakeLists.txt): musl-gcc -static ones are accepted as
// static Linux executables; glibc static, static-pie and dynamically linked
// ones are refused, each with its line. Skipped, visibly, without musl-gcc.
#include "../linux/linux_executables.hpp"

#include <hl/image.hpp>
#include <hl/layout.hpp>

#include <catch2/catch.hpp>

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <regex>
#include <string>

namespace {

using hl::Image;
using hl::ImageError;
using hl::Personality;
using hl::test::kLinuxExecutables;
using hl::test::without_path;

// The refusal of the file, after "PATH: ".
std::string refusal(const std::string& name) {
    const std::string path = kLinuxExecutables + "/" + name;
    try {
        (void)Image::load(path);
    } catch (const ImageError& e) {
        return e.kind() == ImageError::Kind::Invalid ? without_path(path, e.what())
                                                     : std::string("(unreadable) ") + e.what();
    }
    return "(accepted)";
}

// The program headers of the file behind `image`, as the image keeps them.
std::vector<Elf64_Phdr> program_headers(const Image& image) {
    std::vector<Elf64_Phdr> phdrs(image.program_header_count());
    std::memcpy(phdrs.data(), image.program_header_bytes().data(), phdrs.size() * sizeof(Elf64_Phdr));
    return phdrs;
}

} // namespace

TEST_CASE("linux executables: musl-gcc -static output is a static Linux executable", "[elf][linux]") {
    HL_REQUIRE_MUSL_GCC();
    const Image hello = Image::load(kLinuxExecutables + "/hello-musl");
    CHECK(hello.personality() == Personality::Linux);
    CHECK(hello.exports().empty());
    CHECK_FALSE(hello.tls());
    // musl starts its read-write segment mid-page; the layout gives it whole pages.
    const hl::Segment& data = hello.segments().back();
    CHECK(data.writable);
    CHECK(data.vaddr % HL_PAGE_SIZE != 0);
    const hl::Layout layout = hl::Layout::compute(hello.segments(), hello.note(), HL_MEMORY_DEFAULT);
    const hl::Region* region = layout.region_at(hl::guest_addr(data.vaddr));
    REQUIRE(region != nullptr);
    CHECK(region->start == data.vaddr / HL_PAGE_SIZE * HL_PAGE_SIZE);
    CHECK(region->end() >= data.vaddr + data.memsz);
    CHECK(region->permission.writable);
    // The first segment loads the ELF header and the program header table: AT_PHDR.
    REQUIRE(hello.program_headers_address());
    CHECK(*hello.program_headers_address() == hello.segments().front().vaddr + sizeof(Elf64_Ehdr));
    CHECK(hello.program_header_size() == sizeof(Elf64_Phdr));
    const auto phdrs = program_headers(hello);
    CHECK(std::count_if(phdrs.begin(), phdrs.end(), [](const Elf64_Phdr& p) { return p.p_type == PT_LOAD; }) ==
          static_cast<long>(hello.segments().size()));

    const Image tls = Image::load(kLinuxExecutables + "/tls-musl");
    CHECK(tls.personality() == Personality::Linux);
    REQUIRE(tls.tls());
    CHECK(tls.tls()->filesz == sizeof(int));               // counter = 41
    CHECK(tls.tls()->memsz >= sizeof(int) + 64);           // and scratch[64], zero-filled
    CHECK(tls.tls()->vaddr >= tls.segments().back().vaddr);
}

TEST_CASE("linux executables: glibc static, static-pie and dynamically linked ones are refused with their line",
          "[elf][linux]") {
    HL_REQUIRE_MUSL_GCC();
    // Where the linker puts the headers differs between gcc and clang: the
    // index is a number, the rest is the line word for word.
    const std::string glibc = refusal("hello-glibc-static");
    INFO(glibc);
    CHECK(std::regex_match(glibc,
                           std::regex("note: an NT_GNU_ABI_TAG note in program header [0-9]+ \\(PT_NOTE\\) marks a "
                                      "static glibc executable, which hl does not support, expected a static musl "
                                      "executable \\(link with musl-gcc -static\\)")));
    const std::string pie = "e_type: ET_DYN, a position-independent executable (PIE or static-pie), which hl does "
                            "not support, expected ET_EXEC (link with musl-gcc -static -no-pie)";
    CHECK(refusal("hello-glibc-static-pie") == pie);
    const std::regex dynamic("program header [0-9]+ \\(PT_INTERP\\): a dynamically linked executable \\(it asks for "
                             "a dynamic loader\\), expected a static executable \\(link with musl-gcc -static, or "
                             "hlbuild\\)");
    const std::string dynamically_linked = refusal("hello-dynamic");
    INFO(dynamically_linked);
    CHECK(std::regex_match(dynamically_linked, dynamic));
    // Debian's musl-gcc links -static-pie with a dynamic loader (its specs
    // always name /lib/ld-musl-x86_64.so.1): dynamically linked, then. A
    // musl-gcc that makes a true static-pie gets the PIE line.
    const std::string musl_pie = refusal("hello-musl-static-pie");
    INFO(musl_pie);
    CHECK((std::regex_match(musl_pie, dynamic) || musl_pie == pie));
}
