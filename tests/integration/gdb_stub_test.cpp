// hlrun --gdb driven by Debian's gdb (tests/bootstrap.sh installs it):
// breakpoints by function and file:line, backtraces, locals, arguments and
// globals, stepping, finish, a write watchpoint, changing a variable,
// continuing to the guest's exit status; and by a raw client of the remote
// protocol: Ctrl-C, kill, detach, bad packets; and the refusals of --gdb.
#include "process.hpp"

#include <hl/image.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace hl::test;
using namespace std::chrono_literals;

namespace {

// `hlrun --gdb=127.0.0.1:0 ARGS...`, waiting for its debugger at the address it says.
class Debuggee {
public:
    // args: hlrun's, after --gdb; a leading "call" makes it `hlrun call --gdb ...`.
    explicit Debuggee(const std::vector<std::string>& args) : process_(command(args))
    {
        const std::string line = process_.wait_for("hlrun: info: waiting for gdb on ");
        address_ = line.substr(0, line.find(": "));
    }
    const std::string& address() const { return address_; }
    int port() const { return std::stoi(address_.substr(address_.find(':') + 1)); }
    int wait() { return process_.wait(); }
    const std::string& err() const { return process_.err(); }

private:
    static std::vector<std::string> command(const std::vector<std::string>& args)
    {
        const bool call = !args.empty() && args[0] == "call";
        std::vector<std::string> argv = {HL_HLRUN};
        if (call)
            argv.push_back("call");
        argv.push_back("--gdb=127.0.0.1:0");
        argv.insert(argv.end(), args.begin() + (call ? 1 : 0), args.end());
        return argv;
    }
    BackgroundProcess process_;
    std::string address_;
};

// gdb -batch IMAGE, attached to the debuggee, running each command; what it printed.
std::string gdb(const Debuggee& debuggee, const std::string& image, std::vector<std::string> commands)
{
    commands.insert(commands.begin(), "target remote " + debuggee.address());
    return gdb_batch(commands, {image});
}

// A client of the remote protocol that speaks it byte by byte.
class RawClient {
public:
    explicit RawClient(int port)
    {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    ~RawClient() { close(fd_); }
    void send(const std::string& bytes) { REQUIRE(write(fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())); }
    // Bytes until `want` of them came or a second passes without more.
    std::string receive(size_t want)
    {
        std::string out;
        while (out.size() < want) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 10000) <= 0)
                break;
            char buffer[4096];
            const ssize_t n = read(fd_, buffer, sizeof buffer);
            if (n <= 0)
                break;
            out.append(buffer, static_cast<size_t>(n));
        }
        return out;
    }
    // Reads until a whole packet "$...#xx" came; returns everything read.
    std::string receive_packet()
    {
        std::string out;
        while (out.find('#') == std::string::npos || out.size() < out.find('#') + 3) {
            const std::string more = receive(1);
            if (more.empty())
                break;
            out += more;
        }
        return out;
    }

private:
    int fd_ = -1;
};

std::string packet(const std::string& data)
{
    unsigned sum = 0;
    for (const char c : data)
        sum += static_cast<uint8_t>(c);
    char checksum[3];
    std::snprintf(checksum, sizeof checksum, "%02x", sum & 0xff);
    return "$" + data + "#" + checksum;
}

} // namespace

TEST_CASE("hlrun --gdb: breakpoint by function, backtrace, arguments, locals, globals, next, finish to a fault")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("faults");
    Debuggee debuggee({image, "nested"});
    const std::string out = gdb(debuggee, image,
                                {"break crash_in", "continue", "bt", "p level", "next", "next", "p local",
                                 "p core_global", "up", "p level", "down", "finish", "continue"});
    INFO(out);
    CHECK(contains(out, "_start () at "));   // stopped before the first instruction
    CHECK(contains(out, "Breakpoint 1, crash_in (level=2) at "));
    CHECK(contains(out, "#0  crash_in (level=2) at "));
    CHECK(contains(out, " in call_crash (level=1) at "));
    CHECK(contains(out, " in main ("));
    CHECK(contains(out, "$1 = 2\n"));
    CHECK(contains(out, "$2 = 14\n"));
    CHECK(contains(out, "$3 = 56\n"));
    CHECK(contains(out, "$4 = 1\n"));
    CHECK(contains(out, "Program received signal SIGSEGV, Segmentation fault."));
    CHECK(contains(out, "Program terminated with signal SIGSEGV, Segmentation fault."));
    CHECK(debuggee.wait() == 125);
    CHECK(contains(debuggee.err(), "hlrun: error: guest fault: page fault (#PF) at crash_in"));
}

