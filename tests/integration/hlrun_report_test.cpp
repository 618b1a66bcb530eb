// hlrun --report=FILE, hlrun call --json's error object and --stats=FORMAT:FILE,
// as a process: one JSON object for every way a command ends, with nothing
// of it on the streams log lines go to.
#include "process.hpp"

#include <fcntl.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace hl::test;
using Json = nlohmann::json;

namespace {

Json report_in(const std::string& path)
{
    const std::string text = read_file(path);
    REQUIRE(!text.empty());
    CHECK(text.find('\n') == text.size() - 1);   // one object, one line
    return Json::parse(text);
}

} // namespace

TEST_CASE("report: hlrun's own endings, before any guest runs, each with who decided it and why")
{
    const std::string dir = make_temp_dir();
    const std::string report = dir + "/r.json";
    write_file(dir + "/not-elf.hl", "text\n");
    ProcessResult r = hlrun({"--report=" + report, dir + "/not-elf.hl"});
    CHECK(r.status == 122);
    Json j = report_in(report);
    CHECK(j["schema"] == "hl-report/1");
    CHECK(j["command"] == "run");
    CHECK(j["argv"] == Json::array({dir + "/not-elf.hl"}));
    CHECK(j["ending"] == "image invalid");
    CHECK(j["decided_by"] == "hl");
    CHECK(j["status"] == 122);
    CHECK("hlrun: error: " + j["reason"].get<std::string>() + "\n" == r.err);
    CHECK(j["exits"] == 0);

    r = hlrun({"--report", report, dir + "/absent.hl", "x"});
    CHECK(r.status == 121);
    j = report_in(report);
    CHECK(j["ending"] == "image unreadable");
    CHECK(j["decided_by"] == "kernel");
    CHECK(j["argv"] == Json::array({dir + "/absent.hl", "x"}));

    r = hlrun({"--report=" + report, "-m", "lots", guest_image("hello")});
    CHECK(r.status == 120);
    j = report_in(report);
    CHECK(j["ending"] == "usage error");
    CHECK(j["reason"] == "--memory: 'lots' is not a size, expected a number with an optional unit like 64Mi or 512Ki");
    std::filesystem::remove_all(dir);
}

