// hlrun serve's Prometheus metrics (cli/serve/metrics.hpp): the exact text.
#include "serve/metrics.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <vector>

using namespace hl::cli;
using namespace std::chrono_literals;

TEST_CASE("metrics: counters, gauges and histograms in the Prometheus text format")
{
    MetricRegistry registry;
    MetricFamily& requests = registry.counter("hl_requests_total", "Requests answered.", {"function", "status"});
    MetricFamily& inflight = registry.gauge("hl_inflight_requests", "Requests being answered.");
    MetricFamily& latency = registry.histogram("hl_request_duration_seconds", "Request latency.", {0.001, 0.01, 0.1});
    requests.add({"add", "200"}, 1);
    requests.add({"add", "200"}, 2);
    requests.add({"crash", "500"}, 1);
    inflight.set({}, 3);
    inflight.add({}, -1);
    latency.observe({}, 500us);
    latency.observe({}, 1ms);   // on a bound: in that bucket (le is <=)
    latency.observe({}, 50ms);
    latency.observe({}, 2s);
    CHECK(requests.value({"add", "200"}) == 3);
    CHECK(requests.value({"add", "404"}) == 0);
    CHECK(registry.render() == "# HELP hl_requests_total Requests answered.\n"
                               "# TYPE hl_requests_total counter\n"
                               "hl_requests_total{function=\"add\",status=\"200\"} 3\n"
                               "hl_requests_total{function=\"crash\",status=\"500\"} 1\n"
                               "# HELP hl_inflight_requests Requests being answered.\n"
                               "# TYPE hl_inflight_requests gauge\n"
                               "hl_inflight_requests 2\n"
                               "# HELP hl_request_duration_seconds Request latency.\n"
                               "# TYPE hl_request_duration_seconds histogram\n"
                               "hl_request_duration_seconds_bucket{le=\"0.001\"} 2\n"
                               "hl_request_duration_seconds_bucket{le=\"0.01\"} 2\n"
                               "hl_request_duration_seconds_bucket{le=\"0.1\"} 3\n"
                               "hl_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"
                               "hl_request_duration_seconds_sum 2.0515\n"
                               "hl_request_duration_seconds_count 4\n");
}

TEST_CASE("metrics: before anything happens families without labels show zeros, and label values are escaped")
{
    MetricRegistry registry;
    registry.counter("hl_replaced_total", "Sandboxes replaced.");
    registry.histogram("hl_restore_duration_seconds", "Restore latency.", {0.5});
    MetricFamily& odd = registry.counter("hl_odd_total", "Odd labels.", {"name"});
    odd.add({"a\"b\\c\nd"}, 1);
    CHECK(registry.render() == "# HELP hl_replaced_total Sandboxes replaced.\n"
                               "# TYPE hl_replaced_total counter\n"
                               "hl_replaced_total 0\n"
                               "# HELP hl_restore_duration_seconds Restore latency.\n"
                               "# TYPE hl_restore_duration_seconds histogram\n"
                               "hl_restore_duration_seconds_bucket{le=\"0.5\"} 0\n"
                               "hl_restore_duration_seconds_bucket{le=\"+Inf\"} 0\n"
                               "hl_restore_duration_seconds_sum 0\n"
                               "hl_restore_duration_seconds_count 0\n"
                               "# HELP hl_odd_total Odd labels.\n"
                               "# TYPE hl_odd_total counter\n"
                               "hl_odd_total{name=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("metrics: updates from many threads all count")
{
    MetricRegistry registry;
    MetricFamily& requests = registry.counter("hl_requests_total", "Requests.", {"function"});
    MetricFamily& latency = registry.histogram("hl_latency_seconds", "Latency.", {0.001});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10000; ++i) {
                requests.add({t % 2 ? "odd" : "even"}, 1);
                latency.observe({}, 10us);
            }
        });
    for (auto& thread : threads)
        thread.join();
    CHECK(requests.value({"odd"}) == 20000);
    CHECK(requests.value({"even"}) == 20000);
    CHECK(registry.render().find("hl_latency_seconds_count 40000\n") != std::string::npos);
    CHECK_THROWS_WITH(requests.add({}, 1), "hl_requests_total: 0 label values for 1 labels");
}

TEST_CASE("metrics: a name registered twice is one family, and only of one kind")
{
    MetricRegistry registry;
    MetricFamily& first = registry.counter("hl_requests_total", "Requests.", {"function"});
    CHECK(&registry.counter("hl_requests_total", "Requests.", {"function"}) == &first);
    CHECK_THROWS_WITH(registry.gauge("hl_requests_total", "Requests."),
                      "metric hl_requests_total is registered already, of another kind or labels");
    CHECK_THROWS_WITH(registry.counter("hl_requests_total", "Requests.", {"status"}),
                      "metric hl_requests_total is registered already, of another kind or labels");
    first.add({"add"}, 1);
    const std::string text = registry.render();
    CHECK(text.find("# TYPE hl_requests_total counter") == text.rfind("# TYPE hl_requests_total counter"));
}
