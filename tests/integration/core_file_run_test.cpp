// Core files on real KVM: SandboxOptions::core_file and Sandbox::write_core,
// hlrun --core read by Debian's gdb (frames, locals, globals, the signal), the
// endings that leave one and those that do not, hlrun inspect of a core, and
// the refusals of bad --core paths.
#include "confined_child.hpp"
#include "process.hpp"
#include "../linux/linux_executables.hpp"

#include <hl/abi.h>
#include <hl/core_file.hpp>
#include <hl/sandbox.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

using namespace hl;
using namespace hl::test;

namespace {

// gdb -batch on IMAGE and CORE, running each command; what it printed.
std::string gdb(const std::string& image, const std::string& core, const std::vector<std::string>& commands)
{
    return gdb_batch(commands, {image, core});
}

SandboxOptions quiet_options()
{
    SandboxOptions options;
    options.output = discard;
    return options;
}

} // namespace

TEST_CASE("core files: SandboxOptions::core_file holds the stopped guest, as CoreFile::load reads it back")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string image = guest_image("faults");
    SandboxOptions options = quiet_options();
    options.core_file = dir + "/core";
    Sandbox sandbox(Image::load(image), options);
    const RunResult r = sandbox.run({image, "nested"});
    REQUIRE(r.ending == RunResult::Ending::Faulted);
    CHECK(r.core_file == dir + "/core");
    CHECK(r.core_error.empty());
    CHECK(sandbox.has_core());
    const CoreFile core = CoreFile::load(dir + "/core");
    CHECK(core.ending == "faulted");
    CHECK(core.message == r.message);
    CHECK(core.signal == SIGSEGV);
    CHECK(core.where.rfind("crash_in", 0) == 0);
    CHECK(core.image == image);
    CHECK(core.image_sha256.size() == 64);
    CHECK(core.program == "faults.hl");
    CHECK(core.arguments == image + " nested");
    REQUIRE(r.fault);
    bool rip_seen = false;
    for (const auto& [name, value] : core.registers)
        if (name == "rip") {
            CHECK(value == r.fault->rip);
            rip_seen = true;
        }
    CHECK(rip_seen);
    // The guest's memory, not the machine's: no stubs, no exception stack, no page tables.
    bool has_stack = false;
    for (const CoreFile::Segment& s : core.segments) {
        CHECK(s.address != HL_STUBS_ADDR);
        CHECK(s.address != HL_IST_STACK_ADDR);
        CHECK(s.address + s.size <= sandbox.layout().page_tables_start());
        has_stack = has_stack || s.address + s.size == sandbox.layout().stack_top();
    }
    CHECK(has_stack);
    // Only written pages take room: 16 MiB of memory, a few pages on disk.
    CHECK(std::filesystem::file_size(dir + "/core") > (8u << 20));
    struct stat st {};
    REQUIRE(::stat((dir + "/core").c_str(), &st) == 0);
    CHECK(st.st_blocks * 512 < (1 << 20));
    std::filesystem::remove_all(dir);
}

TEST_CASE("core files: a guest that exits leaves none, and write_core says why")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    SandboxOptions options = quiet_options();
    options.core_file = dir + "/core";
    Sandbox sandbox(Image::load(guest_image("hello")), options);
    const RunResult r = sandbox.run({"hello"});
    REQUIRE(r.ending == RunResult::Ending::Exited);
    CHECK(r.core_file.empty());
    CHECK_FALSE(sandbox.has_core());
    CHECK(std::filesystem::is_empty(dir));
    CHECK_THROWS_WITH(sandbox.write_core(1), "no core file to write: the guest has not stopped on a fault, an abort, a "
                                             "timeout or its exit limit since it last ran or was restored");
    std::filesystem::remove_all(dir);
}

