// hlrun serve's core below HTTP (cli/serve/call_service.hpp) on real KVM:
// answers, refusals, fresh and kept state, faults and timeouts that leave
// the next call working, overload, draining, confined workers, metrics.
#include "confined_child.hpp"
#include "process.hpp"
#include "serve/call_service.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace hl;
using namespace hl::cli;
using namespace hl::test;
using namespace std::chrono_literals;

namespace {

Snapshot ready_snapshot() { return ready_functions_guest()->snapshot(); }

ServiceOptions with(unsigned workers, bool keep_state = false)
{
    ServiceOptions options;
    options.workers = workers;
    options.keep_state = keep_state;
    options.sandbox.output = [](int, std::span<const uint8_t> bytes) { return static_cast<int64_t>(bytes.size()); };
    return options;
}

// One call, waited for; nullopt if no answer came in 30 s. Free of Catch2's
// assertions, which are for the test's own thread.
std::optional<Reply> answer_of(CallService& service, std::string_view function, std::string_view body, bool raw)
{
    auto answered = std::make_shared<std::promise<Reply>>();
    auto reply = answered->get_future();
    auto fn = [answered](Reply r) { answered->set_value(std::move(r)); };
    if (raw)
        service.invoke(function, body, fn);
    else
        service.call(function, body, fn);
    if (reply.wait_for(30s) != std::future_status::ready)
        return std::nullopt;
    return reply.get();
}

Reply call(CallService& service, std::string_view function, std::string_view body, bool raw = false)
{
    auto reply = answer_of(service, function, body, raw);
    REQUIRE(reply);
    return *reply;
}

// Waits until the metrics show `line` (the service's state as it publishes it).
bool shows(const MetricRegistry& metrics, const std::string& line)
{
    for (int i = 0; i < 3000; ++i) {
        if (metrics.render().find(line + "\n") != std::string::npos)
            return true;
        std::this_thread::sleep_for(1ms);
    }
    return false;
}

} // namespace

TEST_CASE("serve core: typed and raw calls, and what is refused before any guest runs")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    CallService service(ready_snapshot(), with(1), metrics);

    Reply r = call(service, "add", "[2, 3]");
    CHECK(r.status == 200);
    CHECK(r.content_type == "application/json");
    CHECK(r.body == R"j({"value":5})j");
    CHECK(call(service, "greet", R"j(["web"])j").body == R"j({"value":"hello, web!"})j");

    r = call(service, "reverse", std::string("ab\0c", 4), true);
    CHECK(r.status == 200);
    CHECK(r.content_type == "application/octet-stream");
    CHECK(r.body == std::string("c\0ba", 4));

    r = call(service, "nope", "[]");
    CHECK(r.status == 404);
    CHECK(r.body.rfind(R"j({"error":{"ending":"unknown function","message":"no export named 'nope'; the image exports: say_then_spin, )j", 0) == 0);
    r = call(service, "add", "[2]");
    CHECK(r.status == 400);
    CHECK(r.body == R"j({"error":{"ending":"bad arguments","message":"add takes 2 arguments, got 1 (i64 add(i64, i64))"}})j");
    r = call(service, "add", "[1, 2]", true);
    CHECK(r.status == 400);
    CHECK(r.body == R"j({"error":{"ending":"bad arguments","message":"/v1/invoke takes an export bytes f(bytes); add is )j"
                    R"j(i64 add(i64, i64) (call it with POST /v1/call/add)"}})j");

    const std::string functions = service.functions_json();
    CHECK(functions.find(R"j({"name":"add","signature":"i64 add(i64, i64)","result":"i64","parameters":["i64","i64"]})j") !=
          std::string::npos);
}

TEST_CASE("serve core: every call starts from the snapshot, unless state is kept")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    {
        CallService fresh(ready_snapshot(), with(1), metrics);
        for (int i = 0; i < 3; ++i)
            CHECK(call(fresh, "next", "[]").body == R"j({"value":101})j");
    }
    MetricRegistry kept_metrics;
    CallService kept(ready_snapshot(), with(1, true), kept_metrics);
    CHECK(call(kept, "next", "[]").body == R"j({"value":101})j");
    CHECK(call(kept, "next", "[]").body == R"j({"value":102})j");
    // A failed call loses the kept state: the sandbox starts again from the snapshot.
    CHECK(call(kept, "crash", "[]").status == 500);
    CHECK(call(kept, "next", "[]").body == R"j({"value":101})j");
}

