// The metrics hlrun serve exposes at GET /metrics, in the Prometheus text
// format (version 0.0.4): counters and gauges by label set, and histograms
// of durations in seconds with fixed buckets. Safe to update from any
// thread; render() reads a consistent-enough snapshot (each number
// atomically, as Prometheus's own client libraries do). Pure.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hl::cli {

// Label names and values, in the order the family declares the names.
using LabelValues = std::vector<std::string>;

class MetricFamily {
public:
    enum class Kind { Counter, Gauge, Histogram };
    MetricFamily(std::string name, std::string help, Kind kind, std::vector<std::string> label_names,
                 std::vector<double> buckets = {});

    // Counters and gauges.
    void add(const LabelValues& labels, int64_t delta);
    void set(const LabelValues& labels, int64_t value);
    int64_t value(const LabelValues& labels) const;
    // Histograms.
    void observe(const LabelValues& labels, std::chrono::nanoseconds duration);

    void render(std::string& out) const;
    const std::string& name() const { return name_; }
    bool same_kind(Kind kind, const std::vector<std::string>& labels, const std::vector<double>& buckets) const
    {
        return kind == kind_ && labels == label_names_ && buckets == buckets_;
    }

private:
    struct Series {
        std::atomic<int64_t> value{0};                        // counter, gauge
        std::unique_ptr<std::atomic<uint64_t>[]> counts;      // histogram: per bucket, then +Inf
        std::atomic<uint64_t> count{0}, sum_ns{0};
    };
    Series& series(const LabelValues& labels);
    std::string label_text(const LabelValues& labels, const std::string& extra_name = {},
                           const std::string& extra_value = {}) const;

    std::string name_, help_;
    Kind kind_;
    std::vector<std::string> label_names_;
    std::vector<double> buckets_;   // upper bounds in seconds, increasing
    mutable std::mutex mutex_;      // guards the map, not the numbers
    std::map<LabelValues, std::unique_ptr<Series>> series_;
};

// The families in the order they render. Asking twice for one name gives the
// family already there when its kind and labels are the same (two services
// on one registry share their series), and throws std::logic_error when not.
class MetricRegistry {
public:
    MetricFamily& counter(std::string name, std::string help, std::vector<std::string> labels = {});
    MetricFamily& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
    MetricFamily& histogram(std::string name, std::string help, std::vector<double> buckets,
                            std::vector<std::string> labels = {});
    std::string render() const;

private:
    MetricFamily& add(std::string name, std::string help, MetricFamily::Kind kind, std::vector<std::string> labels,
                      std::vector<double> buckets);
    std::vector<std::unique_ptr<MetricFamily>> families_;
};

// "a\"b" for a label value: backslash, double quote and newline escaped.
std::string escape_label_value(const std::string& value);

} // namespace hl::cli