TEST_CASE("core files: one that cannot be written is said in the result, and the run still ends as it did")
{
    HL_REQUIRE_KVM();
    SandboxOptions options = quiet_options();
    options.core_file = "/nonexistent-hl-dir/core";
    Sandbox sandbox(Image::load(guest_image("faults")), options);
    const RunResult r = sandbox.run({"faults", "abort"});
    CHECK(r.ending == RunResult::Ending::Aborted);
    CHECK(r.core_file.empty());
    CHECK(r.core_error == "cannot write the core file /nonexistent-hl-dir/core: No such file or directory");
    CHECK(sandbox.has_core());   // write_core can still put it elsewhere
}

TEST_CASE("core files: a confined thread gets a reason, not a seccomp violation, and write_core still works")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const ChildResult r = in_child([&dir] {
        ChildChecks checks;
        SandboxOptions options = quiet_options();
        options.core_file = dir + "/core";
        Sandbox sandbox(Image::load(guest_image("faults")), options);
        const int fd = ::open((dir + "/made-before").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        confine_this_thread(test_policy());
        const RunResult result = sandbox.run({"faults", "nested"});
        checks.expect(result.ending == RunResult::Ending::Faulted, "the guest faults: " + result.message);
        checks.expect(result.core_error == "cannot write the core file " + dir +
                                               "/core: this thread is confined (hl::confine_this_thread); write it "
                                               "with Sandbox::write_core into a file made before",
                      "core_error: " + result.core_error);
        sandbox.write_core(fd);
        return checks.failures;
    });
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK_FALSE(std::filesystem::exists(dir + "/core"));
    CHECK(CoreFile::load(dir + "/made-before").ending == "faulted");
    std::filesystem::remove_all(dir);
}