TEST_CASE("serve core: a fault, an abort or a timeout is a 5xx naming it, and the next call works")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    ServiceOptions options = with(1);
    options.sandbox.timeout = 300ms;
    CallService service(ready_snapshot(), options, metrics);
    Reply r = call(service, "crash", "[]");
    CHECK(r.status == 500);
    CHECK(r.body.rfind(R"j({"error":{"ending":"faulted","message":")j", 0) == 0);
    CHECK(call(service, "add", "[1, 1]").body == R"j({"value":2})j");
    r = call(service, "spin", "[]");
    CHECK(r.status == 504);
    CHECK(r.body.rfind(R"j({"error":{"ending":"timed out",)j", 0) == 0);
    CHECK(call(service, "add", "[1, 2]").body == R"j({"value":3})j");
    r = call(service, "quit", "[3]");
    CHECK(r.status == 500);
    CHECK(r.body.rfind(R"j({"error":{"ending":"exited",)j", 0) == 0);
    CHECK(call(service, "add", "[2, 2]").body == R"j({"value":4})j");

    REQUIRE(shows(metrics, "hl_restore_duration_seconds_count 6"));   // the last restore follows the last answer
    const std::string text = metrics.render();
    CHECK(text.find("hl_requests_total{function=\"add\",status=\"200\"} 3\n") != std::string::npos);
    CHECK(text.find("hl_requests_total{function=\"spin\",status=\"504\"} 1\n") != std::string::npos);
    CHECK(text.find("hl_restore_duration_seconds_count 6\n") != std::string::npos);
    CHECK(text.find("hl_pool_sandboxes 1\n") != std::string::npos);
    CHECK(text.find("hl_inflight_requests 0\n") != std::string::npos);
}

TEST_CASE("serve core: past the queue's bound a call gets 503 at once, and draining answers what was admitted")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    ServiceOptions options = with(1);
    options.queue_limit = 1;
    options.sandbox.timeout = 500ms;
    CallService service(ready_snapshot(), options, metrics);
    std::mutex mutex;
    std::vector<int> statuses;
    auto record = [&](Reply r) {
        std::lock_guard lock(mutex);
        statuses.push_back(r.status);
    };
    service.call("spin", "[]", record);   // runs until its timeout
    REQUIRE(shows(metrics, "hl_queued_requests 0"));   // the worker has taken it
    service.call("add", "[1, 2]", record);   // waits in the queue
    REQUIRE(shows(metrics, "hl_queued_requests 1"));
    std::promise<Reply> refused;
    service.call("add", "[1, 2]", [&](Reply r) { refused.set_value(std::move(r)); });
    const Reply r = refused.get_future().get();
    CHECK(r.status == 503);
    CHECK(r.retry_after == 1);
    CHECK(r.body == R"j({"error":{"ending":"overloaded","message":"all 1 workers are busy and 1 calls wait; try again later"}})j");
    service.drain();
    {
        std::lock_guard lock(mutex);
        CHECK(statuses == std::vector<int>{504, 200});
    }
    CHECK(call(service, "add", "[1, 2]").body ==
          R"j({"error":{"ending":"shutting down","message":"the server is shutting down; call another instance"}})j");
}

TEST_CASE("serve core: many calls from many threads on confined workers all get their own answer")
{
    HL_REQUIRE_KVM();
    const ChildResult child = in_child([] {
        MetricRegistry metrics;
        ServiceOptions options = with(2);
        options.queue_limit = 1000;
        options.confine = test_policy();
        CallService service(ready_snapshot(), options, metrics);
        std::atomic<int> wrong{0};
        std::vector<std::thread> clients;
        for (int t = 0; t < 4; ++t)
            clients.emplace_back([&, t] {
                for (int i = 0; i < 50; ++i) {
                    const int a = t * 1000 + i;
                    const auto reply = answer_of(service, "add", "[" + std::to_string(a) + ", 1]", false);
                    const std::string body = reply ? reply->body : "(no answer)";
                    if (body != "{\"value\":" + std::to_string(a + 1) + "}" && wrong++ == 0)
                        std::fprintf(stderr, "%s\n", body.c_str());
                }
            });
        for (auto& client : clients)
            client.join();
        if (wrong != 0)
            std::fprintf(stderr, "%d wrong answers\n", wrong.load());
        return wrong == 0 && metrics.render().find("hl_requests_total{function=\"add\",status=\"200\"} 200\n") !=
                                 std::string::npos
                   ? 0
                   : 1;
    });
    CHECK(child.err == "");
    CHECK(child.status == 0);
}

TEST_CASE("serve core: draining past its grace cancels what runs and refuses what waits")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    CallService service(ready_snapshot(), with(1), metrics);   // no timeout: spin never ends by itself
    std::promise<Reply> spun, waited;
    service.call("spin", "[]", [&](Reply r) { spun.set_value(std::move(r)); });
    REQUIRE(shows(metrics, "hl_queued_requests 0"));
    service.call("add", "[1, 2]", [&](Reply r) { waited.set_value(std::move(r)); });
    service.drain(200ms);
    const Reply cancelled = spun.get_future().get();
    CHECK(cancelled.status == 503);
    CHECK(cancelled.body.rfind(R"j({"error":{"ending":"cancelled",)j", 0) == 0);
    CHECK(waited.get_future().get().body ==
          R"j({"error":{"ending":"shutting down","message":"the server is shutting down; call another instance"}})j");
}

