// Run statistics (see trace_stats.hpp).
#include "trace/json_writer.hpp"

#include <hl/trace_stats.hpp>

#include <algorithm>
#include <bit>

namespace hl {

size_t LatencyHistogram::bucket_of(uint64_t ns)
{
    if (ns < kSubBuckets)
        return ns; // exact below 16 ns
    const unsigned top = 63 - static_cast<unsigned>(std::countl_zero(ns));
    const uint64_t step = (ns >> (top - 4)) & (kSubBuckets - 1); // the 4 bits below the top one
    return top * kSubBuckets + step;
}

uint64_t LatencyHistogram::bucket_middle(size_t bucket)
{
    if (bucket < kSubBuckets)
        return bucket;
    const unsigned top = static_cast<unsigned>(bucket / kSubBuckets);
    const uint64_t step = bucket % kSubBuckets;
    const uint64_t low = (uint64_t{1} << top) | (step << (top - 4));
    return low + (uint64_t{1} << (top - 4)) / 2;
}

void LatencyHistogram::record(uint64_t ns)
{
    ++buckets_[bucket_of(ns)];
    ++count_;
    total_ += ns;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
}

uint64_t LatencyHistogram::quantile(double q) const
{
    if (count_ == 0)
        return 0;
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(q * static_cast<double>(count_) + 0.5));
    uint64_t seen = 0;
    for (size_t b = 0; b < buckets_.size(); ++b) {
        seen += buckets_[b];
        if (seen >= rank)
            return std::clamp(bucket_middle(b), min(), max());
    }
    return max_;
}

RunStats::Row& RunStats::row(std::vector<Row>& rows, std::string_view name)
{
    for (Row& r : rows)
        if (r.name == name)
            return r;
    rows.push_back({std::string(name), {}});
    return rows.back();
}

void RunStats::on_exit(const ExitEvent& event)
{
    if (std::string_view(event.origin) != "user")
        return; // kernel events are counted by the kernel cross-check, not here
    ++events_;
    guest_ns_ += event.exit_ns - event.entry_ns;
    const uint64_t host = event.handled_ns - event.exit_ns;
    row(reasons_, event.reason).host_time.record(host);
    if (event.hypercall)
        row(event.hypercall->system_call ? syscalls_ : hypercalls_, event.hypercall->name).host_time.record(host);
}

void RunStats::on_run_end(const RunResult& result)
{
    wall_ns_ = static_cast<uint64_t>(result.duration.count());
}

namespace {

double us(uint64_t ns) { return static_cast<double>(ns) / 1e3; }

double percent(uint64_t part, uint64_t whole) { return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0; }

void print_rows(std::FILE* out, const char* title, const std::vector<RunStats::Row>& rows, uint64_t events)
{
    std::fprintf(out, "%-16s %8s %7s %12s %10s %10s %10s %10s %10s\n", title, "count", "share", "total(us)",
                 "min(us)", "avg(us)", "p50(us)", "p99(us)", "max(us)");
    for (const auto& r : rows) {
        const LatencyHistogram& h = r.host_time;
        std::fprintf(out, "%-16s %8llu %6.1f%% %12.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n", r.name.c_str(),
                     static_cast<unsigned long long>(h.count()), percent(h.count(), events), us(h.total()),
                     us(h.min()), h.count() ? us(h.total()) / static_cast<double>(h.count()) : 0.0,
                     us(h.quantile(0.5)), us(h.quantile(0.99)), us(h.max()));
    }
}

void json_rows(std::string& out, const std::vector<RunStats::Row>& rows, uint64_t events)
{
    out += '[';
    for (size_t i = 0; i < rows.size(); ++i) {
        const LatencyHistogram& h = rows[i].host_time;
        bool first = true;
        out += i ? ",{" : "{";
        json::field(out, "name", rows[i].name, first);
        json::field(out, "count", h.count(), first);
        json::field(out, "share", percent(h.count(), events) / 100.0, first);
        for (const auto& [name, value] :
             {std::pair{"total_ns", h.total()}, {"min_ns", h.min()}, {"avg_ns", h.count() ? h.total() / h.count() : 0},
              {"p50_ns", h.quantile(0.5)}, {"p99_ns", h.quantile(0.99)}, {"max_ns", h.max()}})
            json::field(out, name, value, first);
        out += '}';
    }
    out += ']';
}

} // namespace

void RunStats::print_table(std::FILE* out) const
{
    const uint64_t host = wall_ns_ > guest_ns_ ? wall_ns_ - guest_ns_ : 0;
    std::fprintf(out, "\n%llu exits in %.3f ms: guest %.3f ms (%.1f%%), host %.3f ms (%.1f%%)\n\n",
                 static_cast<unsigned long long>(events_), static_cast<double>(wall_ns_) / 1e6,
                 static_cast<double>(guest_ns_) / 1e6, percent(guest_ns_, wall_ns_), static_cast<double>(host) / 1e6,
                 percent(host, wall_ns_));
    print_rows(out, "exit reason", reasons_, events_);
    if (!hypercalls_.empty()) {
        std::fputc('\n', out);
        print_rows(out, "hypercall", hypercalls_, events_);
    }
    if (!syscalls_.empty()) {
        std::fputc('\n', out);
        print_rows(out, "system call", syscalls_, events_);
    }
    std::fflush(out);
}

void RunStats::print_json(std::FILE* out) const
{
    const std::string text = json() + "\n";
    std::fwrite(text.data(), 1, text.size(), out);
    std::fflush(out);
}

std::string RunStats::json() const
{
    std::string text;
    bool first = true;
    text += '{';
    json::field(text, "schema", "hl-stats/1", first);
    json::field(text, "exits", events_, first);
    json::field(text, "wall_ns", wall_ns_, first);
    json::field(text, "guest_ns", guest_ns_, first);
    json::field(text, "host_ns", wall_ns_ > guest_ns_ ? wall_ns_ - guest_ns_ : 0, first);
    json::key(text, "reasons", first);
    json_rows(text, reasons_, events_);
    json::key(text, "hypercalls", first);
    json_rows(text, hypercalls_, events_);
    json::key(text, "syscalls", first);
    json_rows(text, syscalls_, events_);
    text += "}";
    return text;
}

} // namespace hl
