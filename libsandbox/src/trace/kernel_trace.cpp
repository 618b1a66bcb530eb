// KVM tracepoints through perf_event_open (see kernel_trace.hpp): one event
// per tracepoint on this thread, all writing into one ring buffer, sampled on
// every hit with CLOCK_MONOTONIC time and the raw record.
#include "arch.hpp"
#include "trace/tracepoint_format.hpp"

#include <hl/error.hpp>
#include <hl/kernel_trace.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hl {
namespace {

constexpr size_t kRingPages = 64; // 256 KiB: drained at every user-space exit

std::string paranoid_level()
{
    std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
    std::string level;
    in >> level;
    return level.empty() ? "?" : level;
}

struct Sample {
    uint64_t time = 0;
    uint64_t id = 0;
    std::vector<uint8_t> raw;
};

class PerfKernelTrace final : public KernelTrace {
public:
    explicit PerfKernelTrace(std::vector<TracepointFormat> formats) : formats_(std::move(formats)) {}

    ~PerfKernelTrace() override
    {
        if (ring_)
            munmap(ring_, ring_size_);
        for (const Tracepoint& t : open_)
            close(t.fd);
    }

    void open_all()
    {
        const pid_t thread = static_cast<pid_t>(syscall(SYS_gettid));
        for (const TracepointFormat& format : formats_) {
            perf_event_attr attr{};
            attr.type = PERF_TYPE_TRACEPOINT;
            attr.size = sizeof attr;
            attr.config = format.id;
            attr.sample_period = 1;
            attr.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW;
            attr.disabled = 1;
            attr.use_clockid = 1;
            attr.clockid = CLOCK_MONOTONIC; // the clock Sandbox times its own events with
            const int fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, thread, -1, -1, PERF_FLAG_FD_CLOEXEC));
            if (fd < 0) {
                const int error = errno;
                if (error == EACCES || error == EPERM)
                    throw Error("kernel trace not allowed: perf_event_open on KVM tracepoints needs root or "
                                "CAP_PERFMON (kernel.perf_event_paranoid is " + paranoid_level() + ")");
                continue; // a tracepoint this kernel cannot attach: leave it out
            }
            uint64_t id = 0;
            ioctl(fd, PERF_EVENT_IOC_ID, &id);
            open_.push_back({&format, fd, id, 0});
            if (open_.size() == 1)
                map_ring(fd);
            else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, open_.front().fd) < 0)
                throw Error(std::string("kernel trace: cannot share the perf ring buffer: ") + std::strerror(errno));
        }
        if (open_.empty())
            throw Error("kernel trace: no KVM tracepoint could be attached to this thread");
    }

    void start() override
    {
        for (const Tracepoint& t : open_)
            ioctl(t.fd, PERF_EVENT_IOC_ENABLE, 0);
    }

    void stop() override
    {
        for (const Tracepoint& t : open_)
            ioctl(t.fd, PERF_EVENT_IOC_DISABLE, 0);
    }

    void drain(TraceSink& sink, uint64_t run_start_ns, uint64_t sequence) override
    {
        std::vector<Sample> samples = read_ring();
        // One buffer holds several tracepoints: order them by time before emitting.
        std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.time < b.time; });
        for (const Sample& sample : samples) {
            Tracepoint* tracepoint = find(sample.id);
            if (!tracepoint)
                continue;
            ++tracepoint->count;
            ExitEvent event;
            event.origin = "kernel";
            event.sequence = sequence;
            event.reason = tracepoint->format->name.c_str();
            const uint64_t at = sample.time > run_start_ns ? sample.time - run_start_ns : 0;
            event.entry_ns = event.exit_ns = event.handled_ns = at;
            event.detail = describe_tracepoint_record(*tracepoint->format, sample.raw);
            sink.on_exit(event);
        }
    }

    std::vector<std::pair<std::string, uint64_t>> counts() const override
    {
        std::vector<std::pair<std::string, uint64_t>> out;
        for (const Tracepoint& t : open_)
            out.emplace_back(t.format->name, t.count);
        return out;
    }

    int64_t userspace_exits() const override
    {
        for (const Tracepoint& t : open_)
            if (t.format->name == "kvm_userspace_exit")
                return static_cast<int64_t>(t.count);
        return -1;
    }

    uint64_t lost() const override { return lost_; }

private:
    struct Tracepoint {
        const TracepointFormat* format;
        int fd;
        uint64_t id;
        uint64_t count;
    };

    Tracepoint* find(uint64_t id)
    {
        for (Tracepoint& t : open_)
            if (t.id == id)
                return &t;
        return nullptr;
    }

    void map_ring(int fd)
    {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        ring_size_ = (1 + kRingPages) * page;
        void* p = mmap(nullptr, ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            ring_ = nullptr;
            throw Error(std::string("kernel trace: cannot map the perf ring buffer: ") + std::strerror(errno));
        }
        ring_ = p;
    }

    // Copies len bytes at ring offset, unwrapping the end of the buffer.
    void copy_out(const uint8_t* data, uint64_t size, uint64_t offset, void* to, size_t len) const
    {
        uint8_t* out = static_cast<uint8_t*>(to);
        for (size_t i = 0; i < len; ++i)
            out[i] = data[(offset + i) % size];
    }

    std::vector<Sample> read_ring()
    {
        std::vector<Sample> samples;
        auto* meta = static_cast<perf_event_mmap_page*>(ring_);
        const uint8_t* data = static_cast<const uint8_t*>(ring_) + meta->data_offset;
        const uint64_t size = meta->data_size;
        const uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
        uint64_t tail = meta->data_tail;
        while (tail + sizeof(perf_event_header) <= head) {
            perf_event_header header;
            copy_out(data, size, tail, &header, sizeof header);
            if (header.size < sizeof header)
                break;
            if (header.type == PERF_RECORD_SAMPLE) {
                // PERF_SAMPLE_IDENTIFIER, TIME, RAW (u32 size + bytes), in that order.
                uint64_t fields[2];
                uint32_t raw_size = 0;
                copy_out(data, size, tail + sizeof header, fields, sizeof fields);
                copy_out(data, size, tail + sizeof header + sizeof fields, &raw_size, sizeof raw_size);
                Sample sample{.time = fields[1], .id = fields[0], .raw = {}};
                const size_t available = header.size - sizeof header - sizeof fields - sizeof raw_size;
                sample.raw.resize(std::min<size_t>(raw_size, available));
                copy_out(data, size, tail + sizeof header + sizeof fields + sizeof raw_size, sample.raw.data(),
                         sample.raw.size());
                samples.push_back(std::move(sample));
            } else if (header.type == PERF_RECORD_LOST) {
                uint64_t lost[2]; // id, count
                copy_out(data, size, tail + sizeof header, lost, sizeof lost);
                lost_ += lost[1];
            }
            tail += header.size;
        }
        __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
        return samples;
    }

    std::vector<TracepointFormat> formats_;
    std::vector<Tracepoint> open_;
    void* ring_ = nullptr;
    size_t ring_size_ = 0;
    uint64_t lost_ = 0;
};

} // namespace

std::unique_ptr<KernelTrace> KernelTrace::open_for_this_thread()
{
    auto trace = std::make_unique<PerfKernelTrace>(read_tracepoint_formats("kvm", arch::kvm_tracepoints()));
    trace->open_all();
    return trace;
}

} // namespace hl
