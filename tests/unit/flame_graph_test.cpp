// Flame graphs drawn from folded stacks: each frame's place and width, and
// the refusals of text that is not folded stacks.
#include <hl/error.hpp>
#include <hl/profile.hpp>
#include <hl/text.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <string>

using namespace hl;

namespace {

struct Box {
    double x = 0, y = 0, width = 0;
    std::string tooltip;
};

// The frames drawn, by name (each name appears once in these tests).
std::map<std::string, Box> frames_of(const std::string& svg)
{
    static const std::regex frame(R"j(<g><title>(.*?) \((.*?)\)</title><rect x="([0-9.]+)" y="(-?[0-9.]+)" width="([0-9.]+)")j");
    std::map<std::string, Box> frames;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), frame); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        frames[m[1]] = {std::stod(m[3]), std::stod(m[4]), std::stod(m[5]), m[2]};
    }
    return frames;
}

std::string refusal(std::string_view folded)
{
    try {
        flame_graph_svg(folded, "t");
    } catch (const Error& error) {
        return error.what();
    }
    return "(accepted)";
}

} // namespace

TEST_CASE("flame graph: frames as wide as their samples, callees above callers, siblings by name")
{
    const std::string svg = flame_graph_svg("main;work;hot 60\nmain;work 20\nmain;idle 20\n", "hl profile");
    REQUIRE(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.find("</svg>\n") == svg.size() - 7);
    CHECK(svg.find(">hl profile</text>") != std::string::npos);
    CHECK(svg.find(">100 samples; hover") != std::string::npos);
    const auto f = frames_of(svg);
    REQUIRE(f.size() == 5);   // all, main, idle, work, hot
    // 1180 pixels between the margins for 100 samples.
    CHECK(f.at("all").width == Approx(1180));
    CHECK(f.at("main").width == Approx(1180));
    CHECK(f.at("work").width == Approx(944));
    CHECK(f.at("hot").width == Approx(708));
    CHECK(f.at("idle").width == Approx(236));
    CHECK(f.at("idle").x == Approx(10));   // "idle" sorts before "work"
    CHECK(f.at("work").x == Approx(246));
    CHECK(f.at("hot").x == Approx(246));
    CHECK(f.at("all").y > f.at("main").y);
    CHECK(f.at("main").y - f.at("work").y == Approx(16));
    CHECK(f.at("work").y - f.at("hot").y == Approx(16));
    CHECK(f.at("hot").tooltip == "60 samples, 60.00%");
    CHECK(f.at("all").tooltip == "100 samples, 100.00%");
}

TEST_CASE("flame graph: lines of one stack add up, blank lines and CRLF are taken")
{
    const auto f = frames_of(flame_graph_svg("a;b 1\r\n\na;b 2\na 1\n", "t"));
    CHECK(f.at("b").tooltip == "3 samples, 75.00%");
    CHECK(f.at("a").tooltip == "4 samples, 100.00%");
}

TEST_CASE("flame graph: names are escaped and labels cut to fit their frame")
{
    const std::string svg = flame_graph_svg("operator<<&\"x\";a_function_with_a_rather_long_name 1\n"
                                            "operator<<&\"x\";z 400\n",
                                            "<title>");
    CHECK(svg.find("<title>operator&lt;&lt;&amp;&quot;x&quot; (401 samples") != std::string::npos);
    CHECK(svg.find("&lt;title&gt;") != std::string::npos);
    CHECK(svg.find("operator<<") == std::string::npos);
    // The long name's frame is ~3 pixels: drawn, with its name in the tooltip only.
    const auto f = frames_of(svg);
    CHECK(f.at("a_function_with_a_rather_long_name").width == Approx(1180.0 / 401).margin(0.05));   // drawn to 0.1 pixel
    CHECK(svg.find(">a_function_with_a_rather_long_name</text>") == std::string::npos);
    CHECK(svg.find(">z</text>") != std::string::npos);
}

TEST_CASE("flame graph: frames too narrow to see are left out")
{
    const auto f = frames_of(flame_graph_svg("big 100000\nsmall 1\n", "t"));
    CHECK(f.count("big") == 1);
    CHECK(f.count("small") == 0);
}

