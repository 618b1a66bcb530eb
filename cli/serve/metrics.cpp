// Prometheus text exposition (see metrics.hpp).
#include "serve/metrics.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace hl::cli {
namespace {

// Prometheus's float text: shortest round trip, +Inf spelled as it wants.
std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    // %.17g can print 0.10000000000000001; take the shortest that reads back.
    for (int precision = 1; precision <= 17; ++precision) {
        char shorter[32];
        std::snprintf(shorter, sizeof shorter, "%.*g", precision, value);
        if (std::strtod(shorter, nullptr) == value)
            return shorter;
    }
    return text;
}

const char* kind_name(MetricFamily::Kind kind)
{
    switch (kind) {
    case MetricFamily::Kind::Counter: return "counter";
    case MetricFamily::Kind::Gauge: return "gauge";
    default: return "histogram";
    }
}

} // namespace

std::string escape_label_value(const std::string& value)
{
    std::string out;
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

MetricFamily::MetricFamily(std::string name, std::string help, Kind kind, std::vector<std::string> label_names,
                           std::vector<double> buckets)
    : name_(std::move(name)), help_(std::move(help)), kind_(kind), label_names_(std::move(label_names)),
      buckets_(std::move(buckets))
{
}

MetricFamily::Series& MetricFamily::series(const LabelValues& labels)
{
    if (labels.size() != label_names_.size())
        throw std::logic_error(name_ + ": " + std::to_string(labels.size()) + " label values for " +
                               std::to_string(label_names_.size()) + " labels");
    std::lock_guard lock(mutex_);
    auto& slot = series_[labels];
    if (!slot) {
        slot = std::make_unique<Series>();
        if (kind_ == Kind::Histogram) {
            slot->counts = std::make_unique<std::atomic<uint64_t>[]>(buckets_.size() + 1);
            for (size_t i = 0; i <= buckets_.size(); ++i)
                slot->counts[i] = 0;
        }
    }
    return *slot;
}

void MetricFamily::add(const LabelValues& labels, int64_t delta) { series(labels).value += delta; }
void MetricFamily::set(const LabelValues& labels, int64_t value) { series(labels).value = value; }

int64_t MetricFamily::value(const LabelValues& labels) const
{
    std::lock_guard lock(mutex_);
    const auto it = series_.find(labels);
    return it == series_.end() ? 0 : it->second->value.load();
}

void MetricFamily::observe(const LabelValues& labels, std::chrono::nanoseconds duration)
{
    Series& s = series(labels);
    const double seconds = static_cast<double>(duration.count()) / 1e9;
    size_t bucket = 0;
    while (bucket < buckets_.size() && seconds > buckets_[bucket])
        ++bucket;
    s.counts[bucket] += 1;   // non-cumulative here; render() adds them up
    s.count += 1;
    s.sum_ns += static_cast<uint64_t>(duration.count() > 0 ? duration.count() : 0);
}

std::string MetricFamily::label_text(const LabelValues& labels, const std::string& extra_name,
                                     const std::string& extra_value) const
{
    std::string text;
    for (size_t i = 0; i < labels.size(); ++i)
        text += (text.empty() ? "" : ",") + label_names_[i] + "=\"" + escape_label_value(labels[i]) + "\"";
    if (!extra_name.empty())
        text += (text.empty() ? "" : ",") + extra_name + "=\"" + extra_value + "\"";
    return text.empty() ? text : "{" + text + "}";
}

void MetricFamily::render(std::string& out) const
{
    out += "# HELP " + name_ + " " + help_ + "\n# TYPE " + name_ + " " + kind_name(kind_) + "\n";
    std::lock_guard lock(mutex_);
    auto one = [&](const LabelValues& labels, const Series* s) {
        if (kind_ != Kind::Histogram) {
            out += name_ + label_text(labels) + " " + std::to_string(s ? s->value.load() : 0) + "\n";
            return;
        }
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= buckets_.size(); ++i) {
            cumulative += s ? s->counts[i].load() : 0;
            out += name_ + "_bucket" + label_text(labels, "le", i < buckets_.size() ? number(buckets_[i]) : "+Inf") +
                   " " + std::to_string(cumulative) + "\n";
        }
        const double sum = s ? static_cast<double>(s->sum_ns.load()) / 1e9 : 0;
        out += name_ + "_sum" + label_text(labels) + " " + number(sum) + "\n";
        out += name_ + "_count" + label_text(labels) + " " + std::to_string(s ? s->count.load() : 0) + "\n";
    };
    // A family without labels shows its one series even before anything happened.
    if (series_.empty() && label_names_.empty())
        one({}, nullptr);
    for (const auto& [labels, s] : series_)
        one(labels, s.get());
}

MetricFamily& MetricRegistry::add(std::string name, std::string help, MetricFamily::Kind kind,
                                  std::vector<std::string> labels, std::vector<double> buckets)
{
    for (const auto& family : families_)
        if (family->name() == name) {
            if (!family->same_kind(kind, labels, buckets))
                throw std::logic_error("metric " + name + " is registered already, of another kind or labels");
            return *family;
        }
    families_.push_back(std::make_unique<MetricFamily>(std::move(name), std::move(help), kind, std::move(labels),
                                                       std::move(buckets)));
    return *families_.back();
}

MetricFamily& MetricRegistry::counter(std::string name, std::string help, std::vector<std::string> labels)
{
    return add(std::move(name), std::move(help), MetricFamily::Kind::Counter, std::move(labels), {});
}

MetricFamily& MetricRegistry::gauge(std::string name, std::string help, std::vector<std::string> labels)
{
    return add(std::move(name), std::move(help), MetricFamily::Kind::Gauge, std::move(labels), {});
}

MetricFamily& MetricRegistry::histogram(std::string name, std::string help, std::vector<double> buckets,
                                        std::vector<std::string> labels)
{
    return add(std::move(name), std::move(help), MetricFamily::Kind::Histogram, std::move(labels), std::move(buckets));
}

std::string MetricRegistry::render() const
{
    std::string out;
    for (const auto& family : families_)
        family->render(out);
    return out;
}

} // namespace hl::cli
