// A flame graph drawn from folded stacks (see hl/profile.hpp): the stacks
// merged into a tree of frames, each drawn as wide as its share of the
// samples, callers below their callees, siblings in name order, as
// flamegraph.pl draws them. Static SVG: a frame's tooltip is its <title>.
#include <hl/profile.hpp>

#include <hl/error.hpp>

#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

namespace hl {
namespace {

constexpr double kWidth = 1200;
constexpr double kMargin = 10;
constexpr double kFrameHeight = 16;
constexpr double kTitleHeight = 36;   // the title, and the total under it
constexpr double kFontSize = 12;
constexpr double kCharWidth = 0.59 * kFontSize;   // Verdana's average, for clipping labels
constexpr double kMinFrameWidth = 0.1;            // narrower frames are left out: nothing could be seen of them
constexpr size_t kMaxDepth = 4096;                // the drawing recurses a level a frame

struct Frame {
    uint64_t samples = 0;
    std::map<std::string, std::unique_ptr<Frame>, std::less<>> callees;
};

std::string line_error(size_t number, const std::string& why)
{
    return "folded stacks, line " + std::to_string(number) + ": " + why;
}

// Merges each `frame;frame;frame count` line into the tree under root.
void merge(std::string_view folded, Frame& root)
{
    size_t number = 0;
    while (!folded.empty()) {
        const size_t end = folded.find('\n');
        std::string_view line = folded.substr(0, end);
        folded.remove_prefix(end == std::string_view::npos ? folded.size() : end + 1);
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty())
            continue;
        const size_t space = line.rfind(' ');
        uint64_t count = 0;
        const std::string_view digits = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
        if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size())
            throw Error(line_error(number, "expected `frame;frame;... count`, with a count of samples at the end"));
        std::string_view stack = line.substr(0, space);
        if (stack.empty())
            throw Error(line_error(number, "a count without a stack"));
        if (root.samples + count < root.samples)
            throw Error(line_error(number, "the counts add up past 2^64"));
        root.samples += count;
        Frame* frame = &root;
        for (size_t depth = 1; !stack.empty(); ++depth) {
            if (depth > kMaxDepth)
                throw Error(line_error(number, "a stack deeper than " + std::to_string(kMaxDepth) + " frames"));
            const size_t semi = stack.find(';');
            const std::string_view name = stack.substr(0, semi);
            stack.remove_prefix(semi == std::string_view::npos ? stack.size() : semi + 1);
            auto it = frame->callees.find(name);
            if (it == frame->callees.end())
                it = frame->callees.emplace(std::string(name), std::make_unique<Frame>()).first;
            frame = it->second.get();
            frame->samples += count;
        }
    }
}

size_t depth_of(const Frame& frame)
{
    size_t deepest = 0;
    for (const auto& [name, callee] : frame.callees)
        deepest = std::max(deepest, depth_of(*callee));
    return deepest + 1;
}

// Text for SVG: markup escaped, and what XML 1.0 cannot hold replaced.
std::string escaped(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
        }
    }
    return out;
}

// A label that fits `width`, cut with ".." as flamegraph.pl does; empty when not even three characters fit.
std::string fitted(const std::string& name, double width)
{
    const auto fits = static_cast<size_t>(std::max(0.0, (width - 6) / kCharWidth));
    if (fits < 3)
        return {};
    if (name.size() <= fits)
        return name;
    return name.substr(0, fits - 2) + "..";
}

// Warm colours, the same for a name in every graph: a reader finds a function again by its colour.
std::string colour_of(std::string_view name)
{
    uint32_t hash = 2166136261u;   // FNV-1a
    for (const char c : name)
        hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
    const unsigned red = 205 + hash % 50;
    const unsigned green = (hash >> 8) % 230;
    const unsigned blue = (hash >> 16) % 55;
    char colour[24];
    std::snprintf(colour, sizeof colour, "rgb(%u,%u,%u)", red, green, blue);
    return colour;
}

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
}

struct Drawing {
    std::string svg;
    uint64_t total = 1;
    double bottom = 0;   // the y of the outermost frames' row
    double scale = 0;    // pixels a sample

    void frame(const std::string& name, const Frame& frame, double x, size_t level)
    {
        const double width = static_cast<double>(frame.samples) * scale;
        if (width < kMinFrameWidth)
            return;
        const double y = bottom - static_cast<double>(level) * kFrameHeight;
        char share[32];
        std::snprintf(share, sizeof share, "%.2f", 100.0 * static_cast<double>(frame.samples) / static_cast<double>(total));
        const std::string label = fitted(name, width);
        svg += "<g><title>" + escaped(name) + " (" + std::to_string(frame.samples) +
               (frame.samples == 1 ? " sample, " : " samples, ") + share + "%)</title>";
        svg += "<rect x=\"" + number(x) + "\" y=\"" + number(y) + "\" width=\"" + number(width) + "\" height=\"" +
               number(kFrameHeight - 1) + "\" fill=\"" + (level == 0 ? "rgb(230,230,230)" : colour_of(name)) +
               "\" rx=\"2\"/>";
        if (!label.empty())
            svg += "<text x=\"" + number(x + 3) + "\" y=\"" + number(y + kFrameHeight - 4.5) + "\">" +
                   escaped(label) + "</text>";
        svg += "</g>\n";
        double callee_x = x;
        for (const auto& [callee_name, callee] : frame.callees) {
            this->frame(callee_name, *callee, callee_x, level + 1);
            callee_x += static_cast<double>(callee->samples) * scale;
        }
    }
};

} // namespace

std::string flame_graph_svg(std::string_view folded, std::string_view title)
{
    Frame root;
    merge(folded, root);
    const size_t rows = depth_of(root);   // the "all" row and one a level of calls
    const double height = kTitleHeight + static_cast<double>(rows) * kFrameHeight + 2 * kMargin;
    Drawing drawing;
    drawing.total = root.samples;
    drawing.bottom = height - kMargin - kFrameHeight;
    drawing.scale = root.samples ? (kWidth - 2 * kMargin) / static_cast<double>(root.samples) : 0;

    drawing.svg = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                  "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(kWidth) +
                  "\" height=\"" + number(height) + "\" viewBox=\"0 0 " + number(kWidth) + " " + number(height) +
                  "\" font-family=\"Verdana, sans-serif\" font-size=\"" + number(kFontSize) + "\">\n";
    drawing.svg += "<rect width=\"100%\" height=\"100%\" fill=\"rgb(250,250,245)\"/>\n";
    drawing.svg += "<text x=\"" + number(kWidth / 2) + "\" y=\"" + number(kMargin + 14) +
                   "\" text-anchor=\"middle\" font-size=\"16\">" + escaped(title) + "</text>\n";
    drawing.svg += "<text x=\"" + number(kWidth / 2) + "\" y=\"" + number(kMargin + 30) +
                   "\" text-anchor=\"middle\" fill=\"rgb(100,100,100)\">" + std::to_string(root.samples) +
                   (root.samples == 1 ? " sample" : " samples") + "; hover over a frame for its share</text>\n";
    if (root.samples)
        drawing.frame("all", root, kMargin, 0);
    drawing.svg += "</svg>\n";
    return drawing.svg;
}

} // namespace hl
