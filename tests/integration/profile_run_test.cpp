// hlrun --profile and the library's SandboxOptions::profile on real KVM: a
// guest whose time is mostly in one leaf, a call profiled until its timeout,
// samples that are not exits, and the refusals of bad options.
#include "process.hpp"

#include <hl/gdb.hpp>
#include <hl/profile.hpp>
#include <hl/sandbox.hpp>
#include <hl/trace.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <time.h>

using namespace hl;
using namespace hl::test;

namespace {

struct NullTraceSink : TraceSink {
    void on_exit(const ExitEvent&) override {}
};

// Folded lines ("a;b;c 12") as stack -> count.
std::map<std::string, uint64_t> folded_lines(const std::string& text)
{
    std::map<std::string, uint64_t> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const size_t space = line.rfind(' ');
        REQUIRE(space != std::string::npos);
        out[line.substr(0, space)] += std::stoull(line.substr(space + 1));
    }
    return out;
}

} // namespace

TEST_CASE("hlrun --profile: the hot leaf has most samples, its cold caller its share, in folded stacks")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string out = dir + "/profile.folded";
    // With an argument, strtoull leaves its data on the stack where a walk
    // that took any word for a return address would find a fake caller.
    const ProcessResult r = hlrun({"--profile", out, guest_image("profile"), "300"});
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const auto lines = folded_lines(read_file(out));
    uint64_t total = 0;
    for (const auto& [stack, count] : lines)
        total += count;
    const uint64_t hot = lines.count("_start;__hl_start;main;cold_caller;hot_leaf")
                             ? lines.at("_start;__hl_start;main;cold_caller;hot_leaf") : 0;
    const uint64_t cold = lines.count("_start;__hl_start;main;cold_caller")
                              ? lines.at("_start;__hl_start;main;cold_caller") : 0;
    INFO(read_file(out));
    // ~0.3 s of guest work at 997 Hz: a few hundred samples, not a handful.
    CHECK(total >= 50);
    CHECK(hot * 100 > total * 80);   // the leaf does nine tenths of the work
    CHECK(cold * 100 > total * 2);   // the caller's own tenth shows
    CHECK(cold < hot);
    // Few other stacks (the start and the exit of the program), and no fake frame anywhere.
    CHECK((total - hot - cold) * 100 <= total * 3);
    CHECK(read_file(out).find("0x") == std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --profile FILE.svg: a flame graph of the same samples, or the format --profile-format names")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    ProcessResult r = hlrun({"--profile", dir + "/p.svg", guest_image("profile"), "100"});
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const std::string svg = read_file(dir + "/p.svg");
    CHECK(svg.rfind("<?xml version=\"1.0\"", 0) == 0);
    CHECK(svg.size() > 7);
    CHECK(svg.substr(svg.size() - 7) == "</svg>\n");
    CHECK(svg.find(">profile.hl, 997 samples a second</text>") != std::string::npos);
    CHECK(svg.find("<title>hot_leaf (") != std::string::npos);
    CHECK(svg.find("<title>cold_caller (") != std::string::npos);
    // The format named wins over the file's name, for a run and for calls.
    r = hlrun({"--profile", dir + "/p.svg", "--profile-format", "folded", guest_image("profile"), "30"});
    REQUIRE(r.status == 0);
    CHECK(read_file(dir + "/p.svg").find("main;cold_caller") != std::string::npos);
    r = hlrun({"call", "--profile", dir + "/calls.txt", "--profile-format=svg", "-n", "50", guest_image("functions"),
               "add", "1", "2"});
    REQUIRE(r.status == 0);
    CHECK(read_file(dir + "/calls.txt").rfind("<?xml", 0) == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --profile: every frame of a guest in its hypercalls is named, none made up")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string out = dir + "/calls.folded";
    // The trace guest's `calls` mode: clock reads in a loop, through wrappers
    // whose prologue GCC mixes with other instructions.
    REQUIRE(hlrun({"--profile", out, "--profile-hz", "5000", guest_image("trace"), "calls", "20000"}).status == 0);
    const std::string text = read_file(out);
    INFO(text);
    CHECK_FALSE(text.empty());
    CHECK(text.find("0x") == std::string::npos);
    CHECK(text.find("main;main") == std::string::npos);   // a caller found twice would show twice
    for (const auto& [stack, count] : folded_lines(text))
        CHECK(stack.rfind("_start", 0) == 0);   // every stack goes back to the entry point
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun call --profile: the calls' samples, named by the image, until the call times out")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string out = dir + "/calls.folded";
    const ProcessResult r = hlrun({"call", "--profile", out, "--profile-hz", "2000", "--timeout", "300ms",
                                   guest_image("functions"), "spin"});
    CHECK(r.status == 124);
    const auto lines = folded_lines(read_file(out));
    uint64_t spin = 0, total = 0;
    for (const auto& [stack, count] : lines) {
        total += count;
        // The export's body, inlined in the thunk HL_EXPORT makes for it.
        if (stack.substr(stack.rfind(';') + 1).find("spin") != std::string::npos)
            spin += count;
    }
    INFO(read_file(out));
    CHECK(total >= 20);
    CHECK(spin * 100 > total * 90);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun call --profile: calls far shorter than the period are sampled in proportion")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string out = dir + "/short.folded";
    const ProcessResult r = hlrun({"call", "--profile", out, "-n", "3000", guest_image("functions"), "greet", "x"});
    REQUIRE(r.status == 0);
    uint64_t total = 0;
    for (const auto& [stack, count] : folded_lines(read_file(out)))
        total += count;
    INFO(read_file(out));
    CHECK(total >= 10);   // ~3,000 calls of ~30 us: ~90 samples at 997 Hz
    std::filesystem::remove_all(dir);
}

TEST_CASE("Sandbox profile: samples are not exits, and they add up across runs until cleared")
{
    HL_REQUIRE_KVM();
    Profile profile;
    SandboxOptions options;
    options.output = [](int, std::span<const uint8_t> bytes) { return static_cast<int64_t>(bytes.size()); };
    options.profile = &profile;
    options.profile_hz = 2000;
    options.max_exits = 3;   // the guest makes one (its exit); hundreds of samples must not count
    Sandbox sandbox(Image::load(guest_image("profile")), options);
    const RunResult r = sandbox.run({"profile", "100"});
    CHECK(r.ending == RunResult::Ending::Exited);
    CHECK(r.exits <= 3);
    CHECK(profile.samples() >= 20);
    const uint64_t first = profile.samples();
    Sandbox again(Image::load(guest_image("profile")), options);
    REQUIRE(again.run({"profile", "100"}).ending == RunResult::Ending::Exited);
    CHECK(profile.samples() > first);
    profile.clear();
    CHECK(profile.stacks().empty());
}

TEST_CASE("Sandbox profile: a host function's time counts at the guest's call, and its sleep is not cut short")
{
    HL_REQUIRE_KVM();
    Profile profile;
    Sandbox sandbox(Image::load(guest_image("functions")), {.profile = &profile, .profile_hz = 1000});
    int slept = -1;
    sandbox.register_host("mul", [&slept](int64_t a, int64_t b) {
        // 150 ms, in which the profiler's timer expires ~150 times: with its
        // signal let through here, the sleep would end early with EINTR.
        timespec rest{0, 150'000'000};
        slept = nanosleep(&rest, &rest);
        return a * b;
    });
    REQUIRE(sandbox.initialize().ending == RunResult::Ending::Ready);
    profile.clear();
    const RunResult r = sandbox.call("use_mul", {int64_t{6}, int64_t{7}});
    REQUIRE(r.ending == RunResult::Ending::Returned);
    CHECK(r.value == Value(int64_t{42}));
    CHECK(slept == 0);
    // Every expiry during the sleep is a sample at the guest's call of mul.
    uint64_t in_use_mul = 0;
    for (const auto& [stack, count] : folded_lines(profile.folded(sandbox.image())))
        if (stack.find("use_mul;__hl_host_call") != std::string::npos)   // hl_thunk_use_mul, the export's thunk
            in_use_mul += count;
    INFO(profile.folded(sandbox.image()));
    CHECK(in_use_mul >= 100);
    CHECK(in_use_mul <= profile.samples());
}

TEST_CASE("Sandbox profile: a profiled run inside a host function keeps its own samples, and hands the outer's back")
{
    HL_REQUIRE_KVM();
    Profile outer_profile, inner_profile;
    Sandbox outer(Image::load(guest_image("functions")), {.profile = &outer_profile, .profile_hz = 1000});
    Sandbox inner(Image::load(guest_image("profile")),
                  {.output = discard, .profile = &inner_profile, .profile_hz = 1000});
    RunResult inner_result;
    outer.register_host("mul", [&](int64_t a, int64_t b) {
        inner_result = inner.run({"profile", "150"});   // ~150 ms of the inner guest's work
        return a * b;
    });
    REQUIRE(outer.initialize().ending == RunResult::Ending::Ready);
    outer_profile.clear();
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(outer.call("use_mul", {int64_t{6}, int64_t{7}}).ending == RunResult::Ending::Returned);
    const auto inner_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
    REQUIRE(inner_result.ending == RunResult::Ending::Exited);
    INFO(outer_profile.folded(outer.image()));
    INFO(inner_profile.folded(inner.image()));
    // Both timers ran through the inner run: each profile has its own
    // ticks, not the other's too (which would double the inner's count).
    uint64_t at_call = 0;
    for (const auto& [stack, count] : folded_lines(outer_profile.folded(outer.image())))
        if (stack.find("use_mul;__hl_host_call") != std::string::npos)
            at_call += count;
    CHECK(at_call >= 100);
    CHECK(inner_profile.samples() >= 100);
    CHECK(inner_profile.samples() <= inner_ms + 20);   // at 1000 Hz, never more samples than milliseconds
    CHECK(outer_profile.samples() <= inner_ms + 20);
}

TEST_CASE("hlrun --profile: a file it cannot write and a rate out of range are refused before the guest runs")
{
    HL_REQUIRE_KVM();
    ProcessResult r = hlrun({"--profile", "/nonexistent/dir/p.folded", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile: cannot write /nonexistent/dir/p.folded: No such file or directory\n");
    CHECK(r.out.empty());
    r = hlrun({"--profile", "/tmp/p.folded", "--profile-hz", "0", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err.find("--profile-hz") != std::string::npos);
    CHECK(r.out.empty());
    r = hlrun({"call", "--profile", "/nonexistent/dir/p.folded", guest_image("functions"), "add", "1", "2"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile: cannot write /nonexistent/dir/p.folded: No such file or directory\n");

    r = hlrun({"--profile-hz", "100", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile-hz: needs --profile\n");
    r = hlrun({"call", "--profile-hz", "100", guest_image("functions"), "add", "1", "2"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile-hz: needs --profile\n");
    r = hlrun({"--profile-format", "svg", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile-format: needs --profile\n");
    r = hlrun({"--profile", "/tmp/p.svg", "--profile-format", "dot", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile-format: 'dot' is not folded or svg; see hlrun --help\n");
    r = hlrun({"call", "--profile", "/tmp/p.svg", "--profile-format=png", guest_image("functions"), "add", "1", "2"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile-format: 'png' is not folded or svg; see hlrun call --help\n");

    // Never the image itself; not with a trace, whose exits its interrupts would split.
    const std::string dir = make_temp_dir();
    const std::string image = dir + "/hello.hl";
    std::filesystem::copy_file(guest_image("hello"), image);
    r = hlrun({"--profile", image, image});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile: " + image + " is " + image + " itself; choose another file\n");
    CHECK(std::filesystem::file_size(image) == std::filesystem::file_size(guest_image("hello")));
    r = hlrun({"--profile", dir + "/p.folded", "--trace=" + dir + "/t", image});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --profile cannot be used with --trace or --stats yet: its interrupts would split "
                   "the traced exits\n");
    // A profile already there is left as it was when the guest never runs.
    write_file(dir + "/old.folded", "main 1\n");
    r = hlrun({"--profile", dir + "/old.folded", dir + "/missing.hl"});
    CHECK(r.status == 121);
    CHECK(read_file(dir + "/old.folded") == "main 1\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("Sandbox profile: a rate out of range, or a profile with a trace or gdb, is refused when the sandbox is built")
{
    HL_REQUIRE_KVM();
    Profile profile;
    SandboxOptions options;
    options.profile = &profile;
    options.profile_hz = 0;
    CHECK_THROWS_WITH(Sandbox(Image::load(guest_image("hello")), options),
                      "profile_hz: 0 is not a rate from 1 to 10000 samples a second");
    options.profile_hz = kMaxProfileHz + 1;
    CHECK_THROWS_AS(Sandbox(Image::load(guest_image("hello")), options), OptionError);
    options.profile_hz = 997;
    NullTraceSink sink;
    options.trace = &sink;
    CHECK_THROWS_WITH(Sandbox(Image::load(guest_image("hello")), options),
                      "profile and trace cannot be used together yet: the profiler's interrupts would split the "
                      "traced exits");
    options.trace = nullptr;
    GdbServer gdb = GdbServer::listen("127.0.0.1:0");   // never accepted: refused before
    options.gdb = &gdb;
    CHECK_THROWS_WITH(Sandbox(Image::load(guest_image("hello")), options),
                      "profile and gdb cannot be used together: the profiler's interrupts would stop the debugged "
                      "guest");
}
