// Traces as users consume them: JSON lines, Chrome timelines, text, stats,
// filters, symbols and stripped images.
#include "process.hpp"

#include <hl/image.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace hl::test;
using nlohmann::json;

namespace {

const std::string kTrace = guest_image("trace");

std::vector<json> json_lines(const std::string& text)
{
    std::vector<json> out;
    for (const std::string& line : lines(text))
        out.push_back(json::parse(line)); // throws, failing the test, on a line that is not JSON
    return out;
}

// Runs hlrun with a JSON-lines trace into a file and returns the parsed lines.
std::vector<json> jsonl_trace(std::vector<std::string> args, ProcessResult* result = nullptr)
{
    const std::string file = make_temp_dir() + "/trace.jsonl";
    args.insert(args.begin(), {"--trace=" + file, "--trace-format=jsonl"});
    const ProcessResult r = hlrun(args);
    if (result)
        *result = r;
    return json_lines(read_file(file));
}

const std::set<std::string> kExitFields = {"schema", "type", "seq", "origin", "reason", "entry_ns",
                                           "exit_ns", "handled_ns", "guest_ns", "host_ns", "rip", "symbol",
                                           "io", "hypercall", "syscall", "fault", "detail", "end"};

} // namespace

TEST_CASE("trace: k writes give k write events in order with their byte counts, then the exit")
{
    HL_REQUIRE_KVM();
    ProcessResult r;
    const auto events = jsonl_trace({kTrace, "writes", "7"}, &r);
    REQUIRE(r.status == 0);
    REQUIRE(events.size() == 7 + 1 + 1); // writes, exit, run summary
    std::string expected_out;
    for (int i = 0; i < 7; ++i) {
        const json& e = events[i];
        INFO(e.dump());
        CHECK(e["seq"] == i + 1);
        CHECK(e["reason"] == "io-out");
        CHECK(e["hypercall"]["name"] == "write");
        CHECK(e["hypercall"]["args"]["fd"] == 1);
        CHECK(e["hypercall"]["args"]["len"] == i + 1);
        CHECK(e["hypercall"]["result"] == i + 1);
        CHECK(e["hypercall"]["bytes"] == i + 1);
        CHECK(e["end"].is_null());
        expected_out += std::string("abcdefghijklmnopqrstuvwxyz").substr(0, static_cast<size_t>(i) + 1);
    }
    CHECK(r.out == expected_out);
    const json& last = events[7];
    CHECK(last["hypercall"]["name"] == "exit");
    CHECK(last["hypercall"]["args"]["status"] == 0);
    CHECK(last["end"]["ending"] == "exited");
    CHECK(last["end"]["status"] == 0);
    CHECK(last["end"]["message"] == "guest exited with status 0");
    const json& run = events[8];
    CHECK(run["type"] == "run");
    CHECK(run["exits"] == 8);
    CHECK(run["ending"] == "exited");
}

TEST_CASE("trace: every JSON line carries every documented field, times in order")
{
    HL_REQUIRE_KVM();
    const auto events = jsonl_trace({kTrace, "clock"});
    REQUIRE(events.size() == 4); // clock, clock, exit, run
    uint64_t previous = 0;
    for (size_t i = 0; i + 1 < events.size(); ++i) {
        const json& e = events[i];
        INFO(e.dump());
        std::set<std::string> keys;
        for (const auto& [key, value] : e.items())
            keys.insert(key);
        CHECK(keys == kExitFields);
        CHECK(e["schema"] == "hl-trace/1");
        CHECK(e["type"] == "exit");
        CHECK(e["origin"] == "user");
        CHECK(e["io"]["direction"] == "out");
        CHECK(e["io"]["size"] == 4);
        CHECK(e["io"]["port"] >= 0x500);
        const uint64_t entry = e["entry_ns"], exit = e["exit_ns"], handled = e["handled_ns"];
        CHECK(previous <= entry);
        CHECK(entry <= exit);
        CHECK(exit <= handled);
        CHECK(e["guest_ns"] == exit - entry);
        CHECK(e["host_ns"] == handled - exit);
        CHECK(e["symbol"].get<std::string>().rfind("hl_", 0) == 0);
        previous = handled;
    }
    CHECK(events[0]["hypercall"]["name"] == "clock");
    CHECK(events[0]["hypercall"]["result"] > 0);
    CHECK(events[0]["hypercall"]["bytes"] == 8);
    CHECK(events[3]["schema"] == "hl-trace/1");
}

