// Run statistics: bounded histograms and the sums the --stats table prints.
#include <hl/trace_stats.hpp>

#include <catch2/catch.hpp>

using namespace hl;

TEST_CASE("latency histogram: exact count, total, min, max, quantiles within a few percent")
{
    LatencyHistogram h;
    for (uint64_t ns = 1; ns <= 100000; ++ns)
        h.record(ns * 10);
    CHECK(h.count() == 100000);
    CHECK(h.total() == 10 * (100000ull * 100001ull / 2));
    CHECK(h.min() == 10);
    CHECK(h.max() == 1000000);
    CHECK(h.quantile(0.5) == Approx(500000).epsilon(0.04));
    CHECK(h.quantile(0.99) == Approx(990000).epsilon(0.04));
    CHECK(h.quantile(1.0) <= h.max());
    CHECK(h.quantile(0.0) >= h.min());
    LatencyHistogram empty;
    CHECK(empty.quantile(0.5) == 0);
    CHECK(empty.min() == 0);
}

TEST_CASE("latency histogram: small values are exact and huge ones do not overflow")
{
    LatencyHistogram h;
    h.record(0);
    h.record(7);
    h.record(UINT64_MAX / 2);
    CHECK(h.quantile(0.01) == 0);
    CHECK(h.quantile(0.5) == 7);
    CHECK(h.max() == UINT64_MAX / 2);
}

TEST_CASE("run stats: rows per reason and per hypercall, guest time from the spans")
{
    RunStats stats;
    auto event = [](const char* reason, const char* call, uint64_t entry, uint64_t exit, uint64_t handled) {
        ExitEvent e;
        e.reason = reason;
        if (call) {
            e.hypercall.emplace();
            e.hypercall->name = call;
        }
        e.entry_ns = entry;
        e.exit_ns = exit;
        e.handled_ns = handled;
        return e;
    };
    stats.on_exit(event("io-out", "write", 0, 100, 110));
    stats.on_exit(event("io-out", "write", 110, 200, 230));
    stats.on_exit(event("interrupted", nullptr, 230, 1000, 1001));
    ExitEvent kernel = event("kvm_pio", nullptr, 50, 50, 50);
    kernel.origin = "kernel";
    stats.on_exit(kernel); // counted by the kernel cross-check, not here
    RunResult result;
    result.duration = std::chrono::nanoseconds(1100);
    stats.on_run_end(result);
    CHECK(stats.events() == 3);
    CHECK(stats.guest_ns() == 100 + 90 + 770);
    CHECK(stats.wall_ns() == 1100);
    REQUIRE(stats.reasons().size() == 2);
    CHECK(stats.reasons()[0].name == "io-out");
    CHECK(stats.reasons()[0].host_time.count() == 2);
    CHECK(stats.reasons()[0].host_time.total() == 40);
    REQUIRE(stats.hypercalls().size() == 1);
    CHECK(stats.hypercalls()[0].host_time.count() == 2);
}
