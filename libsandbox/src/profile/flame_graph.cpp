// A flame graph drawn from folded stacks (see hl/profile.hpp): the stacks
// merged into a tree of frames, each drawn as wide as its share of the
// samples, callers below their callees, siblings in name order, as
// flamegraph.pl draws them. Static SVG: a frame's tooltip is its <title>.
// Iterative throughout, and bounded: the input may come from anywhere.
#include <hl/profile.hpp>

#include <hl/error.hpp>
#include <hl/text.hpp>

#include <algorithm>
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
constexpr size_t kMaxDepth = 4096;
constexpr size_t kMaxFrames = 200'000;            // distinct frames in the tree: bounds memory and the SVG's size

struct Frame {
    uint64_t samples = 0;
    std::map<std::string, std::unique_ptr<Frame>, std::less<>> callees;
};

// The merged stacks. Taken down without recursion too: a chain of 4096
// destructors could overrun a small thread stack.
struct Tree {
    Frame root;
    Tree() = default;
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;
    ~Tree()
    {
        std::vector<std::unique_ptr<Frame>> doomed;
        auto take_callees = [&doomed](Frame& frame) {
            for (auto& [name, callee] : frame.callees)
                doomed.push_back(std::move(callee));
            frame.callees.clear();
        };
        take_callees(root);
        while (!doomed.empty()) {
            std::unique_ptr<Frame> frame = std::move(doomed.back());
            doomed.pop_back();
            take_callees(*frame);
        }
    }
};

std::string line_error(size_t number, const std::string& why)
{
    return "folded stacks, line " + std::to_string(number) + ": " + why;
}

// Merges each `frame;frame;frame count` line into the tree under root.
void merge(std::string_view folded, Frame& root)
{
    size_t number = 0, frames = 0;
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
        const std::string_view digits = space == std::string_view::npos ? line : line.substr(space + 1);
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
        if (!digits.empty() && ec == std::errc::result_out_of_range)
            throw Error(line_error(number, "a count of samples past 2^64"));
        if (space == std::string_view::npos || ec != std::errc() || ptr != digits.data() + digits.size())
            throw Error(line_error(number, "'" + printable(digits.substr(0, 40)) +
                                               "' is not a count of samples; expected `frame;frame;... count`"));
        std::string_view stack = line.substr(0, space);
        if (stack.empty())
            throw Error(line_error(number, "a count without a stack"));
        if (root.samples + count < root.samples)
            throw Error(line_error(number, "the counts add up past 2^64"));
        if (count == 0)
            continue;   // draws nothing
        root.samples += count;
        Frame* frame = &root;
        for (size_t depth = 1; !stack.empty(); ++depth) {
            if (depth > kMaxDepth)
                throw Error(line_error(number, "a stack deeper than " + std::to_string(kMaxDepth) + " frames"));
            const size_t semi = stack.find(';');
            const std::string_view name = stack.substr(0, semi);
            stack.remove_prefix(semi == std::string_view::npos ? stack.size() : semi + 1);
            auto it = frame->callees.find(name);
            if (it == frame->callees.end()) {
                if (++frames > kMaxFrames)
                    throw Error(line_error(number, "more than " + std::to_string(kMaxFrames) +
                                                       " distinct frames, too many to draw"));
                it = frame->callees.emplace(std::string(name), std::make_unique<Frame>()).first;
            }
            frame = it->second.get();
            frame->samples += count;
        }
    }
}

