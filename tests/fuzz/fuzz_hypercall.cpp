// libFuzzer target: VM exits as a hostile guest can cause them, through
// handle_exit, the function the run loop calls for every exit (hypercall
// decoding, request blocks, host calls, fault reports), over real guest memory
// built from the Layout of a real image; a call that returns then has its
// result read by read_call_result, as Sandbox::call does. The input is a
// sequence of exits with the bytes the guest stored first (hypercall_input.hpp).
//
// The guest cannot make the host throw here: any exception, crash or sanitizer
// report is a finding, and so are these broken promises of the Security
// section: the host wrote guest memory the guest may not write, a run ended
// with a message that is not one line of plain text (valid UTF-8, no C0 or
// C1 control: hl-abi(7), TEXT FROM THE GUEST), or the trace of the exits, as
// the text, JSON Lines and Chrome sinks write it, is not such text.
#include "fake_backend.hpp"
#include "hypercall_input.hpp"
#include "plain_text.hpp"

#include "call_frame.hpp"
#include "elf_builder.hpp"
#include "exit_handler.hpp"
#include "run_timer.hpp"

#include <hl/abi.h>
#include <hl/guest_memory.hpp>
#include <hl/host_function.hpp>
#include <hl/layout.hpp>
#include <hl/text.hpp>
#include <hl/trace.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

using namespace hl;

namespace {

[[noreturn]] void finding(const std::string& what)
{
    std::fprintf(stderr, "fuzz_hypercall: %s\n", what.c_str());
    std::abort();
}

// Host functions of every type, so that every argument and result path is used.
std::vector<HostFunction> host_functions()
{
    return {
        make_host_function("echo", [](std::string s) { return s; }),
        make_host_function("blob", [](std::span<const uint8_t> b) { return Bytes(b.begin(), b.end()); }),
        // Longer than HL_VALUE_MAX on demand: results that do not fit.
        make_host_function("repeat", [](uint64_t n) { return std::string(std::min<uint64_t>(n, 3 * HL_VALUE_MAX / 2), 'x'); }),
        make_host_function("add", [](int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }),
        make_host_function("narrow", [](int32_t a, bool negate) { return negate ? static_cast<int32_t>(0u - static_cast<uint32_t>(a)) : a; }),
        make_host_function("half", [](double d) { return d / 2; }),
        make_host_function("nothing", [] {}),
        make_host_function("fails", [](std::string_view s) -> int64_t { throw Error("refused: " + std::string(s)); }),
        make_host_function("throws", []() -> bool { throw 42; }),
    };
}

const Image& test_image()
{
    static const Image image = test::valid();
    return image;
}

const Layout& test_layout()
{
    static const Layout layout = Layout::compute(test_image().segments(), test_image().note(), HL_MEMORY_DEFAULT);
    return layout;
}

// What the guest stores before the exit; like the guest, it cannot store past the end of its memory.
void store(GuestMemory& memory, uint64_t at, std::span<const uint8_t> bytes)
{
    if (at >= memory.size())
        return;
    const size_t room = static_cast<size_t>(memory.size() - at);
    std::copy_n(bytes.begin(), std::min(room, bytes.size()), memory.host_view().begin() + static_cast<ptrdiff_t>(at));
}

VcpuExit make_exit(const fuzz::ExitRecord& r)
{
    constexpr int kReasons = static_cast<int>(VcpuExit::Reason::Other) + 1;
    VcpuExit exit;
    exit.reason = static_cast<VcpuExit::Reason>(r.reason % kReasons);
    exit.port = r.port;
    exit.size = r.size;
    exit.value = r.value;
    exit.write = r.flags & fuzz::kFlagMmioWrite;
    exit.count = r.count;
    exit.address = r.flags & fuzz::kFlagMmioReportPage ? HL_FAULT_REPORT_PHYS : r.value;
    exit.detail = r.rip;
    exit.raw_reason = r.reason;
    return exit;
}

void check_host_writes(const GuestMemory& memory, const Layout& layout)
{
    const std::vector<uint64_t>& dirty = memory.host_dirty();
    for (size_t word = 0; word < dirty.size(); ++word) {
        for (uint64_t bits = dirty[word]; bits; bits &= bits - 1) {
            const uint64_t page = (word * 64 + static_cast<unsigned>(std::countr_zero(bits))) * HL_PAGE_SIZE;
            const auto permission = layout.permission(guest_addr(page));
            if (!permission || !permission->user || !permission->writable)
                finding("the host wrote page " + format_hex(page) + ", which the guest may not write");
        }
    }
}

void check_one_line(const std::string& message)
{
    if (!test::plain_text(message))
        finding("a message that is not one line of plain text: " + printable(message));
}

// The trace sinks of one input, each writing into memory; every byte they write must be plain text.
class TraceSinks {
public:
    TraceSinks()
    {
        for (Stream& s : streams())
            std::rewind(s.file); // the streams live on from input to input: opening costs more than a run
        text_ = std::make_unique<TextTraceSink>(streams()[0].file);
        jsonl_ = std::make_unique<JsonlTraceSink>(streams()[1].file);
        chrome_ = std::make_unique<ChromeTraceSink>(streams()[2].file);
    }

