// How hlrun says a command ended (cli/run_report.hpp): who decided each
// ending, the --report object, and the pieces seccomp's handler completes.
#include "hlrun_exit_codes.hpp"
#include "run_report.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace hl;
using namespace hl::cli;

namespace {

RunResult ended(RunResult::Ending ending, std::string message = {})
{
    RunResult result;
    result.ending = ending;
    result.message = std::move(message);
    return result;
}

} // namespace

TEST_CASE("run report: each of the library's endings names who decided it")
{
    using E = RunResult::Ending;
    struct Case {
        E ending;
        const char* name;
        const char* by;
    };
    const Case cases[] = {{E::Exited, "exited", "guest"},         {E::Ready, "ready", "guest"},
                          {E::Returned, "returned", "guest"},     {E::Aborted, "aborted", "guest"},
                          {E::Cancelled, "cancelled", "hl"},      {E::TimedOut, "timed out", "hl"},
                          {E::ExitLimit, "exit limit", "hl"},     {E::OutputClosed, "output closed", "kernel"},
                          {E::HostError, "host error", "kernel"}, {E::Faulted, "faulted", "hl"}};
    for (const Case& c : cases) {
        const Outcome outcome = outcome_of(ended(c.ending, "why"), 7);
        CHECK(outcome.ending == c.name);
        CHECK(outcome.decided_by == c.by);
        CHECK(outcome.status == 7);
    }
    // A CPU exception is the guest's own doing; a hypercall hl refused (no fault) is hl's word.
    RunResult fault = ended(E::Faulted, "guest fault: page fault (#PF) at main+0x4");
    fault.fault = GuestFault{.vector = 14, .error_code = 6, .rip = 0x100004, .address = 0, .where = "main+0x4", .registers = {}};
    CHECK(outcome_of(fault, kExitGuestFault).decided_by == "guest");
    CHECK(outcome_of(fault, kExitGuestFault).reason == "guest fault: page fault (#PF) at main+0x4");
    RunResult exited = ended(E::Exited);
    exited.exit_status = 3;
    CHECK(outcome_of(exited, 3).reason == "the guest exited with status 3");
}

TEST_CASE("run report: hlrun's own endings by status, the reason being the line it printed")
{
    CHECK(outcome_of_status(kExitUsage, "--memory: 'x' is not a size").ending == "usage error");
    CHECK(outcome_of_status(kExitUsage, "x").decided_by == "hl");
    CHECK(outcome_of_status(kExitImageUnreadable, "x").ending == "image unreadable");
    CHECK(outcome_of_status(kExitImageUnreadable, "x").decided_by == "kernel");
    CHECK(outcome_of_status(kExitImageInvalid, "x").ending == "image invalid");
    CHECK(outcome_of_status(kExitSnapshotInvalid, "x").ending == "snapshot invalid");
    CHECK(outcome_of_status(kExitSnapshotVersion, "x").ending == "snapshot version");
    CHECK(outcome_of_status(kExitSnapshotHost, "x").ending == "snapshot host");
    CHECK(outcome_of_status(kExitOutputClosed, "x").decided_by == "kernel");
    const Outcome host = outcome_of_status(kExitHostError, "/dev/kvm: cannot open");
    CHECK(host.ending == "host error");
    CHECK(host.decided_by == "kernel");
    CHECK(host.reason == "/dev/kvm: cannot open");
    CHECK(host.status == kExitHostError);
}

TEST_CASE("run report: one JSON object with the ending, the fault, exits, times and calls")
{
    RunReport report{.command = "call", .image = "f.hl", .function = "add", .arguments = {"1", "\"two\""}};
    report.outcome = {"faulted", "guest", "guest fault: \x01 odd \xff bytes", 125};
    report.fault = GuestFault{.vector = 14, .error_code = 6, .rip = 0x100004, .address = 0x10, .where = "add+0x4", .registers = {}};
    report.exits = 12;
    report.hlrun_time = std::chrono::microseconds(1500);
    report.run_time = std::chrono::microseconds(700);
    report.calls = RunReport::Calls{.count = 2, .exits = 4, .min_ns = 9000, .p50_ns = 9500, .p99_ns = 11000, .max_ns = 11000, .total_ns = 20000};
    report.stats_json = R"j({"schema":"hl-stats/1","exits":12})j";
    const std::string text = report_json(report);
    REQUIRE(text.back() == '\n');
    REQUIRE(text.find('\n') == text.size() - 1);   // one line
    const auto j = nlohmann::json::parse(text);
    CHECK(j["schema"] == "hl-report/1");
    CHECK(j["command"] == "call");
    CHECK(j["function"] == "add");
    CHECK(j["arguments"] == nlohmann::json::array({"1", "\"two\""}));
    CHECK_FALSE(j.contains("argv"));
    CHECK(j["ending"] == "faulted");
    CHECK(j["decided_by"] == "guest");
    CHECK(j["status"] == 125);
    CHECK(j["guest_status"].is_null());
    CHECK(j["fault"]["vector"] == 14);
    CHECK(j["fault"]["rip"] == "0x100004");
    CHECK(j["fault"]["where"] == "add+0x4");
    CHECK(j["exits"] == 12);
    CHECK(j["times_us"] == nlohmann::json{{"hlrun", 1500}, {"initialize", 700}, {"calls", 20}});
    CHECK(j["calls"]["count"] == 2);
    CHECK(j["calls"]["p99_us"] == 11);
    CHECK(j["stats"]["schema"] == "hl-stats/1");
    CHECK(j["reason"].get<std::string>().find("odd") != std::string::npos);   // bytes that are not UTF-8 replaced

    RunReport run{.command = "run", .image = "h.hl", .argv = {"h.hl", "a"}};
    run.outcome = {"exited", "guest", "the guest exited with status 3", 3};
    run.guest_status = 3;
    const auto r = nlohmann::json::parse(report_json(run));
    CHECK(r["argv"] == nlohmann::json::array({"h.hl", "a"}));
    CHECK(r["guest_status"] == 3);
    CHECK_FALSE(r.contains("fault"));
    CHECK_FALSE(r.contains("calls"));
    CHECK(r["times_us"].contains("run"));
}

TEST_CASE("run report: the pieces seccomp's handler completes make valid JSON around its line")
{
    const RunReport report{.command = "run", .image = "h.hl", .argv = {"h.hl"}};
    const std::string line = "seccomp stopped system call openat (257) in the vCPU thread";
    const auto [before, after] = violation_report_json(report, kExitHostError);
    const auto j = nlohmann::json::parse(before + line + after);
    CHECK(j["ending"] == "seccomp");
    CHECK(j["decided_by"] == "kernel");
    CHECK(j["reason"] == line);
    CHECK(j["status"] == kExitHostError);
    CHECK(j["image"] == "h.hl");
    CHECK(j["exits"].is_null());   // every field of the schema, those the handler cannot know null
    CHECK(j["guest_status"].is_null());
    CHECK(j["times_us"].is_null());
    CHECK(after.back() == '\n');
    const auto [error_before, error_after] = violation_error_object(kExitHostError);
    const auto e = nlohmann::json::parse(error_before + line + error_after);
    CHECK(e["error"]["message"] == line);
    CHECK(e["error"]["ending"] == "seccomp");
    CHECK(nlohmann::json::parse(error_object({"timed out", "hl", "guest stopped after 1s", 124})) ==
          nlohmann::json{{"error", {{"ending", "timed out"}, {"decided_by", "hl"}, {"message", "guest stopped after 1s"}, {"status", 124}}}});
}
