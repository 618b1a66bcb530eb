// Hypercall decoding and dispatch over real guest memory, with made-up exits.
#include "hypercalls.hpp"
#include "test_layouts.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using namespace hl;
using Action = HypercallOutcome::Action;

namespace {

struct Fixture {
    Layout layout = test::typical_layout();
    GuestMemory memory{layout};
    std::string out, err;
    OutputFn output = [this](int fd, std::span<const uint8_t> bytes) -> int64_t {
        (fd == 1 ? out : err).append(bytes.begin(), bytes.end());
        return static_cast<int64_t>(bytes.size());
    };
    const uint64_t heap = layout.heap_start();

    template <typename T>
    void put(uint64_t address, const T& value) { std::memcpy(memory.host_view().data() + address, &value, sizeof value); }
    template <typename T>
    T get(uint64_t address) { T value; std::memcpy(&value, memory.host_view().data() + address, sizeof value); return value; }

    HypercallOutcome out_to(unsigned call, uint64_t value, uint8_t size = 4, uint32_t count = 1)
    {
        VcpuExit exit{.reason = VcpuExit::Reason::IoOut, .port = static_cast<uint16_t>(HL_PORT_BASE + call),
                      .size = size, .value = static_cast<uint32_t>(value), .count = count};
        return dispatch_hypercall(exit, memory, output);
    }

    HypercallOutcome write(uint32_t fd, uint64_t buf, uint64_t len, uint64_t request_at = 0)
    {
        const uint64_t at = request_at ? request_at : heap;
        put(at, hl_write_req{.fd = fd, ._pad = 0, .buf = buf, .len = len, .result = 0});
        return out_to(HL_CALL_WRITE, at);
    }
};

} // namespace

TEST_CASE("write sends guest bytes to the right fd and reports the count")
{
    Fixture f;
    std::memcpy(f.memory.host_view().data() + f.heap + 64, "hello\n", 6);
    auto outcome = f.write(1, f.heap + 64, 6);
    CHECK(outcome.action == Action::Continue);
    CHECK(f.out == "hello\n");
    CHECK(f.get<hl_write_req>(f.heap).result == 6);
    CHECK(describe_hypercall(outcome.call) == "write(fd=1, buf=0x107040, len=6) = 6");
    f.write(2, f.heap + 64, 5);
    CHECK(f.err == "hello");
}

TEST_CASE("write to an fd other than 1 and 2 returns EBADF to the guest")
{
    Fixture f;
    auto outcome = f.write(7, f.heap + 64, 1);
    CHECK(outcome.action == Action::Continue);
    CHECK(f.get<hl_write_req>(f.heap).result == HL_EBADF);
}

TEST_CASE("write: an output whose reader is gone (HL_EPIPE) stops the guest, naming the stream")
{
    Fixture f;
    f.output = [](int, std::span<const uint8_t>) -> int64_t { return HL_EPIPE; };
    auto outcome = f.write(1, f.heap + 64, 3);
    CHECK(outcome.action == Action::OutputClosed);
    CHECK(outcome.message == "the reader of stdout closed it");
    CHECK(f.get<hl_write_req>(f.heap).result == HL_EPIPE);
    CHECK(describe_hypercall(outcome.call) == "write(fd=1, buf=0x107040, len=3) = -32");
    outcome = f.write(2, f.heap + 64, 3);
    CHECK(outcome.action == Action::OutputClosed);
    CHECK(outcome.message == "the reader of stderr closed it");
    // Any other error is the guest's to see.
    f.output = [](int, std::span<const uint8_t>) -> int64_t { return HL_EIO; };
    CHECK(f.write(1, f.heap + 64, 3).action == Action::Continue);
    CHECK(f.get<hl_write_req>(f.heap).result == HL_EIO);
}

TEST_CASE("write may read from read-only guest memory such as rodata and boot info")
{
    Fixture f;
    CHECK(f.write(1, 0x103000, 4).action == Action::Continue);
    CHECK(f.write(1, HL_BOOT_INFO_ADDR, 4).action == Action::Continue);
    CHECK(f.out.size() == 8);
}