TEST_CASE("trace: a fault's event names the function, the vector and the registers")
{
    HL_REQUIRE_KVM();
    ProcessResult r;
    const auto events = jsonl_trace({kTrace, "crash"}, &r);
    CHECK(r.status == 125);
    REQUIRE(events.size() == 2);
    const json& e = events[0];
    CHECK(e["reason"] == "mmio");
    CHECK(e["symbol"] == "fault stub #UD");
    CHECK(e["fault"]["vector"] == 6);
    CHECK(e["fault"]["mnemonic"] == "#UD");
    CHECK(e["fault"]["name"] == "invalid opcode");
    CHECK(e["fault"]["where"] == "crash_here+0x2");
    CHECK(e["fault"]["registers"].size() == 18);
    // The faulting instruction, where "where" says: 2 bytes into crash_here, by the image's own symbol table.
    const hl::Image image = hl::Image::load(kTrace);
    const auto crash_here = std::find_if(image.symbols().begin(), image.symbols().end(),
                                         [](const hl::Symbol& s) { return s.name == "crash_here"; });
    REQUIRE(crash_here != image.symbols().end());
    CHECK(e["fault"]["registers"]["rip"] == crash_here->address + 2);
    CHECK(e["end"]["ending"] == "faulted");
    CHECK(e["end"]["message"].get<std::string>().find("invalid opcode (#UD) at crash_here+0x2") != std::string::npos);
}

TEST_CASE("trace: the chrome output is valid JSON with well-nested spans on each track")
{
    HL_REQUIRE_KVM();
    const std::string file = make_temp_dir() + "/trace.json";
    const auto r = hlrun({"--trace=" + file, "--trace-format=chrome", kTrace, "writes", "5"});
    REQUIRE(r.status == 0);
    const json trace = json::parse(read_file(file));
    const json& events = trace["traceEvents"];
    REQUIRE(events.is_array());
    std::map<int, std::vector<std::pair<double, double>>> spans; // track -> (start, end)
    std::map<std::string, int> host_names;
    for (const json& e : events) {
        if (e["ph"] != "X")
            continue;
        const double ts = e["ts"], dur = e["dur"];
        CHECK(dur >= 0);
        spans[e["tid"]].push_back({ts, ts + dur});
        if (e["tid"] == 2)
            ++host_names[e["name"]];
    }
    CHECK(spans[1].size() == 6);     // guest spans: one per exit
    CHECK(spans[2].size() == 6);     // host spans: one per exit
    CHECK(host_names["write"] == 5);
    CHECK(host_names["exit"] == 1);
    for (auto& [track, list] : spans) {
        std::sort(list.begin(), list.end());
        for (size_t i = 1; i < list.size(); ++i)
            CHECK(list[i - 1].second <= list[i].first + 0.001); // microseconds, printed to 1 ns
    }
}

TEST_CASE("trace: an abort message of hostile bytes is one line of plain text on stderr, in JSON Lines and Chrome")
{
    HL_REQUIRE_KVM();
    const std::string shown = "guest aborted: caf\xc3\xa9 \\xff\\xfe csi \\xc2\\x9b31m esc \\x1b[2J end";
    const std::string faults = guest_image("faults");
    const std::string dir = make_temp_dir();
    const auto r = hlrun({"--trace=" + dir + "/t.jsonl", "--trace-format=jsonl", faults, "abort-bytes"});
    CHECK(r.status == 126);
    CHECK(r.err == "hlrun: error: " + shown + "\n");
    const auto events = json_lines(read_file(dir + "/t.jsonl"));
    REQUIRE(events.size() >= 2);
    CHECK(events[events.size() - 2]["end"]["message"] == shown);
    CHECK(events.back()["type"] == "run");
    CHECK(events.back()["message"] == shown);

    const auto chrome = hlrun({"--trace=" + dir + "/t.json", "--trace-format=chrome", faults, "abort-bytes"});
    CHECK(chrome.status == 126);
    const json timeline = json::parse(read_file(dir + "/t.json")); // throws, failing the test, unless it is JSON
    std::vector<std::string> ends;
    for (const json& e : timeline["traceEvents"])
        if (e.contains("args") && e["args"].contains("end"))
            ends.push_back(e["args"]["end"]);
    CHECK(ends == std::vector<std::string>{shown});
}

