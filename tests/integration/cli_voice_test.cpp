// The CLIs' voice: what --help and --version say for every command, usage
// errors in hl's words, with the nearest known word when a slip made them
// ("did you mean"), never CLI11's own texts; and hlrun doctor.
#include "process.hpp"

#include <hl/version.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include <catch2/catch.hpp>

using namespace hl::test;

namespace {

const std::string kVersion = std::string(" ") + HL_VERSION + "\n";

} // namespace

TEST_CASE("cli: hlrun --help names every command, and each command its own usage")
{
    ProcessResult r = hlrun({"--help"});
    REQUIRE(r.status == 0);
    CHECK(contains(r.out, "Usage: hlrun [OPTIONS] IMAGE [ARGS...]\n"
                          "       hlrun call|inspect|snapshot|serve|doctor|completions ...  (hlrun COMMAND --help)\n"));
    for (const char* command : {"  call      ", "  inspect   ", "  snapshot  ", "  serve     ", "  doctor    "})
        CHECK(contains(r.out, command));
    r = hlrun({"call", "--help"});
    CHECK(contains(r.out, "Usage: hlrun call [OPTIONS] IMAGE|SNAPSHOT FUNCTION [ARGS...]\n"));
    r = hlrun({"inspect", "--help"});
    CHECK(contains(r.out, "Usage: hlrun inspect [--json | --exports] IMAGE|SNAPSHOT|CORE\n"));
    r = hlbuild({"--help"});
    CHECK(contains(r.out, "Usage: hlbuild new|init|compile|run|clean|completions ...  (hlbuild COMMAND --help)\n"));
    CHECK(contains(r.out, "  new "));
    CHECK(contains(r.out, "  compile "));
    r = hlbuild({"compile", "--help"});
    CHECK(contains(r.out, "Usage: hlbuild compile [-v] [-j N] [--target T] [--build-dir DIR] [-o IMAGE] [PROJECT]\n"));
}

TEST_CASE("cli: --version works on every command")
{
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--version"}, {"call", "--version"}, {"inspect", "--version"}, {"snapshot", "--version"},
             {"serve", "--version"}, {"doctor", "--version"}}) {
        const ProcessResult r = hlrun(args);
        CHECK(r.status == 0);
        CHECK(r.out == "hlrun" + kVersion);
    }
    for (const auto& args : std::vector<std::vector<std::string>>{{"--version"}, {"new", "--version"}, {"compile", "--version"}}) {
        const ProcessResult r = hlbuild(args);
        CHECK(r.status == 0);
        CHECK(r.out == "hlbuild" + kVersion);
    }
}