TEST_CASE("report: a --report file that is the image, or cannot be written, is refused and the image kept")
{
    const std::string dir = make_temp_dir();
    const std::string image = dir + "/hello.hl";
    std::filesystem::copy_file(guest_image("hello"), image);
    const std::string before = read_file(image);
    ProcessResult r = hlrun({"--report=" + image, image});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --report: " + image + " is " + image + " itself; choose another file\n");
    CHECK(read_file(image) == before);
    r = hlrun({"call", "--report", image, image, "add", "1", "2"});
    CHECK(r.status == 120);
    CHECK(read_file(image) == before);
    r = hlrun({"--report=" + dir + "/no/such/dir/r.json", image});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --report: cannot open " + dir + "/no/such/dir/r.json for writing: No such file or "
                   "directory\n");
    r = hlrun({"--report"});
    CHECK(r.err == "hlrun: error: --report: needs a value; see hlrun --help\n");
    // Another option's file, or what hlrun reads as its standard input.
    r = hlrun({"--report=" + dir + "/t.txt", "--trace=all:" + dir + "/./t.txt", image});
    CHECK(r.err == "hlrun: error: --report: " + dir + "/t.txt is --trace's file too; choose another file\n");
    r = hlrun({"call", "--report=" + dir + "/s.json", "--stats=json:" + dir + "/s.json", image, "add", "1", "2"});
    CHECK(r.err == "hlrun: error: --report: " + dir + "/s.json is --stats's file too; choose another file\n");
    write_file(dir + "/in.txt", "keep me\n");
    const int in = open((dir + "/in.txt").c_str(), O_RDONLY);
    r = hlrun({"--report=" + dir + "/in.txt", image}, {.stdin_fd = in});
    close(in);
    CHECK(r.err == "hlrun: error: --report: " + dir + "/in.txt is hlrun's standard input; choose another file\n");
    CHECK(read_file(dir + "/in.txt") == "keep me\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("report: a command line refused after it was read still writes the report, replacing an old one")
{
    const std::string dir = make_temp_dir();
    const std::string report = dir + "/r.json";
    write_file(report, "an old report\n");
    ProcessResult r = hlrun({"--report=" + report, "--profile-hz", "99", guest_image("hello")});
    CHECK(r.status == 120);
    Json j = report_in(report);
    CHECK(j["ending"] == "usage error");
    CHECK(j["reason"] == "--profile-hz: needs --profile");
    r = hlrun({"--report=" + report, "--bogus", guest_image("hello")});
    j = report_in(report);
    CHECK(j["image"] == "");
    CHECK(contains(j["reason"].get<std::string>(), "unknown option '--bogus'"));
    r = hlrun({"call", "--json", "--report=" + report, guest_image("functions")});
    CHECK(report_in(report)["reason"] == "missing FUNCTION; usage: hlrun call [OPTIONS] IMAGE FUNCTION [ARGS...]");
    CHECK(Json::parse(r.out)["error"]["status"] == 120);
    // A refused combination empties no file of another option's.
    write_file(dir + "/s.json", "keep\n");
    r = hlrun({"--stats=json:" + dir + "/s.json", "--profile=" + dir + "/p", guest_image("hello")});
    CHECK(r.status == 120);
    CHECK(read_file(dir + "/s.json") == "keep\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("report: --stats=FORMAT:FILE is checked, and a word meant for --stats is pointed to '='")
{
    const std::string image = guest_image("functions");
    ProcessResult r = hlrun({"--stats=json:", image});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --stats: 'json:' names no file; expected json:FILE; see hlrun --help\n");
    r = hlrun({"call", "--stats=jsn:/tmp/x", image, "add", "1", "2"});
    CHECK(r.err ==
          "hlrun: error: --stats: 'jsn:/tmp/x' is not text:FILE or json:FILE (did you mean json:/tmp/x?); see hlrun "
          "call --help\n");
    const std::string dir = make_temp_dir();
    r = hlrun({"call", "--stats", "json", image, "add", "1", "2"}, {.cwd = dir});
    CHECK(r.status == 121);
    CHECK(r.err == "hlrun: error: json: cannot read: No such file or directory (did you mean --stats=json?)\n");
    r = hlrun({"--stats=json:" + image, image});
    CHECK(r.err == "hlrun: error: --stats: " + image + " is " + image + " itself; choose another file\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("report: hlrun call --json prints a failed call's error object on stdout, the line on stderr")
{
    const std::string image = guest_image("functions");
    ProcessResult r = hlrun({"call", "--json", image, "ad", "1", "2"});
    CHECK(r.status == 120);
    Json j = Json::parse(r.out);
    CHECK(j["error"]["ending"] == "usage error");
    CHECK(j["error"]["decided_by"] == "hl");
    CHECK(j["error"]["status"] == 120);
    CHECK("hlrun: error: " + j["error"]["message"].get<std::string>() + "\n" == r.err);
    CHECK(contains(r.err, "did you mean add?"));

    r = hlrun({"call", "--json", image, "add", "x", "2"});
    j = Json::parse(r.out);
    CHECK(j["error"]["message"] == "add: argument 1: 'x' is not an i64 (i64 add(i64, i64))");
    r = hlrun({"call", "--json", image});
    CHECK(Json::parse(r.out)["error"]["message"] ==
          "missing FUNCTION; usage: hlrun call [OPTIONS] IMAGE FUNCTION [ARGS...]");
    // Without --json a failed call prints nothing on stdout.
    r = hlrun({"call", image, "ad", "1", "2"});
    CHECK(r.out.empty());
}

TEST_CASE("report: where KVM cannot be used, the report says the kernel refused it")
{
    if (!kvm_unusable_reason().empty()) {
        const std::string dir = make_temp_dir();
        ProcessResult r = hlrun({"--report=" + dir + "/r.json", guest_image("hello")});
        CHECK(r.status == 123);
        const Json j = report_in(dir + "/r.json");
        CHECK(j["ending"] == "host error");
        CHECK(j["decided_by"] == "kernel");
        CHECK(contains(j["reason"].get<std::string>(), "/dev/kvm"));
        r = hlrun({"call", "--json", guest_image("functions"), "add", "1", "2"});
        CHECK(Json::parse(r.out)["error"]["ending"] == "host error");
        std::filesystem::remove_all(dir);
        return;
    }
    HL_REQUIRE_KVM();   // a machine with KVM: the runs below cover it
}

TEST_CASE("report: a guest's run, exit and fault, with exits, times and --stats in a file of its own")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string report = dir + "/r.json";
    ProcessResult r = hlrun({"--report=" + report, "--stats=json:" + dir + "/stats.json", guest_image("hello"), "--exit", "3"});
    CHECK(r.status == 3);
    CHECK(r.err == "to stderr\n");   // the guest's own; the statistics went to their file
    Json j = report_in(report);
    CHECK(j["ending"] == "exited");
    CHECK(j["decided_by"] == "guest");
    CHECK(j["reason"] == "the guest exited with status 3");
    CHECK(j["status"] == 3);
    CHECK(j["guest_status"] == 3);
    CHECK(j["exits"].get<uint64_t>() > 0);
    CHECK(j["times_us"]["run"].get<uint64_t>() <= j["times_us"]["hlrun"].get<uint64_t>());
    const Json stats = Json::parse(read_file(dir + "/stats.json"));
    CHECK(stats["schema"] == "hl-stats/1");
    CHECK(stats["exits"] == j["exits"]);
    CHECK(j["stats"] == stats);

    r = hlrun({"--report=" + report, guest_image("faults"), "null-write"});
    CHECK(r.status == 125);
    j = report_in(report);
    CHECK(j["ending"] == "faulted");
    CHECK(j["decided_by"] == "guest");
    CHECK(j["fault"]["vector"] == 14);
    CHECK(contains(j["fault"]["where"].get<std::string>(), "main+"));
    CHECK("hlrun: error: " + j["reason"].get<std::string>() + "\n" == r.err);

    r = hlrun({"--report=" + report, "--timeout=200ms", guest_image("faults"), "loop"});
    j = report_in(report);
    CHECK(j["ending"] == "timed out");
    CHECK(j["decided_by"] == "hl");
    std::filesystem::remove_all(dir);
}

TEST_CASE("report: hlrun call's report counts the calls, and a call that fails says so on stdout with --json")
{
    HL_REQUIRE_KVM();
    const std::string dir = make_temp_dir();
    const std::string report = dir + "/r.json";
    const std::string image = guest_image("functions");
    ProcessResult r = hlrun({"call", "--report=" + report, "-n", "3", image, "add", "40", "2"});
    REQUIRE(r.status == 0);
    CHECK(r.out == "42\n");
    Json j = report_in(report);
    CHECK(j["command"] == "call");
    CHECK(j["function"] == "add");
    CHECK(j["arguments"] == Json::array({"40", "2"}));
    CHECK(j["ending"] == "returned");
    CHECK(j["decided_by"] == "guest");
    CHECK(j["status"] == 0);
    CHECK(j["calls"]["count"] == 3);
    CHECK(j["calls"]["exits"] == 3);   // one exit a call
    CHECK(j["exits"].get<uint64_t>() > 3);   // and the initialisation's

    r = hlrun({"call", "--json", "--report=" + report, image, "crash"});
    CHECK(r.status == 125);
    const Json error = Json::parse(r.out);
    CHECK(error["error"]["ending"] == "faulted");
    CHECK(error["error"]["decided_by"] == "guest");
    CHECK(error["error"]["status"] == 125);
    j = report_in(report);
    CHECK(j["ending"] == "faulted");
    CHECK(j["reason"] == error["error"]["message"]);

    r = hlrun({"call", "--stats=text:" + dir + "/s.txt", image, "add", "1", "2"});
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    CHECK(read_file(dir + "/s.txt").rfind("1 calls: min ", 0) == 0);
    std::filesystem::remove_all(dir);
}
