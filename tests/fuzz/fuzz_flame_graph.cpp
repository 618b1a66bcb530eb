// libFuzzer target: bytes as folded stacks, through hl::flame_graph_svg, a
// public function that may be given any text.
//
// hl::Error is the documented refusal, one line naming the line of the
// input. Any other exception, a crash or a sanitizer report is a finding;
// so is an accepted input whose SVG is not valid UTF-8 or does not end the
// document.
#include <hl/error.hpp>
#include <hl/profile.hpp>
#include <hl/text.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_flame_graph: %s\n", what.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string svg;
    try {
        svg = hl::flame_graph_svg(text, text.substr(0, 32));
    } catch (const hl::Error& error) {
        const std::string message = error.what();
        if (message.rfind("folded stacks, line ", 0) != 0 || message.find('\n') != std::string::npos)
            finding("a refusal that is not one line naming the input's line: " + message);
        return 0;
    }
    if (!hl::valid_utf8(svg))
        finding("an SVG that is not valid UTF-8");
    if (svg.size() < 7 || svg.compare(svg.size() - 7, 7, "</svg>\n") != 0)
        finding("an SVG that does not end the document");
    return 0;
}