    void on_exit(const ExitEvent& event)
    {
        text_->on_exit(event);
        jsonl_->on_exit(event);
        chrome_->on_exit(event);
    }
    // Ends the trace as a run ends it and checks all three.
    void finish_and_check(const RunResult& result)
    {
        text_->on_run_end(result);
        jsonl_->on_run_end(result);
        chrome_->on_run_end(result);
        static constexpr const char* names[] = {"text", "JSON Lines", "Chrome"};
        for (size_t i = 0; i < std::size(names); ++i) {
            Stream& s = streams()[i];
            std::fflush(s.file); // sets size to the position: what this input wrote
            const std::string_view written(s.data, s.size);
            if (!test::plain_text(written, true))
                finding(std::string("the ") + names[i] + " trace is not plain text: " + printable(written));
        }
    }

private:
    struct Stream {
        std::FILE* file = nullptr;
        char* data = nullptr;
        size_t size = 0;
    };
    static std::array<Stream, 3>& streams()
    {
        static std::array<Stream, 3> all = [] {
            std::array<Stream, 3> opened;
            for (Stream& s : opened)
                if (!(s.file = open_memstream(&s.data, &s.size)))
                    finding("open_memstream failed");
            return opened;
        }();
        return all;
    }
    std::unique_ptr<TraceSink> text_, jsonl_, chrome_;
};

// HL_FUZZ_VERBOSE=1 prints each exit and how it was handled: for reading a finding or a seed.
const bool verbose = std::getenv("HL_FUZZ_VERBOSE") != nullptr;

void run_input(std::span<const uint8_t> input)
{
    const Layout& layout = test_layout();
    GuestMemory memory(layout);
    for (const Segment& segment : test_image().segments())
        store(memory, segment.vaddr, test_image().segment_bytes(segment));
    static const std::vector<HostFunction> host = host_functions();
    // stdout takes everything; stderr fails, and its reader is gone when the length is odd.
    const OutputFn output = [](int fd, std::span<const uint8_t> bytes) -> int64_t {
        return fd == 1 ? static_cast<int64_t>(bytes.size()) : bytes.size() % 2 ? HL_EPIPE : HL_EIO;
    };
    const InputFn no_input;
    const RunTimer timer(std::chrono::nanoseconds{0}, SIGUSR2); // arms nothing: a zero timeout
    // Registers and CR2 as the input says. Nothing is scripted: handle_exit
    // running the vCPU throws FakeMisuse, a finding.
    test::FakeBackend backend;
    test::FakeVcpu vcpu(backend);
    std::atomic<bool> cancel{false};

    TraceSinks sinks;
    RunResult last;
    fuzz::ExitRecord record;
    std::span<const uint8_t> block;
    for (size_t i = 0; i < fuzz::kMaxRecords && fuzz::next_record(input, record, block); ++i) {
        store(memory, record.block_at, block);
        backend.registers = Registers{};
        backend.registers.rsp = record.rsp;
        backend.registers.rip = backend.registers.rcx = record.rip;
        backend.fault_address = record.cr2;
        cancel = (record.flags & fuzz::kFlagCancelled) != 0;
        const Phase phase = record.phase ? Phase::Call : Phase::Program;
        ExitContext context{phase, vcpu, memory, test_image(), layout, output, no_input, host, timer,
                            std::chrono::nanoseconds{0}, cancel};
        RunResult result;
        const VcpuExit exit = make_exit(record);
        const ExitOutcome outcome = handle_exit(exit, context, result);
        const std::string call = outcome.hypercall ? describe_hypercall(*outcome.hypercall) : "";
        if (verbose)
            std::fprintf(stderr, "exit %zu: %s %s -> %s %s\n", i, exit_reason_name(exit.reason), call.c_str(),
                         outcome.done ? ending_name(result.ending) : "continue", result.message.c_str());
        check_host_writes(memory, layout);
        result.exits = i + 1;
        sinks.on_exit(make_exit_event(exit, outcome, result, vcpu, test_image()));
        if (!outcome.done)
            continue;
        check_one_line(result.message);
        last = result;
        if (result.ending == RunResult::Ending::Returned) {
            Export e;
            e.name = "f";
            e.result = fuzz::kResultTypes[record.result_type % (sizeof fuzz::kResultTypes - 1)];
            std::string error;
            const bool returned = read_call_result(memory, e, error).has_value();
            if (verbose)
                std::fprintf(stderr, "  result as %c: %s\n", e.result, returned ? "read" : error.c_str());
            if (!returned)
                check_one_line(error);
        }
    }
    sinks.finish_and_check(last);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        run_input({data, size});
    } catch (const std::exception& error) {
        finding(std::string("an exception escaped: ") + error.what());
    }
    return 0;
}