TEST_CASE("core files: a call that faults leaves one, until a restore")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    Sandbox sandbox(Image::load(guest_image("functions")), quiet_options());
    REQUIRE(sandbox.initialize().ending == RunResult::Ending::Ready);
    const Snapshot ready = sandbox.snapshot();
    const RunResult r = sandbox.call("crash", {});
    REQUIRE(r.ending == RunResult::Ending::Faulted);
    REQUIRE(sandbox.has_core());
    {
        std::ofstream create(dir + "/core");
    }
    const int fd = ::open((dir + "/core").c_str(), O_WRONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    sandbox.write_core(fd);
    ::close(fd);
    const std::string bt = gdb(guest_image("functions"), dir + "/core", {"bt"});
    INFO(bt);
    CHECK(contains(bt, "Program terminated with signal SIGSEGV"));
    CHECK(contains(bt, "#0  crash"));
    sandbox.restore(ready);
    CHECK_FALSE(sandbox.has_core());
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: gdb shows the faulting frame, its callers, locals, arguments and changed globals")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string image = guest_image("faults");
    const ProcessResult r = hlrun({"--core", dir + "/core", image, "nested"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "hlrun: error: guest fault: page fault (#PF) at crash_in"));
    CHECK(contains(r.err, "hlrun: info: core file written to " + dir + "/core\n"));
    const std::string out = gdb(image, dir + "/core", {"bt", "p local", "p core_global", "up", "p level"});
    INFO(out);
    CHECK(contains(out, "Core was generated by `" + image + " nested'."));
    CHECK(contains(out, "Program terminated with signal SIGSEGV, Segmentation fault."));
    CHECK(contains(out, "#0  0x"));
    CHECK(contains(out, " in crash_in (level=2) at "));
    CHECK(contains(out, "#1  0x"));
    CHECK(contains(out, " in call_crash (level=1) at "));
    CHECK(contains(out, " in main ("));
    CHECK(contains(out, "$1 = 14\n"));   // local = level * 7
    CHECK(contains(out, "$2 = 56\n"));   // 42 in the image, 42 + 14 when it faulted
    CHECK(contains(out, "$3 = 1\n"));    // call_crash's level
    // Nothing but the core is left beside it.
    CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: gdb shows the vector registers at the fault, the whole of ymm too")
{
    HL_REQUIRE_KVM();
    if (!__builtin_cpu_supports("avx"))
        return;   // the guest's vbroadcastsd would be the fault itself
    const std::string dir = make_temp_dir();
    const std::string image = guest_image("faults");
    const ProcessResult r = hlrun({"--core", dir + "/core", image, "vector"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "hlrun: error: guest fault: page fault (#PF) at main"));
    const std::string out = gdb(image, dir + "/core", {"p/x $ymm1.v4_int64", "p/x $xmm1.v2_int64"});
    INFO(out);
    CHECK(contains(out, "$1 = {0x1122334455667788, 0x1122334455667788, 0x1122334455667788, 0x1122334455667788}\n"));
    CHECK(contains(out, "$2 = {0x1122334455667788, 0x1122334455667788}\n"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: an abort, a timeout and the exit limit each leave a core with their signal")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string faults = guest_image("faults");
    SECTION("abort: SIGABRT, in hl_abort called from main")
    {
        CHECK(hlrun({"--core", dir + "/core", faults, "abort"}).status == 126);
        const std::string out = gdb(faults, dir + "/core", {"bt"});
        INFO(out);
        CHECK(contains(out, "Program terminated with signal SIGABRT, Aborted."));
        CHECK(contains(out, "#0  hl_abort ("));
        CHECK(contains(out, " in main ("));
        CHECK(CoreFile::load(dir + "/core").ending == "aborted");
    }
    SECTION("timeout: SIGALRM, where the loop was")
    {
        CHECK(hlrun({"--core", dir + "/core", "--timeout", "100ms", faults, "loop"}).status == 124);
        const std::string out = gdb(faults, dir + "/core", {"bt"});
        INFO(out);
        CHECK(contains(out, "Program terminated with signal SIGALRM, Alarm clock."));
        CHECK(contains(out, "main ("));
        CHECK(CoreFile::load(dir + "/core").ending == "timed out");
    }
    SECTION("exit limit: SIGXCPU, at the guest's first hypercall")
    {
        CHECK(hlrun({"--core", dir + "/core", "--max-exits", "1", guest_image("hello")}).status == 118);
        const std::string out = gdb(guest_image("hello"), dir + "/core", {"bt"});
        INFO(out);
        CHECK(contains(out, "Program terminated with signal SIGXCPU, CPU time limit exceeded."));
        CHECK(contains(out, " main ("));
        CHECK(CoreFile::load(dir + "/core").ending == "exit limit");
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: a Linux executable's abort stops in its libc, not in hl's system call stub")
{
    HL_REQUIRE_KVM();
    HL_REQUIRE_MUSL_GCC();
    const std::string dir = make_temp_dir();
    const std::string program = kLinuxExecutables + "/t_abort";
    CHECK(hlrun({"--core", dir + "/core", program}).status == 126);
    const std::string out = gdb(program, dir + "/core", {"bt 1", "p $pc"});
    INFO(out);
    CHECK(contains(out, "Program terminated with signal SIGABRT, Aborted."));
    CHECK(contains(out, " in raise ()"));
    CHECK(contains(out, "<raise+"));
    // Another signal the guest sends itself is the core's signal.
    CHECK(hlrun({"--core", dir + "/core", program, "segv"}).status == 126);
    CHECK(contains(gdb(program, dir + "/core", {"bt 1"}), "Program terminated with signal SIGSEGV"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: a guest that exits writes none and leaves a file already there untouched")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    CHECK(hlrun({"--core", dir + "/core", guest_image("hello")}).status == 0);
    CHECK(std::filesystem::is_empty(dir));
    write_file(dir + "/core", "an earlier core");
    const ProcessResult r = hlrun({"--core", dir + "/core", guest_image("hello")});
    CHECK(r.status == 0);
    CHECK_FALSE(contains(r.err, "core file"));
    CHECK(read_file(dir + "/core") == "an earlier core");
    CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: a large guest's core costs what the guest wrote, not its memory size")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    // A fresh call maps its memory from the snapshot of initialisation:
    // looking at every page of 1 GiB would take 1 GiB of host memory.
    const ProcessResult r =
        hlrun({"call", "--fresh", "-m", "1Gi", "--core", dir + "/core", guest_image("functions"), "crash"});
    CHECK(r.status == 125);
    CHECK(r.max_rss_kib < 256 * 1024);
    CHECK(contains(gdb(guest_image("functions"), dir + "/core", {"bt"}), "#0  crash"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: a signal to hlrun's whole process group leaves no file behind")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    // timeout(1) signals the group it runs hlrun in, the keeper too unless it left it.
    const ProcessResult r = run_process({"/usr/bin/timeout", "1", HL_HLRUN, "--core", dir + "/core",
                                         guest_image("faults"), "loop"});
    CHECK(r.status == 124);
    for (int i = 0; i < 100 && !std::filesystem::is_empty(dir); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: an hlrun that is killed leaves no file behind")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    // The loop never ends: the harness kills hlrun (SIGKILL) after its timeout.
    const ProcessResult r = hlrun({"--core", dir + "/core", guest_image("faults"), "loop"},
                                  {.timeout = std::chrono::seconds(1)});
    CHECK(r.timed_out);
    // The keeper saw hlrun go and removed the file it had prepared; give it a moment.
    for (int i = 0; i < 100 && !std::filesystem::is_empty(dir); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun call --core: a call that faults leaves a core gdb reads")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string image = guest_image("functions");
    const ProcessResult r = hlrun({"call", "--core", dir + "/core", image, "crash"});
    CHECK(r.status == 125);
    CHECK(contains(r.err, "hlrun: info: core file written to " + dir + "/core\n"));
    const std::string out = gdb(image, dir + "/core", {"bt"});
    INFO(out);
    CHECK(contains(out, "#0  crash"));
    // A call that returns writes none.
    std::filesystem::remove(dir + "/core");
    CHECK(hlrun({"call", "--core", dir + "/core", image, "add", "1", "2"}).out == "3\n");
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun --core: a path that cannot be a core file is refused before the guest runs")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string image = guest_image("faults");
    ProcessResult r = hlrun({"--core", image, image, "nested"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --core: " + image + " is " + image + " itself; choose another file\n");
    r = hlrun({"--core", dir + "/missing/core", image, "nested"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --core: cannot write " + dir + "/missing/core: No such file or directory\n");
    r = hlrun({"call", "--core", dir, guest_image("functions"), "crash"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --core: cannot write " + dir + ": it is a directory\n");
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}

TEST_CASE("hlrun inspect: a core file says which image stopped, how, where and with what memory")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string image = guest_image("faults");
    REQUIRE(hlrun({"--core", dir + "/core", image, "nested"}).status == 125);
    ProcessResult r = hlrun({"inspect", dir + "/core"});
    REQUIRE(r.status == 0);
    const auto text = lines(r.out);
    REQUIRE(text.size() > 10);
    CHECK(text[0] == "core        " + dir + "/core");
    CHECK(text[1] == "image       " + image);
    CHECK(text[2].rfind("sha256      ", 0) == 0);
    CHECK(text[3].rfind("stopped     faulted: guest fault: page fault (#PF) at crash_in", 0) == 0);
    CHECK(text[4].rfind("at          crash_in", 0) == 0);
    CHECK(text[5] == "signal      SIGSEGV (11)");
    CHECK(text[6] == "arguments   " + image + " nested");
    CHECK(text[8].rfind("registers   rax=", 0) == 0);
    CHECK(text[9] == "segments");
    r = hlrun({"inspect", "--json", dir + "/core"});
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, R"j("ending":"faulted")j"));
    CHECK(contains(r.out, R"j("signal":11,"signal_name":"SIGSEGV")j"));
    CHECK(contains(r.out, R"j("program":"faults.hl")j"));
    CHECK(contains(r.out, R"j("permissions":"rw-")j"));

    // A core of another machine: one line naming the file and the field.
    std::fstream file(dir + "/core", std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(18);   // e_machine
    file.put(static_cast<char>(183)).put(0);
    file.close();
    r = hlrun({"inspect", dir + "/core"});
    CHECK(r.status == 122);
    CHECK(r.err == "hlrun: error: " + dir + "/core: e_machine is 183, expected 62, this host's\n");
    std::filesystem::remove_all(dir);
}