TEST_CASE("cli: an unknown option names the nearest known one, for every command")
{
    ProcessResult r = hlrun({"--memroy", "1Mi", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: unknown option '--memroy' (did you mean --memory?); see hlrun --help (use -- "
                   "before an IMAGE whose name starts with '-')\n");
    r = hlrun({"call", "--fersh", guest_image("functions"), "add", "1", "2"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: unknown option '--fersh' (did you mean --fresh?); see hlrun call --help\n");
    r = hlrun({"inspect", "--jsn", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: unknown option '--jsn' (did you mean --json?); see hlrun inspect --help\n");
    r = hlrun({"inspect", "--bogus", guest_image("hello")});
    CHECK(r.err == "hlrun: error: unknown option '--bogus'; see hlrun inspect --help\n");
    r = hlrun({"serve", "--wokers", "2", guest_image("functions")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: unknown option '--wokers' (did you mean --workers?); see hlrun serve --help\n");
    r = hlbuild({"compile", "--verbos"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: unknown option '--verbos' (did you mean --verbose?); see hlbuild compile --help\n");
    r = hlbuild({"new", "a", "b"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: unexpected argument 'b'; see hlbuild new --help\n");
}

TEST_CASE("cli: an option twice, a flag given a value, an option before its command, and where a slip explains the rest")
{
    const std::string image = guest_image("hello");
    ProcessResult r = hlrun({"-m", "4Mi", "-m", "8Mi", image});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --memory: given more than once; see hlrun --help\n");
    r = hlrun({"inspect", "--json=maybe", image});
    CHECK(r.err == "hlrun: error: --json: 'maybe' is not a value it takes; see hlrun inspect --help\n");
    r = hlrun({"--memroy=4Mi", image});
    CHECK(r.err == "hlrun: error: unknown option '--memroy=4Mi' (did you mean --memory?); see hlrun --help (use -- "
                   "before an IMAGE whose name starts with '-')\n");
    r = hlrun({"--stats=JSON", image});
    CHECK(r.err == "hlrun: error: --stats: 'JSON' is not text, json, text:FILE or json:FILE (did you mean json?); see hlrun "
                   "--help\n");
    // The unknown option, not the required one it hid.
    r = hlrun({"snapshot", "--outptu", "x", image});
    CHECK(r.err == "hlrun: error: unknown option '--outptu' (did you mean --output?); see hlrun snapshot --help\n");
    r = hlbuild({"-j", "4", "compile"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: '-j' is an option of hlbuild compile: put it after the command (hlbuild compile "
                   "-j ...); see hlbuild --help\n");
    r = hlbuild({"--versoin"});
    CHECK(r.err == "hlbuild: error: unknown option '--versoin' (did you mean --version?); see hlbuild --help\n");
    r = hlbuild({"compile", "-j", "2", "-j", "3"});
    CHECK(r.err == "hlbuild: error: --jobs: given more than once; see hlbuild compile --help\n");
}

TEST_CASE("cli: a missing IMAGE gets no hint where the word is surely a file name or the image")
{
    const std::string dir = make_temp_dir();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"snapshot.hl"}, {"--", "cal"}, {"--trace", "apl.hl"}, {"--trace", "out.txt", "missing.hl"}}) {
        const ProcessResult r = hlrun(args, {.cwd = dir});
        CHECK(r.status == 121);
        CHECK_FALSE(contains(r.err, "did you mean"));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("cli: a command that is not one, or none, is named with the nearest and what there is")
{
    ProcessResult r = hlbuild({"comple"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: unknown command 'comple' (did you mean compile?); expected new, init, compile, run, clean "
                   "or completions; see hlbuild --help\n");
    r = hlbuild({"deploy"});
    CHECK(r.err == "hlbuild: error: unknown command 'deploy'; expected new, init, compile, run, clean or completions; "
                   "see hlbuild --help\n");
    r = hlbuild({});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: missing command: new, init, compile, run, clean or completions; see hlbuild --help\n");
    // hlrun's first word is an IMAGE unless it is a command: one that is not there, near a command's name.
    const std::string dir = make_temp_dir();
    r = hlrun({"cal", guest_image("functions"), "add", "1", "2"}, {.cwd = dir});
    CHECK(r.status == 121);
    CHECK(r.err == "hlrun: error: cal: cannot read: No such file or directory (did you mean hlrun call?)\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("cli: a value given to a bare --trace, --stats or --gdb as the next word is pointed to '='")
{
    const std::string dir = make_temp_dir();
    const std::string image = guest_image("hello");
    ProcessResult r = hlrun({"--trace", "all", image}, {.cwd = dir});
    CHECK(r.status == 121);
    CHECK(r.err == "hlrun: error: all: cannot read: No such file or directory (did you mean --trace=all?)\n");
    r = hlrun({"-m", "4Mi", "--stats", "json", image}, {.cwd = dir});
    CHECK(r.err == "hlrun: error: json: cannot read: No such file or directory (did you mean --stats=json?)\n");
    r = hlrun({"--gdb", "127.0.0.1:5", image}, {.cwd = dir});
    CHECK(r.err ==
          "hlrun: error: 127.0.0.1:5: cannot read: No such file or directory (did you mean --gdb=127.0.0.1:5?)\n");
    // Without such a slip, the plain message.
    r = hlrun({"nothing-here"}, {.cwd = dir});
    CHECK(r.err == "hlrun: error: nothing-here: cannot read: No such file or directory\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("cli: values refused in hl's words, naming the value")
{
    ProcessResult r = hlrun({"--memory"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --memory: needs a value; see hlrun --help\n");
    r = hlrun({"--profile", "/tmp/p", "--profile-hz", "lots", guest_image("hello")});
    CHECK(r.err == "hlrun: error: --profile-hz: 'lots' is not a whole number from 1 to 10000; see hlrun --help\n");
    r = hlrun({"--stats=jsn", guest_image("hello")});
    CHECK(r.err == "hlrun: error: --stats: 'jsn' is not text, json, text:FILE or json:FILE (did you mean json?); see hlrun "
                   "--help\n");
    r = hlrun({"--trace-format", "xml", guest_image("hello")});
    CHECK(r.err == "hlrun: error: --trace-format: 'xml' is not text, jsonl or chrome; see hlrun --help\n");
    r = hlrun({"call", "-n", "0", guest_image("functions"), "add", "1", "2"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --repeat: '0' is not a whole number from 1 up; see hlrun call --help\n");
    r = hlrun({"serve", "--workers", "0", guest_image("functions")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --workers: '0' is not a whole number from 1 to 4096; see hlrun serve --help\n");
    r = hlrun({"serve", "--listen"});
    CHECK(r.err == "hlrun: error: --listen: needs a value; see hlrun serve --help\n");
    r = hlbuild({"new"});
    CHECK(r.err == "hlbuild: error: missing NAME; see hlbuild new --help\n");
    r = hlrun({"snapshot", guest_image("functions")});
    CHECK(r.err == "hlrun: error: missing --output; see hlrun snapshot --help\n");
    r = hlbuild({"new", "--template"});
    CHECK(r.err == "hlbuild: error: --template: needs a value; see hlbuild new --help\n");
    for (const ProcessResult& any : {hlrun({"--memory"}), hlrun({"call", "-n", "x", "i", "f"}), hlbuild({"new"})}) {
        CHECK_FALSE(contains(any.err, "required"));
        CHECK_FALSE(contains(any.err, "Could not convert"));
        CHECK_FALSE(contains(any.err, "not in range"));
    }
}

TEST_CASE("cli: hlrun call --stats takes the shapes of a run's, --stats=json one JSON object")
{
    HL_REQUIRE_KVM();
    ProcessResult r = hlrun({"call", "--stats=json", "-n", "3", guest_image("functions"), "add", "1", "2"});
    REQUIRE(r.status == 0);
    CHECK(r.out == "3\n");
    const auto stats = nlohmann::json::parse(r.err);
    CHECK(stats["schema"] == "hl-call-stats/1");
    CHECK(stats["function"] == "add");
    CHECK(stats["calls"] == 3);
    CHECK(stats["fresh"] == false);
    CHECK(stats["min_us"].get<double>() <= stats["max_us"].get<double>());
    r = hlrun({"call", "--stats", guest_image("functions"), "add", "1", "2"});
    REQUIRE(r.status == 0);
    CHECK(r.err.rfind("1 calls: min ", 0) == 0);
    r = hlrun({"call", "--stats=yaml", guest_image("functions"), "add", "1", "2"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --stats: 'yaml' is not text, json, text:FILE or json:FILE; see hlrun call --help\n");
}

TEST_CASE("hlrun doctor: a line a check, status 0 where hl runs, 1 with the fix where /dev/kvm is closed")
{
    HL_REQUIRE_KVM();
    ProcessResult r = hlrun({"doctor"});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    std::vector<std::string> names;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        INFO(line);
        CHECK((line.rfind("ok    ", 0) == 0 || line.rfind("warn  ", 0) == 0));
        names.push_back(line.substr(6, line.find(' ', 6) - 6));
    }
    CHECK(names == std::vector<std::string>{"kvm-device", "kvm-api", "kvm-capabilities", "guest-cpu", "hypervisor",
                                            "trace-all", "seccomp", "open-files"});
    CHECK(contains(r.out, "ok    kvm-api           KVM API version 12\n"));
    // Checks that cannot be written are an error, not a silent success.
    const int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
    REQUIRE(full >= 0);
    r = hlrun({"doctor"}, {.stdout_fd = full});
    close(full);
    CHECK(r.status == 123);
    CHECK(contains(r.err, "hlrun: error: cannot write the checks to standard output: No space left on device"));
    r = hlrun({"doctor", "extra"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: unexpected argument 'extra'; see hlrun doctor --help\n");
    // As a user who may not open the device (root's tests only: they can become one).
    if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0)
        return;
    struct stat device {};
    REQUIRE(stat("/dev/kvm", &device) == 0);
    if ((device.st_mode & 0007) == 0006)
        return;   // everyone may open it here
    r = run_process({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", HL_HLRUN, "doctor"});
    CHECK(r.status == 1);
    CHECK(r.out.rfind("fail  kvm-device        /dev/kvm (", 0) == 0);
    CHECK(contains(r.out, ") cannot be opened: Permission denied; "));
    CHECK_FALSE(contains(r.out, "kvm-api"));   // KVM is not asked without the device
    CHECK(contains(r.out, "\nok    seccomp "));
}
