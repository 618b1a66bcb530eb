// hlrun as a process: what a user sees on stdout, stderr and in $?.
#include "process.hpp"
#include "../linux/linux_executables.hpp"

#include <hl/image.hpp>
#include <hl/layout.hpp>

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

using namespace hl::test;

namespace {

// hlrun's own diagnostics: exactly one line, "hlrun: error: ...".
void check_one_error_line(const ProcessResult& r, const std::string& message)
{
    INFO("stderr: " << r.err);
    CHECK(r.err == "hlrun: error: " + message + "\n");
}

} // namespace

TEST_CASE("hlrun passes arguments to the guest and its output through")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("hello");
    const auto r = hlrun({image, "a", "b c"});
    CHECK(r.status == 0);
    CHECK(r.out == "argc=3\nargv[0]=" + image + "\nargv[1]=a\nargv[2]=b c\n");
    CHECK(r.err == "to stderr\n");
}

TEST_CASE("hlrun reads an image from a pipe, past what one read returns")
{
    HL_REQUIRE_KVM();
    const std::string image = read_file(guest_image("hello"));
    REQUIRE(image.size() > 65536);   // more than a pipe holds: read as it arrives, grown as it goes
    int ends[2];
    REQUIRE(pipe2(ends, O_CLOEXEC) == 0);
    std::thread writer([&] {
        for (size_t done = 0; done < image.size();) {
            const ssize_t n = write(ends[1], image.data() + done, image.size() - done);
            if (n <= 0)
                break;
            done += static_cast<size_t>(n);
        }
        close(ends[1]);
    });
    const ProcessResult r = hlrun({"/dev/stdin"}, {.stdin_fd = ends[0]});
    writer.join();
    close(ends[0]);
    CHECK(r.status == 0);
    CHECK(r.out.find("argv[0]=/dev/stdin\n") != std::string::npos);
}

TEST_CASE("hlrun gives every word after IMAGE to the guest, dashes included")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({guest_image("hello"), "--trace", "-m", "--", "--help"});
    CHECK(r.status == 0);
    CHECK(r.out.find("argv[1]=--trace\nargv[2]=-m\nargv[3]=--\nargv[4]=--help\n") != std::string::npos);
    CHECK(r.err == "to stderr\n");
}

TEST_CASE("hlrun takes -- as the end of its options")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({"--", guest_image("hello"), "z"});
    CHECK(r.status == 0);
    CHECK(r.out.find("argv[1]=z\n") != std::string::npos);
}

TEST_CASE("hlrun exits with the guest's exit status")
{
    HL_REQUIRE_KVM();
    CHECK(hlrun({guest_image("hello"), "--exit", "42"}).status == 42);
    CHECK(hlrun({guest_image("hello"), "--exit", "0"}).status == 0);
    CHECK(hlrun({guest_image("hello"), "--exit", "300"}).status == (300 & 255));
}

TEST_CASE("hlrun runs an image built for ABI version 1, before the boot info had flags")
{
    HL_REQUIRE_KVM();
    // The hello guest as hl built it before version 2, kept with the fuzz seeds.
    const std::string image = std::string(HL_TEST_SOURCE_DIR) + "/fuzz/corpus/image/guest-hello.hl";
    REQUIRE(hl::Image::load(image).note().abi_version == 1);
    const auto r = hlrun({image, "old"});
    CHECK(r.status == 0);
    CHECK(r.out == "argc=2\nargv[0]=" + image + "\nargv[1]=old\n");
    CHECK(r.err == "to stderr\n");
}