TEST_CASE("hlrun --gdb: breakpoint by file:line, stepi, registers, and continuing to the exit status")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("hello");
    Debuggee debuggee({image, "--exit", "3"});
    const std::string out =
        gdb(debuggee, image, {"break main.c:16", "continue", "p argc", "stepi", "p $pc", "continue"});
    INFO(out);
    CHECK(contains(out, "Breakpoint 1, main (argc=3, argv="));
    CHECK(contains(out, "main.c:16\n"));
    CHECK(contains(out, "$1 = 3\n"));
    CHECK(contains(out, "$2 = (void (*)()) 0x"));
    CHECK(contains(out, "[Inferior 1 (Remote target) exited with code 03]"));
    CHECK(debuggee.wait() == 3);
}

TEST_CASE("hlrun --gdb: a write watchpoint fires where the global changes, and set var changes a local")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("faults");
    Debuggee debuggee({image, "nested"});
    const std::string out = gdb(debuggee, image,
                                {"break call_crash", "continue", "watch core_global", "continue", "bt 1",
                                 "delete", "break crash_in", "set var core_global = 100", "p core_global", "kill"});
    INFO(out);
    CHECK(contains(out, "Hardware watchpoint 2: core_global"));
    CHECK(contains(out, "Old value = 42\nNew value = 56\n"));
    CHECK(contains(out, "#0  crash_in (level=2) at "));
    CHECK(contains(out, "$1 = 100\n"));
    CHECK(contains(out, "[Inferior 1 (Remote target) killed]"));
    CHECK(debuggee.wait() == 119);
    CHECK(contains(debuggee.err(), "hlrun: error: guest killed by the debugger"));
}

TEST_CASE("hlrun call --gdb: a breakpoint in the export stops each fresh call, and gdb hears the guest exit after them")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("functions");
    // Fresh calls restore a snapshot taken while the breakpoint was in:
    // the snapshot holds the guest's code, and the breakpoint comes back.
    Debuggee debuggee({"call", "--fresh", "-n", "2", image, "add", "2", "3"});
    const std::string out = gdb(debuggee, image, {"break add", "continue", "bt", "continue", "continue"});
    INFO(out);
    const size_t first = out.find("Breakpoint 1, ");
    REQUIRE(first != std::string::npos);
    CHECK(out.find("Breakpoint 1, ", first + 1) != std::string::npos);
    CHECK(contains(out, " in add ("));
    CHECK(contains(out, " hl_thunk_add ("));
    CHECK(contains(out, " in hl_serve () at "));
    CHECK(contains(out, "[Inferior 1 (Remote target) exited normally]"));
    CHECK(debuggee.wait() == 0);
}

TEST_CASE("hlrun call --gdb: the vector registers as the guest set them, the upper halves of ymm too")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("isolation");
    // plant() fills xmm0-15 (and ymm0-15 where the guest has AVX) with its argument, 0x1122334455667788.
    Debuggee debuggee({"call", image, "plant", "1234605616436508552"});
    const std::string out = gdb(debuggee, image,
                                {"break main.c:24", "continue", "p/x $xmm3.v2_int64", "p/x $ymm15.v4_int64",
                                 "p/x $ymm0.v4_int64[3]", "continue"});
    INFO(out);
    CHECK(contains(out, "$1 = {0x1122334455667788, 0x1122334455667788}\n"));
    if (__builtin_cpu_supports("avx")) {   // guests get AVX where the host has it
        CHECK(contains(out, "$2 = {0x1122334455667788, 0x1122334455667788, 0x1122334455667788, 0x1122334455667788}\n"));
        CHECK(contains(out, "$3 = 0x1122334455667788\n"));
    } else {
        CHECK(contains(out, "<unavailable>"));
    }
    CHECK(contains(out, "[Inferior 1 (Remote target) exited normally]"));
    CHECK(debuggee.wait() == 0);
}

