// An hl guest whose C library is musl (tests/guests/musl, libc = "musl"):
// its main run by hlrun, its exports called through hlrun call and through
// libsandbox with a host function, fresh calls resetting musl's state, files
// of a mapped directory, and its system calls in the trace beside its hypercalls.
#include "musl.hpp"
#include "process.hpp"

#include <hl/sandbox.hpp>

using namespace hl;
using namespace hl::test;

namespace {

const std::string kInit = "musl guest: 0.5 (no GREETING), tls 7, 0 arguments\n";

std::string image() { return guest_image("musl"); }

// hlrun call [OPTIONS...] IMAGE ARGS...: what it printed, main's line first.
std::string call(const std::vector<std::string>& args, const std::vector<std::string>& options = {})
{
    std::vector<std::string> argv{"call"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(image());
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult r = hlrun(argv);
    INFO(r.err);
    CHECK(r.status == 0);
    return r.out;
}

struct MuslGuest {
    std::string out;
    Sandbox sandbox;

    MuslGuest() : sandbox(Image::load(image()), options(out))
    {
        sandbox.register_host("twice", [](int64_t x) { return 2 * x; });
        const RunResult init = sandbox.initialize();
        INFO(init.message);
        REQUIRE(init.ending == RunResult::Ending::Ready);
    }

    static SandboxOptions options(std::string& out)
    {
        SandboxOptions o;
        o.output = [&out](int, std::span<const uint8_t> bytes) -> int64_t {
            out.append(bytes.begin(), bytes.end());
            return static_cast<int64_t>(bytes.size());
        };
        return o;
    }

    Value call(std::string_view name, const std::vector<Value>& args = {})
    {
        const RunResult r = sandbox.call(name, args);
        INFO(name << ": " << r.message);
        REQUIRE(r.ending == RunResult::Ending::Returned);
        return r.value;
    }
};

} // namespace

TEST_CASE("musl guest: hlrun runs main with musl's stdio, arguments, environment and exit status")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    ProcessResult r = hlrun({"--env", "GREETING=hi", image(), "a", "b"});
    CHECK(r.status == 0);
    CHECK(r.out == "musl guest: 0.5 hi, tls 7, 2 arguments\n");
    CHECK(r.err.find("the guest called hl_serve and waits for calls") != std::string::npos);
    r = hlrun({image(), "exit", "3"});
    CHECK(r.status == 3);
    CHECK(r.out == "exiting with 3\n");
    CHECK(r.err.empty());
}

TEST_CASE("musl guest: hlrun inspect shows the personality, the thread-local storage and the exports")
{
    HL_REQUIRE_MUSL();
    const ProcessResult r = hlrun({"inspect", image()});
    CHECK(r.status == 0);
    const auto out = lines(r.out);
    REQUIRE(out.size() > 7);
    CHECK(out[1] == "personality hl, Linux system calls (musl)");
    CHECK(out[6].rfind("tls         0x", 0) == 0);
    CHECK(out[6].find(", 8 bytes (8 from the file), align 8") != std::string::npos);
    CHECK(r.out.find("  string format(f64)\n") != std::string::npos);
    CHECK(r.out.find("  i64 use_host(i64)\n") != std::string::npos);
    const ProcessResult json = hlrun({"inspect", "--json", image()});
    CHECK(json.out.find("\"personality\":\"hl\",\"system_calls\":true,") != std::string::npos);
}

TEST_CASE("musl guest: hlrun call formats, parses and sorts with musl")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    CHECK(call({"format", "0.1"}) == kInit + "0.10000000000000001\n");
    CHECK(call({"format", "1e300"}) == kInit + "1.0000000000000001e+300\n");
    CHECK(call({"parse", "0x1p-3"}) == kInit + "0.125\n");
    CHECK(call({"sort", "5 3 9 -1 3"}) == kInit + "-1 3 3 5 9\n");
    CHECK(call({"boot_argc"}) == kInit + "1\n");
    // Buffered by stdio with no newline; hl_serve flushes it when the call returns.
    CHECK(call({"say", "no newline"}) == kInit + "no newline");
    // hlrun registers no host functions.
    CHECK(call({"use_host", "21"}) == kInit + "twice failed: no host function named 'twice'\n-2\n");
}

TEST_CASE("musl guest: reads files of a mapped directory with stdio, and nothing else")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    write_file(dir + "/notes.txt", "first line\nsecond line\n");
    CHECK(call({"first_line", "/data/notes.txt"}, {"--dir", dir + ":/data"}) == kInit + "first line\n\n");
    CHECK(call({"first_line", "/data/notes.txt"}) == kInit + "/data/notes.txt: No such file or directory\n");
}

TEST_CASE("musl guest: state persists between calls, and fresh calls reset malloc'd, stdio and TLS state")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    CHECK(call({"next"}, {"--repeat", "3"}) == kInit + "103\n");
    CHECK(call({"next"}, {"--repeat", "3", "--fresh"}) == kInit + "101\n");

    MuslGuest g;
    CHECK(g.out == kInit);
    CHECK(std::get<int64_t>(g.call("next")) == 101);
    CHECK(std::get<int64_t>(g.call("next")) == 102);
    CHECK(std::get<int64_t>(g.call("remember", {std::string("ab")})) == 3);
    CHECK(std::get<int64_t>(g.call("remember", {std::string("ab")})) == 6);
    CHECK(std::get<int64_t>(g.call("tls_next")) == 8);
    CHECK(std::get<int64_t>(g.call("tls_next")) == 9);

    MuslGuest fresh;
    fresh.sandbox.set_fresh_per_call(true);
    for (int i = 0; i < 3; ++i) {
        CHECK(std::get<int64_t>(fresh.call("next")) == 101);
        CHECK(std::get<int64_t>(fresh.call("remember", {std::string("abc")})) == 4);
        CHECK(std::get<int64_t>(fresh.call("tls_next")) == 8);
        fresh.call("say", {std::string("x")});
    }
    CHECK(fresh.out == kInit + "xxx");
}

TEST_CASE("musl guest: libsandbox calls exports that call host functions")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    MuslGuest g;
    CHECK(std::get<int64_t>(g.call("use_host", {int64_t{21}})) == 42);
    CHECK(std::get<std::string>(g.call("format", {2.5})) == "2.5");
    CHECK(std::get<double>(g.call("parse", {std::string("-1.25e2")})) == -125.0);
    CHECK(std::get<std::string>(g.call("sort", {std::string("10 -20 0")})) == "-20 0 10");
}

TEST_CASE("musl guest: its system calls are traced exits beside its hypercalls")
{
    HL_REQUIRE_MUSL();
    HL_REQUIRE_KVM();
    const ProcessResult r = hlrun({"--trace", image()});
    CHECK(r.status == 0);
    CHECK(r.err.find("syscall arch_prctl(code=0x1002, addr=0x") != std::string::npos);
    CHECK(r.err.find("syscall writev(fd=1, iov=0x") != std::string::npos);
    CHECK(r.err.find("__hl_serve_wait+") != std::string::npos);
    CHECK(r.err.find("ready(flags=0)") != std::string::npos);
    // --strict-syscalls changes nothing for a guest that makes only calls hl serves.
    CHECK(hlrun({"--strict-syscalls", image()}).status == 0);
}