TEST_CASE("write with a bad buffer stops the guest and says where")
{
    Fixture f;
    auto check = [&](uint64_t buf, uint64_t len, const std::string& message) {
        auto outcome = f.write(1, buf, len);
        CHECK(outcome.action == Action::Violation);
        CHECK(outcome.message == message);
    };
    check(0, 8, "write: buffer: address 0x0 is not mapped for the guest");
    check(HL_GDT_ADDR, 8, "write: buffer: address 0x1000 (gdt) is not readable by the guest");
    check(f.layout.page_tables_start(), 8,
          "write: buffer: address 0xff5000 (page tables) is not readable by the guest");
    check(f.layout.memory_size() - 4, 8, "write: buffer: range 0xfffffc+8 is outside guest memory (16Mi)");
    check(f.heap, UINT64_MAX - 8, "write: len 18446744073709551607 is over the limit of 1048576 bytes");
    check(f.layout.heap_start() + f.layout.heap_size() - 4, 8,
          "write: buffer: address 0xfe4000 is not mapped for the guest");
    CHECK(f.out.empty());
}

TEST_CASE("write of 0 bytes reads nothing, so any buffer address will do")
{
    Fixture f;
    for (const uint64_t buf : {uint64_t{0}, uint64_t{HL_GDT_ADDR}, f.layout.page_tables_start(), f.layout.memory_size(),
                               UINT64_MAX}) {
        CAPTURE(buf);
        const auto outcome = f.write(1, buf, 0);
        CHECK(outcome.action == Action::Continue);
        CHECK(f.get<hl_write_req>(f.heap).result == 0);
    }
    f.write(7, 0, 0);
    CHECK(f.get<hl_write_req>(f.heap).result == HL_EBADF); // the descriptor is still checked
    CHECK(f.out.empty());
    CHECK(f.err.empty());
}

TEST_CASE("a request block must be guest-writable memory")
{
    Fixture f;
    auto outcome = f.write(1, f.heap, 1, 0x103000);
    CHECK(outcome.action == Action::Violation);
    CHECK(outcome.message == "write: request block: address 0x103000 (image segment 1) is not writable by the guest");
    outcome = f.out_to(HL_CALL_WRITE, HL_STUBS_ADDR);
    CHECK(outcome.message == "write: request block: address 0x4000 (stubs) is not writable by the guest");
    outcome = f.out_to(HL_CALL_CLOCK, HL_BOOT_INFO_ADDR);
    CHECK(outcome.message == "clock: request block: address 0x10000 (boot info) is not writable by the guest");
}

TEST_CASE("exit passes the status through")
{
    Fixture f;
    auto outcome = f.out_to(HL_CALL_EXIT, 42);
    CHECK(outcome.action == Action::Exit);
    CHECK(outcome.status == 42);
    CHECK(describe_hypercall(outcome.call) == "exit(status=42)");
}

TEST_CASE("ready carries its flags, unknown flags stop the guest")
{
    Fixture f;
    auto plain = f.out_to(HL_CALL_READY, 0);
    CHECK(plain.action == Action::Ready);
    CHECK(plain.status == 0);
    auto reloads = f.out_to(HL_CALL_READY, HL_READY_RELOADS_FPU);
    CHECK(reloads.action == Action::Ready);
    CHECK(reloads.status == static_cast<int>(HL_READY_RELOADS_FPU));
    CHECK(describe_hypercall(reloads.call) == "ready(flags=1)");
    auto unknown = f.out_to(HL_CALL_READY, 0x80000003u);
    CHECK(unknown.action == Action::Violation);
    CHECK(unknown.message == "ready: unknown flags 0x80000002 (known: HL_READY_RELOADS_FPU = 0x1)");
}

TEST_CASE("abort carries the guest's message on one line of plain text")
{
    Fixture f;
    const std::string message = "bad\nthing \xc2\x9b" "2J \x1b[0m \xff caf\xc3\xa9";
    std::memcpy(f.memory.host_view().data() + f.heap + 64, message.data(), message.size());
    f.put(f.heap, hl_abort_req{.msg = f.heap + 64, .len = message.size()});
    auto outcome = f.out_to(HL_CALL_ABORT, f.heap);
    CHECK(outcome.action == Action::Abort);
    CHECK(outcome.message == "bad\\x0athing \\xc2\\x9b2J \\x1b[0m \\xff caf\xc3\xa9");
    f.put(f.heap, hl_abort_req{.msg = f.heap + 64, .len = HL_ABORT_MAX + 1});
    CHECK(f.out_to(HL_CALL_ABORT, f.heap).message == "abort: message length 4097 is over the limit of 4096 bytes");
    f.put(f.heap, hl_abort_req{.msg = 8, .len = 4});
    CHECK(f.out_to(HL_CALL_ABORT, f.heap).message == "abort: message: address 0x8 is not mapped for the guest");
}

