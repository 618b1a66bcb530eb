// libFuzzer target: bytes as a guest image file, through Image::parse, the
// validation every image gets (Image::load, which hlrun calls, reads the file
// and hands its bytes to Image::parse). An accepted image then goes through
// what the sandbox derives from it before any VM exists: segment bytes,
// symbols, exports, the program header table a Linux executable's initial
// stack points to, and the Layout, at the default and the largest memory size.
//
// ImageError (naming the file) and LayoutError are the documented refusals.
// Any other exception, a crash or a sanitizer report is a finding, and so is
// an accepted image whose layout breaks its own contract, or text from the
// image (a refusal, a symbol, an export) that is not one line of plain text
// (valid UTF-8, no C0 or C1 control: hl-abi(7), TEXT FROM THE GUEST).
#include "plain_text.hpp"

#include <hl/abi.h>
#include <hl/image.hpp>
#include <hl/layout.hpp>
#include <hl/text.hpp>
#include <hl/units.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

using namespace hl;

namespace {

constexpr const char* kName = "fuzz.hl";

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_image: %s\n", what.c_str());
    std::abort();
}

// Layout's contract: regions sorted, disjoint, inside memory; each segment
// inside the region made for it, with the segment's permissions.
void check_layout(const Image& image, const Layout& layout)
{
    uint64_t end = 0;
    for (const Region& region : layout.regions()) {
        if (region.start < end || region.end() < region.start || region.end() > layout.memory_size())
            finding("layout region " + region.name + " at " + format_hex(region.start) +
                    " overlaps another or leaves memory");
        end = region.end();
    }
    for (const Segment& segment : image.segments()) {
        const Region* region = layout.region_at(guest_addr(segment.vaddr));
        if (!region || segment.vaddr + segment.memsz > region->end() || !region->permission.user ||
            region->permission.writable != segment.writable || region->permission.executable != segment.executable)
            finding("segment at " + format_hex(segment.vaddr) + " is not in a region of its own permissions");
    }
}

void check_plain(const std::string& what, const std::string& text)
{
    if (!test::plain_text(text))
        finding(what + " is not one line of plain text: " + printable(text));
}

// What the Linux initial stack will hand a guest: the program header table,
// and its address, where a loaded segment must hold those very bytes.
void check_program_headers(const Image& image)
{
    const auto table = image.program_header_bytes();
    if (table.size() != size_t{image.program_header_count()} * image.program_header_size() || table.empty())
        finding("program_header_bytes is not count * size bytes");
    const auto at = image.program_headers_address();
    if (!at)
        return;
    for (const Segment& segment : image.segments()) {
        const auto bytes = image.segment_bytes(segment);
        const uint64_t into = *at - segment.vaddr;
        if (*at >= segment.vaddr && into <= bytes.size() && table.size() <= bytes.size() - into) {
            if (!std::equal(table.begin(), table.end(), bytes.begin() + static_cast<ptrdiff_t>(into)))
                finding("the bytes loaded at program_headers_address are not the program header table");
            return;
        }
    }
    finding("program_headers_address " + format_hex(*at) + " is not inside a segment's file bytes");
}

void use_accepted(const Image& image)
{
    for (const Segment& segment : image.segments())
        if (image.segment_bytes(segment).size() != segment.filesz)
            finding("segment_bytes of the segment at " + format_hex(segment.vaddr) + " is not filesz long");
    check_program_headers(image);
    const bool mid_page = std::any_of(image.segments().begin(), image.segments().end(),
                                      [](const Segment& s) { return s.vaddr % HL_PAGE_SIZE != 0; });
    if (image.personality() == Personality::Hl && mid_page)
        finding("an hl image with a segment that starts mid-page");
    // Only an hl image linked against musl has TLS set up for it.
    if (image.tls() && !image.serves_system_calls())
        finding("an image with a PT_TLS whose system calls the host does not serve");
    if (image.serves_system_calls() != (image.personality() == Personality::Linux ||
                                        (image.note().flags & HL_NOTE_LINUX_SYSCALLS) != 0))
        finding("serves_system_calls disagrees with the personality and the note's flags");
    if (image.personality() == Personality::Linux && !image.exports().empty())
        finding("a static Linux executable with exports");
    if (const auto& tls = image.tls(); tls && tls->filesz > tls->memsz)
        finding("a PT_TLS whose template is larger than its memory");
    (void)image.symbolize(image.entry());
    for (const Symbol& symbol : image.symbols())
        check_plain("a symbol name", image.symbolize(symbol.address).value_or(""));
    for (const Export& e : image.exports())
        check_plain("an export", describe_export(e));
    for (const uint64_t memory : {uint64_t{HL_MEMORY_DEFAULT}, uint64_t{HL_MEMORY_MAX}}) {
        try {
            check_layout(image, Layout::compute(image.segments(), image.note(), memory));
        } catch (const LayoutError&) {
            // The image needs more memory than this: a refusal, not a finding.
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        use_accepted(Image::parse(kName, std::vector<uint8_t>(data, data + size)));
    } catch (const ImageError& error) {
        if (std::string(error.what()).rfind(std::string(kName) + ": ", 0) != 0)
            finding(std::string("an image error that does not name the file: ") + error.what());
        check_plain("an image error", error.what());
    } catch (const std::exception& error) {
        finding(std::string("an exception other than ImageError: ") + error.what());
    }
    return 0;
}