TEST_CASE("hlrun --trace prints one line per exit on stderr, never on stdout")
{
    HL_REQUIRE_KVM();
    const auto plain = hlrun({guest_image("hello"), "x"});
    const auto traced = hlrun({"--trace", guest_image("hello"), "x"});
    CHECK(traced.status == 0);
    CHECK(traced.out == plain.out);
    std::vector<std::string> trace;
    for (const std::string& line : lines(traced.err))
        if (!line.empty() && line[0] == '#')
            trace.push_back(line);
    // stdout is a pipe, so hello writes stderr's line, then its stdout lines
    // in one block at exit, then exits.
    REQUIRE(trace.size() == 3);
    for (size_t i = 0; i < trace.size(); ++i) {
        INFO(trace[i]);
        CHECK(trace[i].rfind("#" + std::to_string(i + 1) + " ", 0) == 0);
        CHECK(trace[i].find("io-out") != std::string::npos);
    }
    CHECK(trace[0].find("write(fd=2, buf=0x") != std::string::npos);
    CHECK(trace[0].find(", len=10) = 10") != std::string::npos);        // "to stderr\n"
    CHECK(trace[0].find("hl_write+0x") != std::string::npos);            // symbolized RIP
    CHECK(trace[1].find("write(fd=1,") != std::string::npos);
    CHECK(trace[1].find(", len=" + std::to_string(plain.out.size()) + ") = ") != std::string::npos);
    CHECK(trace.back().find("exit(status=0)  guest exited with status 0") != std::string::npos);
}

TEST_CASE("hlrun reports each guest fault with its kind and exits 125")
{
    HL_REQUIRE_KVM();
    const std::string image = guest_image("faults");
    struct Case {
        const char* what;
        const char* message_part;
    };
    const Case cases[] = {
        {"null-write", "guest fault: page fault (#PF) at main+"},
        {"write-text", "write to 0x100"},
        {"write-rodata", "(image segment 1: read-only, not executable)"},
        {"exec-stack", "(stack: read-write, not executable)"},
        {"ud2", "guest fault: invalid opcode (#UD) at main+"},
        {"div0", "guest fault: divide error (#DE) at main+"},
        {"stack-overflow", "(stack guard page: stack overflow)"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const auto r = hlrun({image, c.what});
        CHECK(r.status == 125);
        CHECK(r.err.rfind("hlrun: error: guest fault: ", 0) == 0);
        CHECK(r.err.find(c.message_part) != std::string::npos);
        CHECK(lines(r.err).size() == 1);
    }
    const auto null_write = hlrun({image, "null-write"});
    CHECK(null_write.err.find("write to 0x0 (null page)") != std::string::npos);
    const auto text = hlrun({image, "write-text"});
    CHECK(text.err.find("(image segment 0: read-only, executable)") != std::string::npos);
    const auto exec = hlrun({image, "exec-stack"});
    CHECK(exec.err.find(": execute at 0x") != std::string::npos);
}

TEST_CASE("hlrun: a 300 KiB stack frame faults on the stack guard page, not past it (stack-clash protection)")
{
    HL_REQUIRE_KVM();
    const std::string path = guest_image("faults");
    const hl::Image image = hl::Image::load(path);
    const uint64_t memory = uint64_t{16} << 20; // hlrun's default
    const hl::Layout layout = hl::Layout::compute(image.segments(), image.note(), memory);
    const uint64_t guard = layout.stack_top() - layout.stack_size() - HL_PAGE_SIZE;
    const auto symbol = std::find_if(image.symbols().begin(), image.symbols().end(),
                                     [](const hl::Symbol& s) { return s.name == "stack_clash"; });
    REQUIRE(symbol != image.symbols().end());

    // The only store stack_clash's body makes is to the bottom of its 300 KiB
    // frame, in the heap: far below the guard page. So a fault inside
    // stack_clash at an address in the guard page comes from the page-by-page
    // probes of -fstack-clash-protection, made on the way down. Where exactly
    // the probe sits depends on the compiler: the offset and the two addresses
    // are checked, the rest of the line is exact.
    const auto r = hlrun({path, "stack-clash"});
    CHECK(r.status == 125);
    const std::regex line(R"(hlrun: error: guest fault: page fault \(#PF\) at stack_clash\+(0x[0-9a-f]+) )"
                          R"(\((0x[0-9a-f]+)\): write to (0x[0-9a-f]+) \(stack guard page: stack overflow\)\n)");
    std::smatch m;
    INFO("stderr: " << r.err);
    REQUIRE(std::regex_match(r.err, m, line));
    const uint64_t offset = std::stoull(m[1], nullptr, 16), rip = std::stoull(m[2], nullptr, 16);
    const uint64_t address = std::stoull(m[3], nullptr, 16);
    CHECK(offset < symbol->size);
    CHECK(rip == symbol->address + offset);
    CHECK(address >= guard);
    CHECK(address < guard + HL_PAGE_SIZE);

    // Without the probes the frame's prologue is one subtraction from %rsp,
    // and the store lands in the heap, mapped read-write: no fault at all.
    // The guest does exactly that in assembly and says where its store went.
    const auto unprobed = hlrun({path, "stack-clash-unprobed"});
    CHECK(unprobed.status == 3);
    CHECK(unprobed.err == "faults: stack-clash-unprobed stored in the heap, past the stack guard page\n"
                          "faults: stack-clash-unprobed did not fault\n");
}

TEST_CASE("hlrun -v adds the faulting guest's registers")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({"-v", guest_image("faults"), "ud2"});
    CHECK(r.status == 125);
    const auto err = lines(r.err);
    REQUIRE(err.size() == 2);
    CHECK(err[1].rfind("hlrun: debug: registers: rax=0x", 0) == 0);
    CHECK(err[1].find(" rip=0x100") != std::string::npos);
}