TEST_CASE("trace: text lines name the function at each exit, and a stripped image still traces")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({"--trace", kTrace, "writes", "2"});
    REQUIRE(r.status == 0);
    const auto err = lines(r.err);
    REQUIRE(err.size() == 3);
    CHECK(err[0].find("hl_write+0x") != std::string::npos);
    CHECK(err[0].find("write(fd=1, buf=0x") != std::string::npos);
    CHECK(err[2].find("hl_exit+0x") != std::string::npos);
    CHECK(r.err.find('\033') == std::string::npos); // no colour when not a terminal

    const std::string stripped = make_temp_dir() + "/stripped.hl";
    REQUIRE(run_process({"/usr/bin/strip", "-o", stripped, kTrace}).status == 0);
    const auto s = hlrun({"--trace", stripped, "writes", "2"});
    CHECK(s.status == 0);
    CHECK(s.out == "aab");
    const auto stripped_lines = lines(s.err);
    REQUIRE(stripped_lines.size() == 3);
    CHECK(s.err.find("hl_write") == std::string::npos);
    CHECK(stripped_lines[0].find(" 0x100") != std::string::npos);
    CHECK(stripped_lines[2].find("guest exited with status 0") != std::string::npos);
}

TEST_CASE("trace: --stats counts add up to the number of events")
{
    HL_REQUIRE_KVM();
    const std::string file = make_temp_dir() + "/trace.jsonl";
    const auto r = hlrun({"--stats=json", "--trace=" + file, "--trace-format=jsonl", kTrace, "writes", "9"});
    REQUIRE(r.status == 0);
    const json stats = json::parse(lines(r.err).back());
    const auto events = json_lines(read_file(file));
    CHECK(stats["schema"] == "hl-stats/1");
    CHECK(stats["exits"] == events.size() - 1);
    uint64_t by_reason = 0, by_call = 0;
    for (const json& row : stats["reasons"])
        by_reason += row["count"].get<uint64_t>();
    std::map<std::string, uint64_t> calls;
    for (const json& row : stats["hypercalls"]) {
        by_call += row["count"].get<uint64_t>();
        calls[row["name"]] = row["count"];
        CHECK(row["min_ns"] <= row["p50_ns"]);
        CHECK(row["p50_ns"] <= row["p99_ns"]);
        CHECK(row["p99_ns"] <= row["max_ns"]);
    }
    CHECK(by_reason == stats["exits"]);
    CHECK(by_call == stats["exits"]);
    CHECK(calls["write"] == 9);
    CHECK(calls["exit"] == 1);
    CHECK(stats["guest_ns"].get<uint64_t>() + stats["host_ns"].get<uint64_t>() == stats["wall_ns"]);

    const auto table = hlrun({"--stats", kTrace, "writes", "3"});
    CHECK(table.err.find("4 exits in ") != std::string::npos);
    CHECK(table.err.find("\nwrite                   3   75.0%") != std::string::npos);
    CHECK(table.err.find("\nexit                    1   25.0%") != std::string::npos);
}

TEST_CASE("trace: --trace-filter keeps the named exits and always the last one")
{
    HL_REQUIRE_KVM();
    auto events = jsonl_trace({"--trace-filter=clock", kTrace, "clock"});
    REQUIRE(events.size() == 4);
    events = jsonl_trace({"--trace-filter=exit", kTrace, "writes", "4"});
    REQUIRE(events.size() == 2);
    CHECK(events[0]["hypercall"]["name"] == "exit");
    CHECK(events[0]["seq"] == 5); // sequence numbers still count every exit
    events = jsonl_trace({"--trace-filter=io-in,hlt", kTrace, "writes", "4"});
    REQUIRE(events.size() == 2);
    CHECK(events[0]["end"]["ending"] == "exited");
}