// Text for SVG: printable() makes it valid UTF-8 on one line (what a
// terminal would act on becomes \xNN), then markup is escaped and the two
// code points XML 1.0 forbids that printable() lets through (U+FFFE, U+FFFF)
// become U+FFFD.
std::string escaped(std::string_view text)
{
    const std::string safe = printable(text);
    std::string out;
    for (size_t i = 0; i < safe.size(); ++i) {
        const char c = safe[i];
        if (c == '\xef' && safe.compare(i, 2, "\xef\xbf") == 0 && i + 2 < safe.size() &&
            (safe[i + 2] == '\xbe' || safe[i + 2] == '\xbf')) {
            out += "\xef\xbf\xbd";
            i += 2;
            continue;
        }
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

// A label that fits `width`, cut with ".." as flamegraph.pl does; empty
// when not even three characters fit. Counts characters, not bytes, and
// cuts only between them (name is valid UTF-8: printable's).
std::string fitted(const std::string& name, double width)
{
    const auto fits = static_cast<size_t>(std::max(0.0, (width - 6) / kCharWidth));
    if (fits < 3)
        return {};
    const auto starts_character = [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; };
    const size_t characters = static_cast<size_t>(std::count_if(name.begin(), name.end(), starts_character));
    if (characters <= fits)
        return name;
    size_t kept = 0, end = 0;
    for (; end < name.size(); ++end)
        if (starts_character(name[end]) && kept++ == fits - 2)
            break;
    return name.substr(0, end) + "..";
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
    std::string frames;   // the <g> elements
    size_t rows = 0;      // levels drawn, "all" included
    uint64_t total = 1;
    double bottom = 0;    // the y of the outermost frames' row, moved once the height is known
    double scale = 0;     // pixels a sample

    void frame(const std::string& name, const Frame& frame, double x, size_t level)
    {
        const double width = static_cast<double>(frame.samples) * scale;
        rows = std::max(rows, level + 1);
        char share[32];
        std::snprintf(share, sizeof share, "%.2f", 100.0 * static_cast<double>(frame.samples) / static_cast<double>(total));
        const std::string text = printable(name);
        const std::string label = fitted(text, width);
        frames += "<g><title>" + escaped(name) + " (" + std::to_string(frame.samples) +
                  (frame.samples == 1 ? " sample, " : " samples, ") + share + "%)</title>";
        // y is relative to the bottom row: rows grow upwards, and the height is known only at the end.
        frames += "<rect x=\"" + number(x) + "\" y=\"" + number(-static_cast<double>(level) * kFrameHeight) +
                  "\" width=\"" + number(width) + "\" height=\"" + number(kFrameHeight - 1) + "\" fill=\"" +
                  (level == 0 ? "rgb(230,230,230)" : colour_of(name)) + "\" rx=\"2\"/>";
        if (!label.empty())
            frames += "<text x=\"" + number(x + 3) + "\" y=\"" +
                      number(-static_cast<double>(level) * kFrameHeight + kFrameHeight - 4.5) + "\">" +
                      escaped(label) + "</text>";
        frames += "</g>\n";
    }

    // Depth first, callees in name order, without recursion: a stack may be 4096 frames deep.
    void tree(const Frame& root)
    {
        struct Pending {
            const std::string* name;
            const Frame* frame;
            double x;
            size_t level;
        };
        static const std::string all = "all";
        std::vector<Pending> pending{{&all, &root, kMargin, 0}};
        while (!pending.empty()) {
            const Pending p = pending.back();
            pending.pop_back();
            if (static_cast<double>(p.frame->samples) * scale < kMinFrameWidth)
                continue;
            frame(*p.name, *p.frame, p.x, p.level);
            // Each callee starts where the one before it ends, from the caller's left edge; pushed
            // last to first, so that the first is drawn next.
            const size_t first = pending.size();
            double x = p.x;
            for (const auto& [name, callee] : p.frame->callees) {
                pending.push_back({&name, callee.get(), x, p.level + 1});
                x += static_cast<double>(callee->samples) * scale;
            }
            std::reverse(pending.begin() + static_cast<std::ptrdiff_t>(first), pending.end());
        }
    }
};

} // namespace

std::string flame_graph_svg(std::string_view folded, std::string_view title)
{
    Tree tree;
    Frame& root = tree.root;
    merge(folded, root);
    Drawing drawing;
    drawing.total = root.samples;
    drawing.scale = root.samples ? (kWidth - 2 * kMargin) / static_cast<double>(root.samples) : 0;
    if (root.samples)
        drawing.tree(root);
    const double height = kTitleHeight + static_cast<double>(std::max<size_t>(drawing.rows, 1)) * kFrameHeight + 2 * kMargin;
    const double bottom = height - kMargin - kFrameHeight;   // the "all" row

    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                      "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(kWidth) +
                      "\" height=\"" + number(height) + "\" viewBox=\"0 0 " + number(kWidth) + " " + number(height) +
                      "\" font-family=\"Verdana, sans-serif\" font-size=\"" + number(kFontSize) + "\">\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"rgb(250,250,245)\"/>\n";
    svg += "<text x=\"" + number(kWidth / 2) + "\" y=\"" + number(kMargin + 14) +
           "\" text-anchor=\"middle\" font-size=\"16\">" + escaped(title) + "</text>\n";
    svg += "<text x=\"" + number(kWidth / 2) + "\" y=\"" + number(kMargin + 30) +
           "\" text-anchor=\"middle\" fill=\"rgb(100,100,100)\">" + std::to_string(root.samples) +
           (root.samples == 1 ? " sample" : " samples") + "; hover over a frame for its share</text>\n";
    svg += "<g transform=\"translate(0," + number(bottom) + ")\">\n" + drawing.frames + "</g>\n";
    svg += "</svg>\n";
    return svg;
}

} // namespace hl