TEST_CASE("clock writes the host's monotonic time into the request")
{
    Fixture f;
    f.put(f.heap, hl_clock_req{0});
    auto outcome = f.out_to(HL_CALL_CLOCK, f.heap);
    CHECK(outcome.action == Action::Continue);
    CHECK(f.get<hl_clock_req>(f.heap).monotonic_ns > 0);
}

TEST_CASE("ports, directions and sizes outside the ABI stop the guest")
{
    Fixture f;
    VcpuExit exit{.reason = VcpuExit::Reason::IoOut, .port = 0x3f8, .size = 1, .value = 0, .count = 1};
    CHECK(dispatch_hypercall(exit, f.memory, f.output).message ==
          "`out` to port 0x3f8, which is not an hl hypercall port");
    exit = {.reason = VcpuExit::Reason::IoOut, .port = HL_PORT_BASE + 9, .size = 4, .value = 0, .count = 1};
    CHECK(dispatch_hypercall(exit, f.memory, f.output).message ==
          "`out` to port 0x509, which is not an hl hypercall port");
    exit = {.reason = VcpuExit::Reason::IoIn, .port = HL_PORT_BASE, .size = 4, .value = 0, .count = 1};
    CHECK(dispatch_hypercall(exit, f.memory, f.output).message == "`in` from port 0x500: hl ports are write-only");
    CHECK(f.out_to(HL_CALL_EXIT, 0, 1).message == "exit: hypercalls are one 32-bit `out`, got 1 x 1 bytes");
    CHECK(f.out_to(HL_CALL_EXIT, 0, 4, 3).message == "exit: hypercalls are one 32-bit `out`, got 3 x 4 bytes");
}

TEST_CASE("host calls: a malformed request stops the guest, a mismatch is an answer")
{
    Fixture f;
    std::vector<HostFunction> host{make_host_function("f", [](std::string_view s) { return int64_t(s.size()); })};
    auto call = [&](hl_host_call_req req) {
        f.put(f.heap, req);
        VcpuExit exit{.reason = VcpuExit::Reason::IoOut, .port = HL_PORT_BASE + HL_CALL_HOST, .size = 4,
                      .value = static_cast<uint32_t>(f.heap), .count = 1};
        return dispatch_hypercall(exit, f.memory, f.output, &host);
    };
    hl_host_call_req req{};
    std::memset(req.name, 'x', sizeof req.name);
    CHECK(call(req).message == "host: name or signature is not NUL-terminated");

    req = {};
    std::strcpy(req.name, "f");
    std::strcpy(req.signature, "ls");
    req.argc = 2;
    CHECK(call(req).message == "host: f: argc 2 does not match the signature 'ls'");

    req.argc = 1;
    req.args[0] = {0, 4};
    CHECK(call(req).message == "host: f: argument 1: address 0x0 is not mapped for the guest");

    req.args[0] = {0, 0}; // an empty string needs no address
    CHECK(call(req).action == Action::Continue);
    CHECK(f.get<hl_host_call_req>(f.heap).status == 0);
    CHECK(f.get<hl_host_call_req>(f.heap).ret.bits == 0);

    std::memcpy(f.memory.host_view().data() + f.heap + 1024, "abcd", 4);
    req.args[0] = {f.heap + 1024, 4};
    auto outcome = call(req);
    CHECK(outcome.action == Action::Continue);
    auto answer = f.get<hl_host_call_req>(f.heap);
    CHECK(answer.status == 0);
    CHECK(answer.ret.bits == 4);

    std::strcpy(req.signature, "ll");
    req.args[0] = {7, 0};
    call(req);
    answer = f.get<hl_host_call_req>(f.heap);
    CHECK(answer.status == HL_EINVAL);
    CHECK(std::string(answer.error) == "f: the guest expects i64(i64), the host has i64(string)");

    outcome = f.out_to(HL_CALL_HOST, 0x103000); // read-only: the answer could not be written
    CHECK(outcome.message == "host: request block: address 0x103000 (image segment 1) is not writable by the guest");
}

