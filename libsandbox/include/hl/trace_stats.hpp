// hl::RunStats: a TraceSink that sums a run up like `perf kvm stat`: per exit
// reason and per hypercall the count, share, and the host's handling time
// (total, min, avg, p50, p99, max), plus the wall time split into time in the
// guest and time in the host. Bounded memory whatever the run's length: a
// fixed log-linear histogram per row, so p50/p99 are within ~3%.
#pragma once

#include <hl/version.hpp>

#include <hl/trace.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace hl {

class LatencyHistogram {
public:
    void record(uint64_t ns);
    uint64_t count() const { return count_; }
    uint64_t total() const { return total_; }
    uint64_t min() const { return count_ ? min_ : 0; }
    uint64_t max() const { return max_; }
    // The value at quantile q (0..1), from the bucket's midpoint, clamped to [min, max].
    uint64_t quantile(double q) const;

private:
    // 64 powers of two, each split into 16 linear steps.
    static constexpr unsigned kSubBuckets = 16;
    static size_t bucket_of(uint64_t ns);
    static uint64_t bucket_middle(size_t bucket);
    std::array<uint64_t, 64 * kSubBuckets> buckets_{};
    uint64_t count_ = 0, total_ = 0, min_ = UINT64_MAX, max_ = 0;
};

class RunStats final : public TraceSink {
public:
    struct Row {
        std::string name;
        LatencyHistogram host_time;
    };

    void on_exit(const ExitEvent& event) override;
    void on_run_end(const RunResult& result) override;

    const std::vector<Row>& reasons() const { return reasons_; }
    const std::vector<Row>& hypercalls() const { return hypercalls_; }
    const std::vector<Row>& syscalls() const { return syscalls_; }
    uint64_t events() const { return events_; }
    uint64_t guest_ns() const { return guest_ns_; }
    uint64_t wall_ns() const { return wall_ns_; }

    void print_table(std::FILE* out) const;
    void print_json(std::FILE* out) const;
    // The object print_json prints (schema hl-stats/1), without the newline.
    std::string json() const;

private:
    static Row& row(std::vector<Row>& rows, std::string_view name);
    std::vector<Row> reasons_, hypercalls_, syscalls_;
    uint64_t events_ = 0, guest_ns_ = 0, wall_ns_ = 0;
};

} // namespace hl
