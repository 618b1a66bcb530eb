// Hostile guests: every attack on the host is stopped and reported with its
// kind and place, and the host process carries on (each run is a process).
#include "process.hpp"

#include <hl/sandbox.hpp>

#include <string>

using namespace hl::test;

namespace {

const std::string kHostile = guest_image("hostile");

} // namespace

TEST_CASE("hostile: privileged instructions, system calls and wild jumps are faults with their kind and place")
{
    HL_REQUIRE_KVM();
    struct Case {
        const char* what;
        const char* message;
    };
    const Case cases[] = {
        {"syscall", "guest fault: system call instruction (SYSCALL) at main+0x"},
        {"int3", "guest fault: breakpoint (#BP) at main+0x"},
        {"rdmsr", "guest fault: general protection fault (#GP) at main+0x"},
        {"wrmsr", "guest fault: general protection fault (#GP) at main+0x"},
        {"movcr3", "guest fault: general protection fault (#GP) at main+0x"},
        {"lgdt", "guest fault: general protection fault (#GP) at main+0x"},
        {"clihlt", "guest fault: general protection fault (#GP) at main+0x"},
        {"serialport", "guest fault: general protection fault (#GP) at main+0x"},
        {"writeidt", "write to 0x2000 (idt: host only)"},
        {"writepagetables", "(page tables: host only)"},
        {"writebootinfo", "write to 0x10000 (boot info: read-only, not executable)"},
        {"execdata", "guest fault: page fault (#PF) at data_code (0x"},
        {"stubmiddle", "bad hypercall: the guest wrote to the fault report page itself, at 0x400e"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const auto r = hlrun({kHostile, c.what});
        CHECK(r.status == 125);
        CHECK(r.err.rfind("hlrun: error: ", 0) == 0);
        CHECK(r.err.find(c.message) != std::string::npos);
        CHECK(lines(r.err).size() == 1);
    }
    // int $0x80 is stopped too, whatever the host's KVM makes of it (#GP on hardware, #UD here).
    const auto int80 = hlrun({kHostile, "int80"});
    CHECK(int80.status == 125);
    CHECK(int80.err.rfind("hlrun: error: guest fault: ", 0) == 0);
}

TEST_CASE("hostile: hypercalls that point where they must not are refused, saying where")
{
    HL_REQUIRE_KVM();
    struct Case {
        const char* what;
        const char* message;
    };
    const Case cases[] = {
        {"unusedport", "bad hypercall: `out` to port 0x509, which is not an hl hypercall port"},
        {"portin", "bad hypercall: `in` from port 0x500: hl ports are write-only"},
        {"buf-unmapped", "bad hypercall: write: buffer: address 0x0 is not mapped for the guest"},
        {"buf-pagetables", "bad hypercall: write: buffer: address 0xff5000 (page tables) is not readable by the guest"},
        {"buf-gdt", "bad hypercall: write: buffer: address 0x1000 (gdt) is not readable by the guest"},
        {"buf-idt", "bad hypercall: write: buffer: address 0x2000 (idt) is not readable by the guest"},
        {"buf-end", "bad hypercall: write: buffer: range 0xfffffc+8 is outside guest memory (16Mi)"},
        // address + len wraps around 2^64 to the boot info: refused by the bounds check, not the cap.
        {"buf-overflow", "bad hypercall: write: buffer: range 0xfffffffffffffff8+65552 is outside guest memory (16Mi)"},
        {"buf-cap", "bad hypercall: write: len 1048577 is over the limit of 1048576 bytes"},
        {"req-text", "bad hypercall: write: request block: address 0x100010 (image segment 0) is not writable by the guest"},
        {"req-stubs", "bad hypercall: write: request block: address 0x4000 (stubs) is not writable by the guest"},
        {"req-bootinfo", "bad hypercall: write: request block: address 0x10000 (boot info) is not writable by the guest"},
        {"req-end", "bad hypercall: write: request block: range 0xfffff8+32 is outside guest memory (16Mi)"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const auto r = hlrun({kHostile, c.what});
        CHECK(r.status == 125);
        CHECK(r.err == "hlrun: error: " + std::string(c.message) + "\n");
        CHECK(r.out.empty());
    }
}

TEST_CASE("hostile: an exit storm is stopped by --max-exits, a flood of output streams through")
{
    HL_REQUIRE_KVM();
    auto r = hlrun({"--max-exits", "5000", kHostile, "storm"});
    CHECK(r.status == 118);
    CHECK(r.err == "hlrun: error: guest stopped after 5000 exits, its limit\n");
    r = hlrun({"--timeout", "300ms", kHostile, "storm"}); // the timeout stops it too
    CHECK(r.status == 124);
    r = hlrun({kHostile, "flood"});
    CHECK(r.status == 0);
    CHECK(r.out.size() == 16u << 20);
    for (const char* bad : {"lots", "-1", "18446744073709551616"}) {
        r = hlrun({"--max-exits", bad, kHostile, "storm"});
        CHECK(r.status == 120);
        CHECK(r.err.find("is not a count of exits") != std::string::npos);
        CHECK(lines(r.err).size() == 1);
    }
}

TEST_CASE("hostile: malloc until out of memory gets NULL, never more than the guest's memory")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({"--memory", "8Mi", kHostile, "malloc-oom"});
    CHECK(r.status == 0);
    CHECK(r.out.rfind("malloc gave ", 0) == 0);
    const long kib = std::stol(r.out.substr(12));
    CHECK(kib > 4 * 1024);
    CHECK(kib < 8 * 1024);
}

TEST_CASE("hostile: a guest that exhausts its memory takes no more host memory than its limit")
{
    HL_REQUIRE_KVM();
#if defined(HL_ASAN) // hlrun is built with the same flags as this test
    WARN("skipped: under ASan hlrun's RSS holds shadow memory and quarantine, not just the guest's pages");
    return;
#endif
    // Peak RSS as wait4 reports it. A child started by posix_spawn (a vfork)
    // also counts this test process's RSS at its exec, in the baseline as in
    // each run, so that only loosens the bound.
    const auto baseline = hlrun({guest_image("hello")});
    REQUIRE(baseline.status == 0);
    for (const long limit_mib : {64, 256}) {
        const auto r = hlrun({"--memory", std::to_string(limit_mib) + "Mi", kHostile, "malloc-oom"});
        REQUIRE(r.status == 0);
        REQUIRE(r.out.rfind("malloc gave ", 0) == 0);
        const long gave_kib = std::stol(r.out.substr(12));
        INFO("--memory " << limit_mib << "Mi: malloc gave " << gave_kib << " KiB; peak RSS " << r.max_rss_kib
                         << " KiB, hello's " << baseline.max_rss_kib << " KiB");
        CHECK(gave_kib > (limit_mib - 8) * 1024);   // the guest took (and wrote) nearly all its memory...
        CHECK(r.max_rss_kib >= gave_kib);            // ...which the host holds as resident pages...
        CHECK(r.max_rss_kib <= baseline.max_rss_kib + (limit_mib + 16) * 1024); // ...and not much more
    }
}

TEST_CASE("hostile: the library bounds exits per call too")
{
    HL_REQUIRE_KVM();
    hl::Sandbox s(hl::Image::load(guest_image("hostile")), {.max_exits = 100});
    const hl::RunResult r = s.run({"hostile", "storm"});
    CHECK(r.ending == hl::RunResult::Ending::ExitLimit);
    CHECK(r.exits == 100);
    CHECK(r.message == "guest stopped after 100 exits, its limit");
}