TEST_CASE("hlrun stops an endless guest at --timeout and exits 124")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({"--timeout", "300ms", guest_image("faults"), "loop"});
    CHECK_FALSE(r.timed_out);
    CHECK(r.status == 124);
    check_one_error_line(r, "guest timed out after 300ms");
}

TEST_CASE("hlrun reports a guest abort and exits 126")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({guest_image("faults"), "abort"});
    CHECK(r.status == 126);
    check_one_error_line(r, "guest aborted: the guest gave up");
}

TEST_CASE("hlrun refuses missing and unreadable images with 121")
{
    const auto missing = hlrun({"/nonexistent/x.hl"});
    CHECK(missing.status == 121);
    check_one_error_line(missing, "/nonexistent/x.hl: cannot read: No such file or directory");
    const auto directory = hlrun({"/tmp"});
    CHECK(directory.status == 121);
    check_one_error_line(directory, "/tmp: cannot read: Is a directory");
}

TEST_CASE("hlrun refuses files that are not hl images with 122")
{
    const std::string dir = make_temp_dir();
    write_file(dir + "/text.hl", "just some text\n");
    auto r = hlrun({dir + "/text.hl"});
    CHECK(r.status == 122);
    check_one_error_line(r, dir + "/text.hl: e_ident: not an ELF file, expected magic 7f 45 4c 46");

    r = hlrun({"/bin/ls"});
    CHECK(r.status == 122);
    check_one_error_line(r, "/bin/ls: program header 1 (PT_INTERP): a dynamically linked executable (it asks for "
                            "a dynamic loader), expected a static executable (link with musl-gcc -static, or hlbuild)");

    // A 32-bit ELF header: class ELFCLASS32.
    std::string elf32(52, '\0');
    elf32.replace(0, 7, "\x7f" "ELF\x01\x01\x01");
    write_file(dir + "/elf32.hl", elf32);
    r = hlrun({dir + "/elf32.hl"});
    CHECK(r.status == 122);
    check_one_error_line(r, dir + "/elf32.hl: e_ident[EI_CLASS]: 32-bit ELF (ELFCLASS32), expected ELFCLASS64");

    // A real image cut short.
    const std::string whole = read_file(guest_image("hello"));
    write_file(dir + "/truncated.hl", whole.substr(0, 100));
    r = hlrun({dir + "/truncated.hl"});
    CHECK(r.status == 122);
    CHECK(r.err.rfind("hlrun: error: " + dir + "/truncated.hl: ", 0) == 0);
    CHECK(lines(r.err).size() == 1);
    // An endless file is refused, not read forever.
    r = hlrun({"/dev/zero"});
    CHECK(r.status == 122);
    check_one_error_line(r, "/dev/zero: file size: more than 256Mi, expected an hl image of at most 256Mi");
    write_file(dir + "/empty.hl", "");
    r = hlrun({dir + "/empty.hl"});
    CHECK(r.status == 122);
    check_one_error_line(r, dir + "/empty.hl: e_ident: not an ELF file (empty), expected magic 7f 45 4c 46");
}

