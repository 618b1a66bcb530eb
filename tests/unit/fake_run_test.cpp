// Sandbox::run() on the scripted backend (fake_backend.hpp), without KVM:
// what the sandbox asks of its backend to build and boot the machine, and
// how it takes each kind of exit.
#include "fake_guest.hpp"

#include "x86_64/cpu_tables.hpp"
#include "x86_64/page_tables.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace hl;
using namespace hl::test;
using Ending = RunResult::Ending;
using Reason = VcpuExit::Reason;

namespace {

// Keeps a copy of every event and the run's end.
struct RecordingSink : TraceSink {
    std::vector<ExitEvent> events;
    int ends = 0;
    void on_exit(const ExitEvent& event) override { events.push_back(event); }
    void on_run_end(const RunResult&) override { ++ends; }
};

// The guest spins until the run is told to stop (its timer or a cancel); a
// generous bound turns a missing signal into a failure instead of a hang.
void wait_for_interrupt()
{
    for (int i = 0; i < 10'000 && !run_interrupted(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!run_interrupted())
        throw FakeMisuse("the run was not interrupted within 10 s");
}

} // namespace

TEST_CASE("fake backend: a static Linux executable starts with argc, argv, envp and auxv, and its system calls are served")
{
    FakeBackend fake;
    std::string out;
    SandboxOptions options;
    options.environment = {"GREETING=hi"};
    options.output = [&out](int, std::span<const uint8_t> bytes) -> int64_t {
        out.append(bytes.begin(), bytes.end());
        return static_cast<int64_t>(bytes.size());
    };
    const Image image = linux_valid();
    Sandbox sandbox(image, std::move(options), fake.make_vm());
    const uint64_t text = sandbox.layout().heap_start();
    const uint64_t back = image.entry() + 2;
    uint64_t sp = 0;
    FakeStep write = syscall_step(1 /* write */, {1, text, 3}, back);
    write.guest = [&] {
        sp = fake.registers.rsp;
        fake.write_as_guest(text, std::vector<uint8_t>{'h', 'i', '\n'});
    };
    fake.then(write);
    FakeStep check = syscall_step(231 /* exit_group */, {7}, back + 0x10);
    uint64_t write_result = 0, resumed_at = 0;
    check.guest = [&] {
        write_result = fake.registers.rax;
        resumed_at = fake.registers.rip;
    };
    fake.then(check);
    const RunResult r = sandbox.run({"prog", "x"});
    INFO(r.message);
    CHECK(r.ending == Ending::Exited);
    CHECK(r.exit_status == 7);
    CHECK(out == "hi\n");
    CHECK(write_result == 3);   // the write's result, in rax
    CHECK(resumed_at == back);  // after the `syscall`
    // The initial stack: argc, argv[0..1], NULL, envp[0], NULL, then auxv.
    REQUIRE(sp % 16 == 0);
    CHECK(fake.get<uint64_t>(sp) == 2);
    CHECK(std::string(reinterpret_cast<const char*>(fake.memory(fake.get<uint64_t>(sp + 8), 5).data())) == "prog");
    CHECK(std::string(reinterpret_cast<const char*>(fake.memory(fake.get<uint64_t>(sp + 16), 2).data())) == "x");
    CHECK(fake.get<uint64_t>(sp + 24) == 0);
    CHECK(std::string(reinterpret_cast<const char*>(fake.memory(fake.get<uint64_t>(sp + 32), 12).data())) ==
          "GREETING=hi");
    CHECK(fake.get<uint64_t>(sp + 40) == 0);
    CHECK(fake.get<uint64_t>(sp + 48) == 3); // AT_PHDR first
    CHECK(fake.get<uint64_t>(sp + 64) == 4); // AT_PHENT
    CHECK(fake.get<uint64_t>(sp + 72) == 56);
}

TEST_CASE("fake backend: an hl image's system call is a fault, not served")
{
    FakeSandbox s;
    s.fake.then(syscall_step(39 /* getpid */, {}, ElfBuilder::kTextAddr + 2));
    const RunResult r = s.sandbox.run({"fake"});
    CHECK(r.ending == Ending::Faulted);
    CHECK(r.message.find("system call instruction (SYSCALL) at") != std::string::npos);
    CHECK(r.message.find("hl guests make hypercalls, not system calls") != std::string::npos);
    CHECK(s.fake.count("set_registers") == 0);
}

TEST_CASE("fake backend: the sandbox maps its memory and boots the image's entry with its stack and boot info")
{
    FakeSandbox s;
    CHECK(s.fake.take_calls() == std::vector<std::string>{"map_memory", "create_vcpu", "set_boot_state", "set_stop_flag"});
    const Layout& layout = s.sandbox.layout();
    REQUIRE(s.fake.mappings.size() == 1);
    CHECK(s.fake.mappings[0].size == layout.memory_size());
    REQUIRE(s.fake.boot);
    CHECK(s.fake.boot->entry == s.sandbox.image().entry());
    CHECK(s.fake.boot->stack_top == layout.stack_top());
    CHECK(s.fake.boot->argument == HL_BOOT_INFO_ADDR);
    CHECK(s.fake.boot->page_tables == layout.page_tables_start());
    CHECK(s.fake.stop_flag != nullptr);
    // Mapped with the image loaded and the tables written: the entry translates to itself, user-executable.
    const auto memory = s.fake.memory(0, layout.memory_size());
    const auto entry = walk_page_tables(memory, s.fake.boot->page_tables, s.fake.boot->entry);
    REQUIRE(entry);
    CHECK(entry->physical == s.fake.boot->entry);
    CHECK(entry->permission.user);
    CHECK(entry->permission.executable);
    CHECK(s.fake.get<uint8_t>(s.fake.boot->entry) == 0x90);   // the image's first instruction
}

TEST_CASE("fake backend: run() writes the boot info, serves write and exit, and ends with the exit status")
{
    FakeSandbox s;
    s.fake.take_calls();
    s.fake.then(write_step(s.fake, 1, "hello\n"));
    s.fake.then(write_step(s.fake, 2, "oops"));
    s.fake.then(write_step(s.fake, 7, "nowhere"));
    s.fake.then(exit_step(7));
    const RunResult r = s.sandbox.run({"fake", "arg"});
    CHECK(r.ending == Ending::Exited);
    CHECK(r.exit_status == 7);
    CHECK(r.exits == 4);
    CHECK(s.out == "hello\n");
    CHECK(s.err == "oops");
    CHECK(s.fake.get<hl_write_req>(kScratch).result == HL_EBADF);   // the last write's result, as the guest sees it
    const auto info = s.fake.get<hl_boot_info>(HL_BOOT_INFO_ADDR);
    CHECK(info.magic == HL_BOOT_MAGIC);
    CHECK(info.argc == 2);
    CHECK(s.fake.take_calls() == std::vector<std::string>{"keep_registers_at_exit(false)", "run", "run", "run", "run"});
    CHECK(s.fake.script.empty());

    CHECK_THROWS_WITH(s.sandbox.run({"fake"}), "this sandbox has already run; create a new one for another run");
    CHECK(s.fake.take_calls().empty());
}

TEST_CASE("fake backend: the trace sink gets one event per exit, the registers kept at each exit")
{
    RecordingSink sink;
    FakeSandbox s({.trace = &sink});
    s.fake.then(write_step(s.fake, 1, "a"));
    s.fake.then(hypercall(HL_CALL_CLOCK, kScratch, ElfBuilder::kTextAddr + 0x12));
    s.fake.then(exit_step(3));
    const RunResult r = s.sandbox.run({"fake"});
    CHECK(r.ending == Ending::Exited);
    CHECK(s.fake.count("keep_registers_at_exit(true)") == 1);
    REQUIRE(sink.events.size() == 3);
    CHECK(sink.ends == 1);
    for (size_t i = 0; i < 3; ++i) {
        CHECK(sink.events[i].sequence == i + 1);
        CHECK(std::string(sink.events[i].reason) == "io-out");
        CHECK(sink.events[i].final == (i == 2));
    }
    CHECK(describe_hypercall(*sink.events[0].hypercall) == "write(fd=1, buf=0x102200, len=1) = 1");
    CHECK(sink.events[1].rip == ElfBuilder::kTextAddr + 0x12);
    CHECK(sink.events[1].symbol == "compute+0x2");
    CHECK(std::string(sink.events[2].ending) == "exited");
    CHECK(sink.events[2].message == "guest exited with status 3");
}

TEST_CASE("fake backend: a failing KVM_RUN ends the run as a host error with its message")
{
    FakeSandbox s;
    s.fake.then(write_step(s.fake, 1, "x"));
    s.fake.then(kvm_failure("KVM_RUN failed: Bad address"));
    const RunResult r = s.sandbox.run({"fake"});
    CHECK(r.ending == Ending::HostError);
    CHECK(r.message == "KVM_RUN failed: Bad address");
    CHECK(r.exits == 1);
}

TEST_CASE("fake backend: an interrupted run times out with its timer, is cancelled with a cancel, and carries on otherwise")
{
    SECTION("the timer expired")
    {
        FakeSandbox s({.timeout = std::chrono::milliseconds(1)});
        FakeStep step = exit_of(Reason::Interrupted);
        step.guest = wait_for_interrupt;
        s.fake.then(step);
        const RunResult r = s.sandbox.run({"fake"});
        CHECK(r.ending == Ending::TimedOut);
        CHECK(r.message == "guest timed out after 1ms");
    }
    SECTION("cancelled: the stop flag keeps the next run from entering the guest")
    {
        FakeSandbox s;
        FakeStep step = write_step(s.fake, 1, "x");
        step.guest = [&s, write = step.guest] {
            write();
            s.sandbox.interrupt_handle().cancel();
        };
        s.fake.then(step);
        const RunResult r = s.sandbox.run({"fake"});
        CHECK(r.ending == Ending::Cancelled);
        CHECK(r.message == "run cancelled");
        CHECK(s.out == "x");
        CHECK(s.fake.count("run") == 2);   // the second returned at once, with nothing scripted
    }
    SECTION("neither: a stray signal")
    {
        FakeSandbox s;
        s.fake.then(exit_of(Reason::Interrupted));
        s.fake.then(exit_step(0));
        const RunResult r = s.sandbox.run({"fake"});
        CHECK(r.ending == Ending::Exited);
        CHECK(r.exits == 2);
    }
}

TEST_CASE("fake backend: a guest that only makes hypercalls stops at its exit limit")
{
    FakeSandbox s({.max_exits = 3});
    for (int i = 0; i < 5; ++i)
        s.fake.then(write_step(s.fake, 1, "."));
    const RunResult r = s.sandbox.run({"fake"});
    CHECK(r.ending == Ending::ExitLimit);
    CHECK(r.message == "guest stopped after 3 exits, its limit");
    CHECK(s.out == "...");
    CHECK(s.fake.script.size() == 2);
}

TEST_CASE("fake backend: a fault stub's report is a guest fault with its frame")
{
    FakeSandbox s;
    s.fake.then(fault_step(s.fake, 14, ElfBuilder::kTextAddr + 0x14, 0x6, 0x8));
    const RunResult r = s.sandbox.run({"fake"});
    CHECK(r.ending == Ending::Faulted);
    CHECK(r.message == "guest fault: page fault (#PF) at compute+0x4 (0x100014): write to 0x8 (null page)");
    REQUIRE(r.fault);
    CHECK(r.fault->vector == 14);
    CHECK(r.fault->error_code == 0x6);
    CHECK(r.fault->address == 0x8);
    CHECK(std::string(r.fault->registers[0].first) == "rax");
    CHECK(r.fault->registers[0].second == 0xa0a0);   // from the frame
    CHECK(std::string(r.fault->registers[6].first) == "rsp");
    CHECK(r.fault->registers[6].second == 0x7ff000); // as the CPU pushed it
}

TEST_CASE("fake backend: a write to the fault report page from anywhere but a stub is a forged report")
{
    FakeSandbox s;
    FakeStep forged = fault_step(s.fake, 13, ElfBuilder::kTextAddr);
    SECTION("from the guest's own code")
    {
        forged.registers->rip = ElfBuilder::kTextAddr + 0x14;
        s.fake.then(forged);
        const RunResult r = s.sandbox.run({"fake"});
        CHECK(r.ending == Ending::Faulted);
        CHECK(r.message == "bad hypercall: the guest wrote to the fault report page itself, at compute+0x4");
        CHECK_FALSE(r.fault);
    }
    SECTION("from another vector's stub")
    {
        forged.registers->rip = cpu::report_rip(14);
        s.fake.then(forged);
        const RunResult r = s.sandbox.run({"fake"});
        CHECK(r.message == "bad hypercall: the guest wrote to the fault report page itself, at 0x40ee");
    }
}

TEST_CASE("fake backend: every other exit ends the run with its own message")
{
    struct Case {
        VcpuExit exit;
        Ending ending;
        const char* message;
    };
    const Case cases[] = {
        {{.reason = Reason::Other, .raw_reason = 99}, Ending::HostError, "unexpected KVM exit reason 99"},
        {{.reason = Reason::FailEntry, .detail = 0x80000021}, Ending::HostError,
         "KVM refused to enter the guest (hardware reason 2147483681)"},
        {{.reason = Reason::InternalError, .detail = 1}, Ending::HostError, "KVM internal error (suberror 1)"},
        {{.reason = Reason::Shutdown}, Ending::Faulted,
         "guest fault: triple fault (the CPU could not deliver an exception)"},
        {{.reason = Reason::Hlt}, Ending::Faulted, "guest fault: unexpected hlt"},
        {{.reason = Reason::Mmio, .size = 8, .address = 0x200000000}, Ending::Faulted,
         "guest fault: read of 8 bytes at guest-physical 0x200000000, which has no memory behind it"},
        {{.reason = Reason::IoOut, .port = 0x80, .size = 1, .value = 0, .count = 1}, Ending::Faulted,
         "bad hypercall: `out` to port 0x80, which is not an hl hypercall port"},
        {{.reason = Reason::IoIn, .port = HL_PORT_BASE, .size = 4, .count = 1}, Ending::Faulted,
         "bad hypercall: `in` from port 0x500: hl ports are write-only"},
    };
    for (const Case& c : cases) {
        FakeSandbox s;
        FakeStep step;
        step.exit = c.exit;
        s.fake.then(step);
        const RunResult r = s.sandbox.run({"fake"});
        INFO(c.message);
        CHECK(r.ending == c.ending);
        CHECK(r.message == c.message);
    }
}

TEST_CASE("fake backend: a script that runs out, or a state it did not save, fails the test loudly")
{
    FakeSandbox s;
    s.fake.then(write_step(s.fake, 1, "x"));
    CHECK_THROWS_WITH(s.sandbox.run({"fake"}), "FakeVcpu::run: the script is empty (run 2)");
    FakeBackend other;
    const std::unique_ptr<Vm> vm = other.make_vm();
    CHECK_THROWS_WITH(other.make_vm(), "FakeBackend::make_vm: one VM per backend");
    vm->map_memory(s.fake.mappings[0].host, s.fake.mappings[0].size);
    std::vector<uint64_t> pages(1);
    CHECK_THROWS_WITH(vm->collect_dirty_pages(pages), "FakeBackend: collect_dirty_pages with the dirty log off");
    CHECK_THROWS_WITH(other.write_as_guest(s.fake.mappings[0].size - 1, std::vector<uint8_t>(2)),
                      "FakeBackend: guest access outside memory");
    const std::unique_ptr<Vcpu> vcpu = vm->create_vcpu();
    CHECK_THROWS_WITH(vcpu->restore_state({.bytes = {1, 2, 3}, .resume_at = GuestAddr{}}, FpuRestore::Load),
                      "FakeBackend::restore_state: a state this fake did not save");
}