TEST_CASE("serve core: --max-inflight bounds the calls admitted, waiting or running")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    ServiceOptions options = with(1);
    options.queue_limit = 10;
    options.max_inflight = 1;
    options.sandbox.timeout = 300ms;
    CallService service(ready_snapshot(), options, metrics);
    std::promise<Reply> spun;
    service.call("spin", "[]", [&](Reply r) { spun.set_value(std::move(r)); });
    const Reply r = call(service, "add", "[1, 2]");   // the queue has room, the bound has not
    CHECK(r.status == 503);
    CHECK(r.retry_after == 1);
    CHECK(spun.get_future().get().status == 504);
    REQUIRE(shows(metrics, "hl_inflight_requests 0"));   // once its reply function has returned
    CHECK(call(service, "add", "[1, 2]").body == R"j({"value":3})j");
}

TEST_CASE("serve core: a reply function that throws leaves the worker serving")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    CallService service(ready_snapshot(), with(1), metrics);
    service.call("add", "[1, 2]", [](Reply) { throw std::runtime_error("the client went away"); });
    CHECK(call(service, "add", "[2, 2]").body == R"j({"value":4})j");
}

TEST_CASE("serve core: options it cannot serve with are refused with one line")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    CHECK_THROWS_WITH(CallService(ready_snapshot(), with(0), metrics), "--workers: 0; expected at least one worker");
    ServiceOptions no_queue = with(1);
    no_queue.queue_limit = 0;
    CHECK_THROWS_WITH(CallService(ready_snapshot(), no_queue, metrics),
                      "--queue: 0; expected room for at least one call waiting for a worker");
    // A worker that cannot confine its thread: the service stops what it started and says why.
    ServiceOptions unconfinable = with(2);
    unconfinable.confine = ConfinePolicy{};
    unconfinable.confine->extra_syscalls = {"no_such_call"};
    CHECK_THROWS_WITH(CallService(ready_snapshot(), unconfinable, metrics),
                      "confine: 'no_such_call' is not a system call of this architecture (see syscalls(2))");
    auto sandbox = ready_functions_guest();
    REQUIRE(sandbox->call("next", {}).ending == RunResult::Ending::Returned);
    CHECK_THROWS_WITH(CallService(sandbox->snapshot(), with(1), metrics),
                      "the snapshot was taken after calls ran, so calls cannot start fresh from it; take it right "
                      "after initialisation, or serve with --keep-state");
}

namespace {

// A sandbox of the functions guest with twice the memory: restoring the
// service's snapshot into it fails (another size), as a restore that meets
// a host error would.
Sandbox mismatched_sandbox()
{
    SandboxOptions options;
    options.memory_size = 2 * ready_snapshot().memory_size();
    return Sandbox::from_snapshot(ready_functions_guest(options)->snapshot(), {});
}

std::string rendered(const MetricRegistry& metrics) { return metrics.render(); }

} // namespace

TEST_CASE("serve core: a sandbox whose restore fails is replaced, and the next call starts fresh")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    ServiceOptions options = with(1);
    std::atomic<int> made{0};
    options.make_sandbox = [&made](const Snapshot& ready, const SandboxOptions& sandbox) {
        return made++ == 0 ? mismatched_sandbox() : Sandbox::from_snapshot(ready, sandbox);
    };
    CallService service(ready_snapshot(), options, metrics);
    CHECK(call(service, "next", "[]").body == R"j({"value":101})j");
    // The restore after it failed; the keeper made a new sandbox from the snapshot.
    CHECK(call(service, "next", "[]").body == R"j({"value":101})j");
    CHECK(call(service, "next", "[]").body == R"j({"value":101})j");
    CHECK(made == 2);
    const std::string text = rendered(metrics);
    CHECK(text.find("hl_sandboxes_replaced_total 1\n") != std::string::npos);
    CHECK(text.find("hl_pool_sandboxes 1\n") != std::string::npos);
}

TEST_CASE("serve core: a worker whose sandbox cannot be replaced leaves, and calls then get 503 no sandbox")
{
    HL_REQUIRE_KVM();
    MetricRegistry metrics;
    ServiceOptions options = with(1);
    std::atomic<int> made{0};
    options.make_sandbox = [&made](const Snapshot&, const SandboxOptions&) -> Sandbox {
        if (made++ == 0)
            return mismatched_sandbox();
        throw Error("out of memory, say");
    };
    CallService service(ready_snapshot(), options, metrics);
    CHECK(call(service, "add", "[1, 2]").body == R"j({"value":3})j");
    // The worker restores, fails, asks for a new sandbox, gets none and
    // leaves; a call admitted meanwhile is refused as it leaves.
    const Reply refused = call(service, "add", "[1, 2]");
    CHECK(refused.status == 503);
    CHECK(refused.body == R"j({"error":{"ending":"no sandbox","message":"no worker has a sandbox left: new ones could not be made"}})j");
    CHECK(call(service, "add", "[1, 2]").status == 503);
    const std::string text = rendered(metrics);
    CHECK(text.find("hl_pool_sandboxes 0\n") != std::string::npos);
    CHECK(text.find("hl_sandboxes_replaced_total 0\n") != std::string::npos);
}