TEST_CASE("hlrun refuses a static glibc executable with 122 and one line, and runs a static musl one")
{
    HL_REQUIRE_MUSL_GCC();
    // The kinds hl will never run are refused by the image rules, before KVM.
    const std::string glibc = kLinuxExecutables + "/hello-glibc-static";
    auto r = hlrun({glibc});
    CHECK(r.status == 122);
    CHECK(lines(r.err).size() == 1);
    CHECK(r.err.rfind("hlrun: error: " + glibc + ": note: an NT_GNU_ABI_TAG note in program header ", 0) == 0);
    HL_REQUIRE_KVM();
    const std::string musl = kLinuxExecutables + "/hello-musl";
    r = hlrun({musl, "a", "b"});
    CHECK(r.status == 3);
    CHECK(r.out == "hello from " + musl + " with 2 arguments\n");
    CHECK(r.err.empty());
}

TEST_CASE("hlrun gives its stdin to an hl guest: fgets, getchar and the end of the input")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    std::string text = "one\ntwo\n" + std::string(10000, 'x') + "\nlast without newline";
    write_file(dir + "/in", text);
    const int fd = open((dir + "/in").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    const ProcessResult r = hlrun({guest_image("libc"), "cat"}, ProcessOptions{.stdin_fd = fd});
    close(fd);
    CHECK(r.status == 0);
    // 10,000 x's in 63-byte pieces: 158 full ones and one of 47 with the newline.
    CHECK(r.out == text + "cat: 162 pieces, " + std::to_string(text.size()) + " bytes, eof 1, error 0, then -1\n");
    // No stdin at all (the default of run_process: /dev/null) is an empty input.
    CHECK(hlrun({guest_image("libc"), "cat"}).out == "cat: 0 pieces, 0 bytes, eof 1, error 0, then -1\n");
}

TEST_CASE("hlrun refuses every image of the malformed-image corpus with 122 and one line naming it")
{
    // tests/images/expected.tsv: FILE, a tab, the message after "PATH: " (see make_corpus.cpp).
    const std::string dir = std::string(HL_TEST_SOURCE_DIR) + "/images/";
    std::ifstream manifest(dir + "expected.tsv");
    REQUIRE(manifest.good());
#if defined(HL_ASAN)
    // A sanitized hlrun takes a third of a second to start, and the unit
    // tests (image corpus) load every file under the sanitizers in-process:
    // here every eighth image checks the command's side.
    constexpr int kEvery = 8;
#else
    constexpr int kEvery = 1;
#endif
    int refused = 0, rows = 0;
    for (std::string line; std::getline(manifest, line);) {
        const size_t tab = line.find('\t');
        if (line.empty() || line[0] == '#' || tab == std::string::npos || line.compare(tab + 1, 9, "(accepted") == 0)
            continue;
        if (rows++ % kEvery != 0)
            continue;
        INFO(line);
        const std::string path = dir + line.substr(0, tab);
        const auto r = hlrun({path});
        CHECK(r.status == 122);
        CHECK(r.out.empty());
        check_one_error_line(r, path + ": " + line.substr(tab + 1));
        ++refused;
    }
    CHECK(refused >= 150 / kEvery);
}

TEST_CASE("hlrun usage errors exit 120 with one line")
{
    auto r = hlrun({});
    CHECK(r.status == 120);
    check_one_error_line(r, "missing IMAGE; usage: hlrun [OPTIONS] IMAGE [ARGS...]");
    r = hlrun({"--memory", "lots", guest_image("hello")});
    CHECK(r.status == 120);
    check_one_error_line(r, "--memory: 'lots' is not a size, expected a number with an optional unit like 64Mi or 512Ki");
    r = hlrun({"--timeout", "0", guest_image("hello")});
    CHECK(r.status == 120);
    check_one_error_line(r, "--timeout: '0' is not a duration, expected a positive number with a unit like 500ms, 5s or 2m");
    r = hlrun({"--bogus", guest_image("hello")});
    CHECK(r.status == 120);
    check_one_error_line(r, "unknown option '--bogus'; see hlrun --help (use -- before an IMAGE whose name starts "
                            "with '-')");
    r = hlrun({"--memory"});
    CHECK(r.status == 120);
    CHECK(lines(r.err).size() == 1);
}

