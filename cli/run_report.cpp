// How an hlrun command ended (see run_report.hpp).
#include "run_report.hpp"

#include "hlrun_exit_codes.hpp"

#include <hl/units.hpp>
#include <hl/version.hpp>

#include <nlohmann/json.hpp>

namespace hl::cli {
namespace {

using Json = nlohmann::ordered_json;

// Who decides each of the library's endings.
const char* decider(const RunResult& result)
{
    switch (result.ending) {
    case RunResult::Ending::Exited:
    case RunResult::Ending::Ready:
    case RunResult::Ending::Returned:
    case RunResult::Ending::Aborted: return "guest";
    case RunResult::Ending::Faulted: return result.fault ? "guest" : "hl";   // a CPU exception, or a refused hypercall
    case RunResult::Ending::Cancelled:
    case RunResult::Ending::TimedOut:
    case RunResult::Ending::ExitLimit: return "hl";
    case RunResult::Ending::OutputClosed:
    case RunResult::Ending::HostError: return "kernel";
    }
    return "hl";
}

// The ending's words for a text that is not JSON-safe as it stands: the
// library's messages are valid UTF-8 whatever the guest wrote.
std::string dump(const Json& json)
{
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

uint64_t microseconds(uint64_t ns) { return ns / 1000; }

Json fault_json(const GuestFault& fault)
{
    Json json;
    json["vector"] = fault.vector;
    json["error_code"] = fault.error_code;
    json["rip"] = format_hex(fault.rip);
    json["address"] = format_hex(fault.address);
    json["where"] = fault.where;
    return json;
}

// The fields every report starts with, known before the guest runs.
Json subject_json(const RunReport& report)
{
    Json json;
    json["schema"] = "hl-report/1";
    json["hl_version"] = version();
    json["command"] = report.command;
    json["image"] = report.image;
    if (report.command == "call") {
        json["function"] = report.function;
        json["arguments"] = report.arguments;
    } else {
        json["argv"] = report.argv;
    }
    return json;
}

// The text of json, whose last field is "key":"", split inside that empty
// string: what comes before the text to fill in, and what after it.
std::pair<std::string, std::string> split_at_empty(const Json& json, const std::string& key)
{
    const std::string text = dump(json);
    const std::string marker = "\"" + key + "\":\"\"";
    const size_t at = text.rfind(marker);
    return {text.substr(0, at + marker.size() - 1), text.substr(at + marker.size() - 1) + "\n"};
}

} // namespace

Outcome outcome_of(const RunResult& result, int status)
{
    Outcome outcome{ending_name(result.ending), decider(result), result.message, status};
    if (result.ending == RunResult::Ending::Exited)
        outcome.reason = "the guest exited with status " + std::to_string(result.exit_status);
    else if (result.ending == RunResult::Ending::Ready)
        outcome.reason = "the guest called hl_serve and waits for calls";
    else if (result.ending == RunResult::Ending::Returned)
        outcome.reason = "the function returned";
    return outcome;
}

Outcome outcome_of_status(int status, std::string reason)
{
    const auto with = [&](const char* ending, const char* by) { return Outcome{ending, by, std::move(reason), status}; };
    switch (status) {
    case 0: return with("done", "hl");
    case kExitUsage: return with("usage error", "hl");
    case kExitImageUnreadable: return with("image unreadable", "kernel");   // the file system said no
    case kExitImageInvalid: return with("image invalid", "hl");
    case kExitSnapshotInvalid: return with("snapshot invalid", "hl");
    case kExitSnapshotVersion: return with("snapshot version", "hl");
    case kExitSnapshotHost: return with("snapshot host", "hl");
    case kExitOutputClosed: return with("output closed", "kernel");
    case kExitCannotListen: return with("cannot listen", "kernel");
    default: return with("host error", "kernel");   // no usable /dev/kvm, KVM or a write failed
    }
}

std::string error_object(const Outcome& outcome)
{
    Json error;
    error["ending"] = outcome.ending;
    error["decided_by"] = outcome.decided_by;
    error["message"] = outcome.reason;
    error["status"] = outcome.status;
    return dump(Json{{"error", error}});
}

std::string report_json(const RunReport& report)
{
    Json json = subject_json(report);
    json["ending"] = report.outcome.ending;
    json["decided_by"] = report.outcome.decided_by;
    json["reason"] = report.outcome.reason;
    json["status"] = report.outcome.status;
    json["guest_status"] = report.guest_status ? Json(*report.guest_status) : Json(nullptr);
    if (report.fault)
        json["fault"] = fault_json(*report.fault);
    json["exits"] = report.exits;
    Json times;
    times["hlrun"] = microseconds(static_cast<uint64_t>(report.hlrun_time.count()));
    times[report.command == "call" ? "initialize" : "run"] = microseconds(static_cast<uint64_t>(report.run_time.count()));
    if (report.calls)
        times["calls"] = microseconds(report.calls->total_ns);
    json["times_us"] = times;
    if (report.calls) {
        const RunReport::Calls& c = *report.calls;
        json["calls"] = Json{{"count", c.count},
                             {"exits", c.exits},
                             {"min_us", microseconds(c.min_ns)},
                             {"p50_us", microseconds(c.p50_ns)},
                             {"p99_us", microseconds(c.p99_ns)},
                             {"max_us", microseconds(c.max_ns)}};
    }
    if (!report.core_file.empty())
        json["core_file"] = report.core_file;
    if (!report.stats_json.empty())
        json["stats"] = Json::parse(report.stats_json, nullptr, false);   // hl's own JSON: parses
    return dump(json) + "\n";
}

std::pair<std::string, std::string> violation_report_json(const RunReport& report, int status)
{
    Json json = subject_json(report);
    json["ending"] = "seccomp";
    json["decided_by"] = "kernel";
    json["status"] = status;
    // Written by the SIGSYS handler, which knows nothing of the run's counts.
    json["guest_status"] = nullptr;
    json["exits"] = nullptr;
    json["times_us"] = nullptr;
    json["reason"] = "";
    return split_at_empty(json, "reason");
}

std::pair<std::string, std::string> violation_error_object(int status)
{
    Json error;
    error["ending"] = "seccomp";
    error["decided_by"] = "kernel";
    error["status"] = status;
    error["message"] = "";
    return split_at_empty(Json{{"error", error}}, "message");
}

} // namespace hl::cli