TEST_CASE("hlrun --gdb: a watchpoint is seen by a step too, and a core written after gdb holds no int3")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("faults");
    const std::string dir = make_temp_dir();
    Debuggee debuggee({"--core", dir + "/core", image, "nested"});
    const std::string out = gdb(debuggee, image,
                                {"break crash_in", "break call_crash", "continue", "continue", "watch core_global",
                                 "next", "next", "continue", "continue"});
    INFO(out);
    CHECK(contains(out, "Old value = 42\nNew value = 56\n"));
    CHECK(contains(out, "Program terminated with signal SIGSEGV"));
    CHECK(debuggee.wait() == 125);
    // The breakpoints came out of guest memory before the core was written.
    const std::string bytes = gdb_batch({"x/1xb call_crash", "x/1xb crash_in"}, {image, dir + "/core"});
    INFO(bytes);
    CHECK_FALSE(contains(bytes, "0xcc"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --gdb: a debugger that goes away mid-run leaves no breakpoint behind, and the guest runs on")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("faults");
    Debuggee debuggee({image, "nested"});
    uint64_t crash_in = 0;
    const hl::Image loaded = hl::Image::load(image);
    for (const hl::Symbol& symbol : loaded.symbols())
        if (symbol.name.rfind("crash_in", 0) == 0)
            crash_in = symbol.address;
    REQUIRE(crash_in != 0);
    {
        RawClient client(debuggee.port());
        char breakpoint[64];
        std::snprintf(breakpoint, sizeof breakpoint, "Z0,%llx,1", static_cast<unsigned long long>(crash_in));
        client.send(packet(breakpoint));
        CHECK(client.receive_packet() == "+" + packet("OK"));
        client.send("+" + packet("c"));
        CHECK(client.receive(1).rfind('+', 0) == 0);   // the stop may follow at once
    }   // gone, whether the guest reached the breakpoint yet or not
    CHECK(debuggee.wait() == 125);
    CHECK(contains(debuggee.err(), "hlrun: error: guest fault: page fault (#PF) at crash_in"));
    CHECK_FALSE(contains(debuggee.err(), "breakpoint (#BP)"));
}

TEST_CASE("hlrun call --gdb: a watched continue across fresh calls, then detach, leaves no trap flag behind")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("functions");
    Debuggee debuggee({"call", "--fresh", "-n", "2", image, "next"});
    const std::string out = gdb(debuggee, image,
                                {"watch counter", "continue", "break next", "continue", "delete", "detach"});
    INFO(out);
    CHECK(contains(out, "Breakpoint 2, next () at "));
    CHECK(contains(out, "[Inferior 1 (Remote target) detached]"));
    CHECK(debuggee.wait() == 0);
    CHECK_FALSE(contains(debuggee.err(), "guest fault"));
}

TEST_CASE("hlrun --gdb: a Ctrl-C stops a running guest, and kill ends it")
{
    HL_REQUIRE_KVM();
    Debuggee debuggee({guest_image("faults"), "loop"});
    RawClient client(debuggee.port());
    client.send(packet("c"));
    CHECK(client.receive(1) == "+");
    std::this_thread::sleep_for(200ms);
    client.send("\x03");
    const std::string stop = client.receive_packet();
    CHECK(stop.rfind("$T02thread:1;#", 0) == 0);
    client.send("+" + packet("g"));
    CHECK(client.receive_packet().rfind("+$", 0) == 0);
    client.send("+" + packet("k"));
    CHECK(debuggee.wait() == 119);
}

TEST_CASE("hlrun --gdb: bad packets get '-', good ones an answer, and a detached guest runs to its end")
{
    HL_REQUIRE_KVM();
    Debuggee debuggee({guest_image("hello"), "x"});
    RawClient client(debuggee.port());
    client.send("garbage$?#00");                                  // noise, then a wrong checksum
    CHECK(client.receive(1) == "-");
    client.send(packet(std::string(20000, 'm')));                 // longer than PacketSize
    CHECK(client.receive(1) == "-");
    client.send(packet("m10000000000,4"));                        // memory the guest cannot reach
    CHECK(client.receive_packet() == "+" + packet("E14"));
    client.send("+" + packet("Z0,4000,1"));                       // a breakpoint in hl's own stubs
    CHECK(client.receive_packet() == "+" + packet("E16"));
    client.send("+" + packet("M4000,1:cc"));                      // a write to hl's own stubs
    CHECK(client.receive_packet() == "+" + packet("E14"));
    client.send("+" + packet("?"));
    CHECK(client.receive_packet() == "+" + packet("T05thread:1;"));
    client.send("+" + packet("D"));
    CHECK(client.receive_packet() == "+" + packet("OK"));
    CHECK(debuggee.wait() == 0);
    CHECK(contains(debuggee.err(), "to stderr\n"));
}

TEST_CASE("hlrun --gdb: an address that cannot be listened on, and --profile with it, are refused")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("hello");
    ProcessResult r = hlrun({"--gdb=nonsense", image});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --gdb: gdb address 'nonsense' is not HOST:PORT with an IPv4 HOST or localhost, "
                   "expected e.g. 127.0.0.1:1234\n");
    r = hlrun({"--gdb=127.0.0.1:99999", image});
    CHECK(r.status == 120);
    Debuggee holder({image});   // holds its port
    r = hlrun({"--gdb=" + holder.address(), image});
    CHECK(r.status == 113);
    CHECK(r.err == "hlrun: error: --gdb: cannot listen on " + holder.address() + ": Address already in use\n");
    r = hlrun({"--gdb", "--profile", "/tmp/hl-gdb-profile", image});
    CHECK(r.status == 120);
    CHECK(r.err ==
          "hlrun: error: --gdb cannot be used with --profile: the profiler's interrupts would stop the debugged guest\n");
    RawClient release(holder.port());
    release.send(packet("D"));
    CHECK(holder.wait() == 0);
}