TEST_CASE("trace: bad trace options are usage errors with one line")
{
    auto r = hlrun({"--trace=/nonexistent/dir/t.txt", kTrace, "clock"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --trace: cannot open /nonexistent/dir/t.txt for writing: No such file or directory\n");
    r = hlrun({"--trace-filter=write", kTrace, "clock"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --trace-filter: needs --trace\n");
    r = hlrun({"--trace", "--trace-filter=write,bogus", kTrace, "clock"});
    CHECK(r.status == 120);
    CHECK(r.err.rfind("hlrun: error: --trace-filter: unknown name 'bogus'; expected exit reasons, hypercalls or system calls: io-out, ", 0) == 0);
    r = hlrun({"--trace-format=xml", "--trace", kTrace});
    CHECK(r.status == 120);
    CHECK(lines(r.err).size() == 1);
    r = hlrun({"--stats=yaml", kTrace});
    CHECK(r.status == 120);
    CHECK(lines(r.err).size() == 1);
    r = hlrun({"--trace=" + kTrace, kTrace, "clock"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --trace: " + kTrace + " is " + kTrace + " itself; choose another file\n");
}

TEST_CASE("trace: --trace=all merges the kernel's view, and the kernel's count of exits agrees with hlrun's")
{
    HL_REQUIRE_KVM();
    const std::string file = make_temp_dir() + "/t.jsonl";
    const auto r = hlrun({"--trace=all:" + file, "--trace-format=jsonl", kTrace, "writes", "3"});
    const auto events = json_lines(read_file(file));
    if (r.err.find("tracing user space only") != std::string::npos) {
        WARN("skipped: kernel tracing is not allowed here: " << r.err);
        return;
    }
    REQUIRE(r.status == 0);
    uint64_t user = 0, kernel = 0, kernel_userspace_exits = 0, last_user_seq = 0;
    std::optional<json> check;
    for (const json& e : events) {
        if (e["type"] == "kernel-check") {
            check = e;
        } else if (e["type"] == "exit" && e["origin"] == "kernel") {
            ++kernel;
            CHECK(e["seq"] == last_user_seq + 1); // inside the KVM_RUN that led to the next user exit
            CHECK_FALSE(e["detail"].is_null());
            if (e["reason"] == "kvm_userspace_exit")
                ++kernel_userspace_exits;
        } else if (e["type"] == "exit") {
            ++user;
            last_user_seq = e["seq"];
        }
    }
    CHECK(user == 4);
    CHECK(kernel > 0);
    REQUIRE(check.has_value());
    CHECK((*check)["agree"] == true);
    CHECK((*check)["hlrun_exits"] == 4);
    CHECK((*check)["kernel_exits"] == 4);
    CHECK(kernel_userspace_exits == 4);
    CHECK(r.err.find("kernel cross-check: kernel counted 4 returns to user space, hlrun counted 4 exits: agree") !=
          std::string::npos);
    CHECK(r.err.find("kernel tracepoints that fired: ") != std::string::npos);
}

TEST_CASE("trace: where the kernel may not be traced, one line says why and the user-space trace goes on")
{
    HL_REQUIRE_KVM();
    // In a user namespace hlrun is root in name only: no perf tracepoints, no tracefs mount.
    if (run_process({"/usr/bin/unshare", "--user", "--map-root-user", "true"}).status != 0) {
        WARN("skipped: cannot create a user namespace to drop privileges here");
        return;
    }
    const auto r = run_process({"/usr/bin/unshare", "--user", "--map-root-user", HL_HLRUN, "--trace=all", kTrace,
                                "writes", "1"});
    // Only the absence of /dev/kvm skips: 123 is also a seccomp violation or a KVM failure.
    if (r.status == 123 && r.err.rfind("hlrun: error: /dev/kvm: cannot open: ", 0) == 0) {
        WARN("skipped: /dev/kvm cannot be opened inside a user namespace here: " << r.err);
        return;
    }
    CHECK(r.status == 0);
    CHECK(r.out == "a");
    const auto err = lines(r.err);
    REQUIRE(err.size() == 3);
    CHECK(err[0].rfind("hlrun: warning: --trace=all: ", 0) == 0);
    CHECK(err[0].find("; tracing user space only") != std::string::npos);
    CHECK(err[1].find("write(fd=1") != std::string::npos);
    CHECK(err[2].find("guest exited with status 0") != std::string::npos);
}