TEST_CASE("hlrun refuses memory sizes that cannot hold the image, with 120")
{
    HL_REQUIRE_KVM();
    auto r = hlrun({"--memory", "1Mi", guest_image("hello")});
    CHECK(r.status == 120);
    check_one_error_line(r, "memory size 1Mi is out of range, expected 2Mi to 4Gi");
    r = hlrun({"--memory", "2Mi", guest_image("libc")});
    CHECK(r.status == 120);
    CHECK(r.err.rfind("hlrun: error: memory size 2Mi is too small for this image: ", 0) == 0);
}

TEST_CASE("hlrun takes HL_MEMORY and HL_TIMEOUT from the environment, flags first")
{
    HL_REQUIRE_KVM();
    setenv("HL_TIMEOUT", "200ms", 1);
    auto r = hlrun({guest_image("faults"), "loop"});
    CHECK(r.status == 124);
    check_one_error_line(r, "guest timed out after 200ms");
    r = hlrun({"--timeout", "250ms", guest_image("faults"), "loop"});
    check_one_error_line(r, "guest timed out after 250ms");
    unsetenv("HL_TIMEOUT");
    setenv("HL_MEMORY", "nonsense", 1);
    r = hlrun({guest_image("hello")});
    CHECK(r.status == 120);
    check_one_error_line(r, "HL_MEMORY: 'nonsense' is not a size, expected a number with an optional unit like 64Mi "
                            "or 512Ki");
    r = hlrun({"--memory", "32Mi", guest_image("hello")});
    CHECK(r.status == 0);
    unsetenv("HL_MEMORY");
}

TEST_CASE("the libc guest passes all its checks inside a VM")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({guest_image("libc")});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("printf: The answer is 42, hex 2a, str 'ok'\n") != std::string::npos);
    CHECK(r.out.find(" checks, 0 failed\n") != std::string::npos);
    // The allocator is checked against the real heap size whatever the memory.
    CHECK(hlrun({"--memory", "6Mi", guest_image("libc"), "malloc"}).status == 0);
}

TEST_CASE("guest abort(), a failed assert and exit() reach hlrun as they should")
{
    HL_REQUIRE_KVM();
    auto r = hlrun({guest_image("libc"), "abort"});
    CHECK(r.status == 126);
    check_one_error_line(r, "guest aborted: abort() called");
    r = hlrun({guest_image("libc"), "assert"});
    CHECK(r.status == 126);
    CHECK(r.err.rfind("hlrun: error: guest aborted: Assertion failed: 1 == 2 (", 0) == 0);
    CHECK(r.err.find("main.c:") != std::string::npos);
    r = hlrun({guest_image("libc"), "destructor"});
    CHECK(r.status == 0);
    CHECK(r.out == "main\ndestructor 1\ndestructor 2\n");
    r = hlrun({guest_image("libc"), "exit7"});
    CHECK(r.status == 7);
    CHECK(r.out == "bye"); // exit() flushed stdout, which had no newline
}

TEST_CASE("the tiny libc's printf stops at a conversion it leaves out, rather than print it wrong")
{
    HL_REQUIRE_KVM();
    auto r = hlrun({guest_image("libc"), "float"});
    CHECK(r.status == 126);
    check_one_error_line(r, "guest aborted: printf: %1.17g needs floating point, which hl's tiny libc leaves out; "
                            "build with libc = \"musl\"");
    CHECK(r.out == "half: "); // what came before is kept
    r = hlrun({guest_image("libc"), "wide"});
    CHECK(r.status == 126);
    check_one_error_line(r, "guest aborted: printf: %-3ls needs wide characters, which hl's tiny libc leaves out; "
                            "build with libc = \"musl\"");
}