TEST_CASE("flame graph: no samples draw an empty graph")
{
    const std::string svg = flame_graph_svg("", "t");
    CHECK(svg.find(">0 samples; hover") != std::string::npos);
    CHECK(frames_of(svg).empty());
}

TEST_CASE("flame graph: text that is not folded stacks is refused, naming its line and what is wrong")
{
    const std::string expected = " is not a count of samples; expected `frame;frame;... count`";
    CHECK(refusal("a;b") == "folded stacks, line 1: 'a;b'" + expected);
    CHECK(refusal("a 1\n\na;b x\n") == "folded stacks, line 3: 'x'" + expected);
    CHECK(refusal("a;b -1") == "folded stacks, line 1: '-1'" + expected);
    CHECK(refusal("a;b 1.5") == "folded stacks, line 1: '1.5'" + expected);
    CHECK(refusal("a;b 1 ") == "folded stacks, line 1: ''" + expected);
    CHECK(refusal("a;b\x1b[2J") == "folded stacks, line 1: 'a;b\\x1b[2J'" + expected);   // quoted printable
    CHECK(refusal(" 5") == "folded stacks, line 1: a count without a stack");
    CHECK(refusal("a 99999999999999999999") == "folded stacks, line 1: a count of samples past 2^64");
    CHECK(refusal("a 18446744073709551615\nb 1") == "folded stacks, line 2: the counts add up past 2^64");
    std::string deep;
    for (int i = 0; i < 4097; ++i)
        deep += "f;";
    deep.back() = ' ';
    CHECK(refusal(deep + "1") == "folded stacks, line 1: a stack deeper than 4096 frames");
    deep.erase(0, 2);
    CHECK(refusal(deep + "1") == "(accepted)");
}

TEST_CASE("flame graph: more distinct frames than it draws are refused, lines of no samples cost nothing")
{
    std::string wide;
    for (int i = 0; i < 200'001; ++i)
        wide += "f" + std::to_string(i) + " 1\n";
    CHECK(refusal(wide) == "folded stacks, line 200001: more than 200000 distinct frames, too many to draw");
    // A deep stack of no samples makes no frames and no rows.
    std::string deep;
    for (int i = 0; i < 4000; ++i)
        deep += "g" + std::to_string(i) + ";";
    deep.back() = ' ';
    const std::string svg = flame_graph_svg(deep + "0\nmain 1\n", "t");
    CHECK(frames_of(svg).size() == 2);   // all, main
    CHECK(svg.find("height=\"88.0\"") != std::string::npos);   // title 36, two rows of 16, margins 20
}

TEST_CASE("flame graph: the deepest stacks it takes are drawn and taken down without recursion")
{
    // 4096 frames: a recursive drawing or destruction would need megabytes of stack.
    std::string deep;
    for (int i = 0; i < 4096; ++i)
        deep += "f" + std::to_string(i) + ";";
    deep.back() = ' ';
    const std::string svg = flame_graph_svg(deep + "3\n", "t");
    CHECK(frames_of(svg).size() == 4097);
}

TEST_CASE("flame graph: text that is not UTF-8 or XML cannot make the SVG invalid")
{
    // Invalid UTF-8, a name cut where its label is shortened, U+FFFE, and a title of raw bytes.
    std::string name;
    for (int i = 0; i < 80; ++i)
        name += "\xc3\xa9";   // é
    const std::string svg = flame_graph_svg("main;" + name + " 10\nmain;z 90\nbad\xff\xfe 1\nnon\xef\xbf\xbe 1\n",
                                            "caf\xe9.hl");
    CHECK(valid_utf8(svg));
    CHECK(svg.find("\xef\xbf\xbe") == std::string::npos);
    CHECK(svg.find("non\xef\xbf\xbd (") != std::string::npos);
    CHECK(svg.find("bad\\xff\\xfe (") != std::string::npos);
    CHECK(svg.find(">caf\\xe9.hl</text>") != std::string::npos);
    CHECK(svg.find("\xc3\xa9..</text>") != std::string::npos);   // cut between characters
}