// Found by fuzz_hypercall (tests/fuzz/corpus/hypercall/crash-host-signature-control-bytes).
TEST_CASE("host calls: a name or signature quoted in the report stays one line of plain text")
{
    Fixture f;
    hl_host_call_req req{};
    std::strcpy(req.name, "f\nhl: guest exited with status 0");
    std::strcpy(req.signature, "\xfe\x01");
    f.put(f.heap, req);
    auto outcome = f.out_to(HL_CALL_HOST, f.heap);
    CHECK(outcome.action == Action::Violation);
    CHECK(outcome.message ==
          "host: f\\x0ahl: guest exited with status 0: argc 0 does not match the signature '\\xfe\\x01'");
}

// Found by fuzz_hypercall (tests/fuzz/corpus/hypercall/crash-host-empty-bytes-result): an
// empty Bytes result has no data to copy, which UBSan reports when it is passed to memcpy.
TEST_CASE("host calls: an empty string or bytes result is an empty value at the result buffer")
{
    Fixture f;
    std::vector<HostFunction> host{make_host_function("none", [] { return Bytes{}; }),
                                   make_host_function("blank", [] { return std::string(); })};
    for (const char* signature : {"y", "s"}) {
        hl_host_call_req req{};
        std::strcpy(req.name, signature[0] == 'y' ? "none" : "blank");
        std::strcpy(req.signature, signature);
        req.ret_buf = f.heap + 1024;
        req.ret_buf_size = 16;
        f.put(f.heap, req);
        VcpuExit exit{.reason = VcpuExit::Reason::IoOut, .port = HL_PORT_BASE + HL_CALL_HOST, .size = 4,
                      .value = static_cast<uint32_t>(f.heap), .count = 1};
        CHECK(dispatch_hypercall(exit, f.memory, f.output, &host).action == Action::Continue);
        const auto answer = f.get<hl_host_call_req>(f.heap);
        CHECK(answer.status == 0);
        CHECK(answer.ret.bits == f.heap + 1024);
        CHECK(answer.ret.len == 0);
    }
}

TEST_CASE("hypercall read: fd 0 from the input, into memory the guest may write, the end of input is 0")
{
    Fixture f;
    std::string input_text = "abcdef";
    const InputFn input = [&input_text](std::span<uint8_t> buffer) -> int64_t {
        const size_t n = std::min(buffer.size(), input_text.size());
        std::memcpy(buffer.data(), input_text.data(), n);
        input_text.erase(0, n);
        return static_cast<int64_t>(n);
    };
    auto read = [&](uint32_t fd, uint64_t buf, uint64_t len, const InputFn* in) {
        f.put(f.heap, hl_read_req{.fd = fd, ._pad = 0, .buf = buf, .len = len, .result = 0});
        VcpuExit exit{.reason = VcpuExit::Reason::IoOut, .port = HL_PORT_BASE + HL_CALL_READ, .size = 4,
                      .value = static_cast<uint32_t>(f.heap), .count = 1};
        return dispatch_hypercall(exit, f.memory, f.output, nullptr, in);
    };
    HypercallOutcome r = read(0, f.heap + 0x100, 4, &input);
    CHECK(r.action == Action::Continue);
    CHECK(f.get<hl_read_req>(f.heap).result == 4);
    CHECK(describe_hypercall(r.call) == "read(fd=0, buf=0x" + [&] {
              char hex[32];
              std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(f.heap + 0x100));
              return std::string(hex);
          }() + ", len=4) = 4");
    CHECK(std::memcmp(f.memory.host_view().data() + f.heap + 0x100, "abcd", 4) == 0);
    read(0, f.heap + 0x100, 4, &input);
    CHECK(f.get<hl_read_req>(f.heap).result == 2);
    read(0, f.heap + 0x100, 4, &input);
    CHECK(f.get<hl_read_req>(f.heap).result == 0);      // the end of the input
    read(0, f.heap + 0x100, 4, nullptr);
    CHECK(f.get<hl_read_req>(f.heap).result == 0);      // no input at all
    read(1, f.heap + 0x100, 4, &input);
    CHECK(f.get<hl_read_req>(f.heap).result == HL_EBADF);
    CHECK(read(0, 0x100000, 4, &input).message ==
          "read: buffer: address 0x100000 (image segment 0) is not writable by the guest");
    CHECK(read(0, f.heap, HL_READ_MAX + 1, &input).message ==
          "read: len 1048577 is over the limit of 1048576 bytes");
}
