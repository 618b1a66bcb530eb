// hl::Sandbox: one micro-VM running one guest image. Construction builds the
// whole machine (memory, page tables, CPU tables, VM, vCPU); run() boots the
// guest with its arguments and returns how the run ended.
//
// Function guests (HL_EXPORT + hl_serve) are used as functions:
//   Sandbox s(image, options);
//   s.initialize();                        // runs init until the guest is ready
//   RunResult r = s.call("add", {int64_t{2}, int64_t{3}});   // r.value == int64_t{5}
//   Snapshot clean = s.snapshot();  ...  s.restore(clean);
// A call that ends other than by returning (fault, timeout, exit limit,
// cancel, abort, exit, output closed, host error) poisons the sandbox, and so
// does a restore that fails part-way: further calls throw CallError until
// restore().
// set_fresh_per_call(true) starts every call from the state right after
// initialisation, so no state leaks from one call to the next.
//
// Threading: a Sandbox is used by one thread at a time; run() arms a timer
// that signals the calling thread (KvmVcpu::interrupt_signal(), a real-time
// signal whose handler libsandbox installs, without SA_RESTART) to stop an
// overdue guest, wherever the thread is then: in the guest, or blocked in an
// OutputFn or a host function (see OutputFn and run_interrupted() below).
#pragma once

#include <hl/version.hpp>

#include <hl/host_function.hpp>
#include <hl/image.hpp>
#include <hl/profile.hpp>
#include <hl/kernel_trace.hpp>
#include <hl/layout.hpp>
#include <hl/run_result.hpp>
#include <hl/trace.hpp>
#include <hl/typed_call.hpp>
#include <hl/value.hpp>

#include <chrono>
#include <filesystem>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hl {

class Vm; // a hypervisor backend's VM (libsandbox/src/backend.hpp)
class GdbServer; // hl/gdb.hpp

// Where guest output goes: fd is 1 (stdout) or 2 (stderr). Returns bytes
// written or a negative HL_E* code, which the guest sees as the result of its
// write. HL_EPIPE says that the reader of fd is gone: the guest does not
// resume, and the run or call ends with Ending::OutputClosed ("guest stopped:
// the reader of stdout closed it").
//
// An OutputFn may block (a full pipe, a slow socket): the timeout and
// InterruptHandle::cancel() reach it as the interrupt signal, whose handler
// has no SA_RESTART, so a system call blocked on the running thread fails with
// EINTR (or returns short); after a timeout the signal comes again every 10 ms.
// An OutputFn that retries must give up once run_interrupted() is true: the
// run then ends (TimedOut or Cancelled) as soon as it returns, whatever it
// returned, and the guest never sees that result. (A cancel that lands in the
// instant before a blocking call starts is seen only when that call returns.)
using OutputFn = std::function<int64_t(int fd, std::span<const uint8_t> bytes)>;

// The default OutputFn: writes all of bytes to the host's own fd 1 or 2 and
// returns its length; on EINTR or a short write it goes on until
// run_interrupted(), then returns the bytes written so far, or HL_EINTR if
// none. HL_EPIPE when the reader is gone (the process must ignore SIGPIPE to
// get EPIPE, as hlrun does; otherwise the kernel ends it first); HL_EIO, or
// the bytes written before, for any other failure.
int64_t write_to_host_fd(int fd, std::span<const uint8_t> bytes);

// Where a guest's standard input (fd 0) comes from: fills buffer with up to
// buffer.size() bytes and returns how many, 0 at the end of the input, or a
// negative HL_E* code the guest sees as the result of its read. It may block,
// under the same rules as an OutputFn.
using InputFn = std::function<int64_t(std::span<uint8_t> buffer)>;

// An InputFn that reads the host's own fd 0, retrying on EINTR until
// run_interrupted(); HL_EINTR then, HL_EIO when the read fails.
int64_t read_from_host_stdin(std::span<uint8_t> buffer);

// Whether the run, initialisation or call that the calling thread is
// executing has been told to stop: its timeout passed, or an InterruptHandle
// cancelled it. False on a thread that executes none. For OutputFns and host
// functions that block.
bool run_interrupted();

// A host directory the guest may read, at an absolute guest path (hlrun
// --dir): what the Linux personality's open and stat calls can see, and
// nothing else of the host's files (hl-abi(7), FILES).
struct MappedDirectory {
    std::string host;    // a directory, opened when the Sandbox is built
    std::string guest;   // absolute and normal: "/data", "/" (no "." or "..")
};

// A terminal's size in character cells, as ioctl(TIOCGWINSZ) reports it.
struct TerminalSize {
    uint16_t rows = 24;
    uint16_t columns = 80;
};

struct SandboxOptions {
    uint64_t memory_size = HL_MEMORY_DEFAULT;
    std::chrono::nanoseconds timeout{0};   // 0: no limit (per run, initialisation or call)
    uint64_t max_exits = 0;                // 0: no limit (per run, initialisation or call)
    OutputFn output = write_to_host_fd;
    TraceSink* trace = nullptr;            // not owned; must outlive run()
    // Sampled stacks of the guest go here (hl/profile.hpp); not owned, null:
    // no profiling. profile_hz: samples a second while the guest runs.
    Profile* profile = nullptr;
    unsigned profile_hz = 997;
    // Kernel events to merge into trace (opened on the thread that calls
    // run()); not owned. Ignored without a trace sink.
    KernelTrace* kernel_trace = nullptr;
    // The guest's fd 0; empty: it reads end of file at once (a library must
    // not take its host's stdin unasked; hlrun passes read_from_host_stdin).
    InputFn input{};
    // Static Linux executables (Personality::Linux): their environment,
    // "NAME=VALUE" each, none by default.
    std::vector<std::string> environment{};
    // Linux system calls the personality does not serve end the run as a
    // guest fault naming the call, instead of returning ENOSYS.
    bool strict_syscalls = false;
    // Host directories the guest may read, each at its guest path (the
    // innermost wins where they nest). Empty: every path is ENOENT.
    std::vector<MappedDirectory> directories{};
    // Whether the guest's stdout (fd 1) and stderr (fd 2) are terminals, and
    // of what size; unset, the default: they are not. The guest buffers its
    // output by it, as C libraries do natively: stdout line by line on a
    // terminal, in blocks otherwise (the tiny libc: 16 KiB; musl: 1 KiB), so a
    // guest printing many lines into a file or pipe makes few exits. The tiny
    // libc learns it from the boot info (HL_BOOT_STDOUT_TERMINAL,
    // HL_BOOT_STDERR_TERMINAL); musl and static Linux executables from
    // ioctl(TIOCGWINSZ), which the Linux personality answers with this size
    // for a terminal and with ENOTTY otherwise. The library never guesses
    // from its own descriptors, since output goes wherever `output` sends it;
    // hlrun sets them from isatty(1), isatty(2) and the terminal's size.
    std::optional<TerminalSize> stdout_terminal{};
    std::optional<TerminalSize> stderr_terminal{};
    // When a run, initialisation or call ends Faulted, Aborted, TimedOut or
    // ExitLimit, an ELF core file of the guest is written here before it
    // returns (hl/core_file.hpp), whole or not at all, replacing the last
    // one; RunResult::core_file or core_error says what became of it. Empty:
    // none. It creates a file: a thread confined by hl::confine_this_thread
    // cannot, and calls Sandbox::write_core on a file its parent made instead.
    std::filesystem::path core_file{};
    // A debugger for the guest (hl/gdb.hpp), not owned, accepted already:
    // the first stretch (run(), initialize(), or the first call of a sandbox
    // from a snapshot) stops before the guest's first instruction and waits
    // for gdb's commands; every stretch stops at gdb's breakpoints and
    // steps, at a Ctrl-C, and, before it ends, at a fault, an abort or the
    // exit limit, so that gdb sees where. No timeout applies while a debugger
    // is attached: a person sets the pace. Null: none.
    GdbServer* gdb = nullptr;
};

// Memory and vCPU state of a Sandbox at one moment between calls. Cheap to
// copy (shared). Its memory is a sealed in-memory file holding only the pages
// that differ from zero; sandboxes restored to it or made from it
// (Sandbox::from_snapshot) map those pages copy-on-write, so they share every
// page none of them wrote.
class Snapshot {
public:
    Snapshot() = default;
    bool empty() const { return !data_; }
    // The guest memory it holds, as SandboxOptions::memory_size; 0 when empty.
    uint64_t memory_size() const;
    // The host memory its pages take (zero pages take none).
    uint64_t stored_bytes() const;
    // The image it runs; throws CallError when empty.
    const Image& image() const;
    // Whether it was taken right after initialize(), so that fresh calls
    // of a sandbox made from it return to it.
    bool after_initialize() const;

    // Writes it to a snapshot file (hl-snapshot(5)): the image, the vCPU
    // state, the Linux process state and the memory, its pages of zeros left
    // as holes. The file appears whole or not at all (written beside it, then
    // renamed). Throws hl::Error when it cannot be written, or when the guest
    // has a file of a mapped directory open (a host descriptor cannot travel).
    void save(const std::filesystem::path& path) const;
    // What save() writes, into fd: an empty regular file open for writing
    // (for a process that may no longer create files, hl::confine_this_thread:
    // its parent creates the file and renames it once whole). Throws hl::Error.
    void write_to(int fd) const;
    // Reads a snapshot file, checking everything before trusting it: its
    // header, checksum and sections, its image (as Image::load does), the
    // machine's tables in its memory (they must be hl's own), and that this
    // host's CPU can resume its state. Its memory is mapped from the file
    // itself, copy-on-write, never read in: do not change a file that is in
    // use (replace it by renaming another over it). Throws SnapshotError.
    static Snapshot load(const std::filesystem::path& path);
    // Whether the file starts as a snapshot file does (its magic), so that a
    // tool can take either an image or a snapshot; false when unreadable.
    static bool is_snapshot_file(const std::filesystem::path& path);

private:
    friend class Sandbox;
    struct Data;
    std::shared_ptr<const Data> data_;
};

// Cancels what a Sandbox is running, from any thread; a no-op when it runs
// nothing. The run or call ends with RunResult::Ending::Cancelled soon after
// (the guest is stopped by a signal to the running thread).
class InterruptHandle {
public:
    void cancel() const;

private:
    friend class Sandbox;
    struct State;
    std::shared_ptr<State> state_;
};

class Sandbox {
public:
    // Builds the machine for image. Throws LayoutError (limits cannot hold the
    // image), OptionError (a mapped directory cannot be used), KvmError (no
    // usable KVM) or Error.
    Sandbox(Image image, SandboxOptions options = {});
    // The same on a VM of the caller's: libsandbox's own tests drive a
    // scripted one; Vm is not part of the installed API.
    Sandbox(Image image, SandboxOptions options, std::unique_ptr<Vm> vm);
    // A new sandbox in the state snapshot holds, ready for calls (no
    // initialize()): a VM and vCPU of its own on the snapshot's memory, shared
    // copy-on-write with every other sandbox made from or restored to it.
    // options.memory_size is ignored (the snapshot's is used). The guest reads
    // the directories the snapshot's sandbox mapped; options.directories must
    // be empty then (OptionError otherwise), and may map some for a snapshot
    // whose sandbox had none (one read from a file has none). Host functions are not carried
    // over: register them again. Fresh calls (set_fresh_per_call) return to
    // the snapshot when it was taken right after initialize(). Throws
    // CallError for an empty snapshot, KvmError and Error as the constructor.
    static Sandbox from_snapshot(const Snapshot& snapshot, SandboxOptions options = {});
    // The same on a VM of the caller's (see above).
    static Sandbox from_snapshot(const Snapshot& snapshot, SandboxOptions options, std::unique_ptr<Vm> vm);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;
    Sandbox(Sandbox&&) noexcept;
    Sandbox& operator=(Sandbox&&) noexcept;

    // Boots the guest with argv (argv[0] is by convention the image name) and
    // runs it to its end. Once per Sandbox. Throws LayoutError if the
    // arguments do not fit the boot info; every other ending is a RunResult.
    RunResult run(const std::vector<std::string>& argv);

    // run() for a function guest: ends Ready once the guest calls hl_serve.
    // argv defaults to the image name alone.
    RunResult initialize(std::vector<std::string> argv = {});

    // Calls export `name` with args; the result's value holds what it
    // returned. Throws CallError (the guest did not run) when the sandbox is
    // not ready or is poisoned, the export is unknown, or args do not match
    // its signature or the ABI's limits. With fresh calls, a failure of the
    // snapshot or restore before the call throws as snapshot() and restore()
    // do (the guest did not run).
    RunResult call(std::string_view name, const std::vector<Value>& args);

    // The typed call (hl/typed_call.hpp): call<int64_t>("add", 2, 40), each
    // argument made its parameter's type when no value is lost, the result
    // returned as R. Throws as the call above, ArgumentError for an argument
    // that cannot be its parameter, CallError for an R that cannot hold the
    // result (both before the guest runs), and CallFailed, with the
    // RunResult, when the guest does not return.
    template <typename R = void, typename... Args>
    R call(std::string_view name, const Args&... args)
    {
        static_assert(typed_call::Result<std::remove_cv_t<R>>,
                      "hl::Sandbox::call<R>: R is an integer of up to 64 bits, double, bool, std::string, hl::Bytes, "
                      "hl::Value or void");
        static_assert((typed_call::Argument<Args> && ...),
                      "hl::Sandbox::call: an argument type with no ABI counterpart: pass integers of up to 64 bits, "
                      "float or double (not long double), bool, text, hl::Bytes or hl::Value");
        if constexpr (typed_call::Result<std::remove_cv_t<R>> && (typed_call::Argument<Args> && ...))
            return typed_call_checked<std::remove_cv_t<R>>(name, args...);
    }

private:
    template <typename R, typename... Args>
    R typed_call_checked(std::string_view name, const Args&... args)
    {
        const Export& e = export_for_call(name);
        if (sizeof...(Args) != e.parameters.size())
            throw ArgumentError(argument_count_error(e, sizeof...(Args)));
        typed_call::check_result(e, typed_call::result_codes<R>(), typed_call::cpp_name<R>());
        std::vector<Value> values;
        values.reserve(sizeof...(Args));
        size_t index = 0;
        (values.push_back(typed_call::convert(e, index++, typed_call::literal(args))), ...);
        RunResult result = call(name, values);
        if (result.ending != RunResult::Ending::Returned)
            throw CallFailed(std::move(result));
        return typed_call::result_as<R>(std::move(result.value));
    }

public:

    // The state now (between calls, when ready); throws CallError otherwise.
    // Throws KvmError when the backend cannot save the vCPU or read its dirty
    // log; the guest is then as it was, still ready for calls.
    Snapshot snapshot();
    // Back to a snapshot: memory and every register the guest can reach;
    // clears poisoning. The snapshot may come from any sandbox of the same
    // image and memory size; CallError otherwise, and nothing changes. A
    // restore copies back the pages written since when it returns to the
    // snapshot this sandbox last took, restored or was made from; any other
    // maps the snapshot's memory anew. Throws KvmError when the backend fails part-way (reading the
    // dirty log, setting the vCPU): the guest is then neither as it was nor
    // as the snapshot has it, so the sandbox is poisoned ("restoring a
    // snapshot failed: " and the error) until a restore succeeds; that one
    // maps all of guest memory anew, trusting no dirty log.
    void restore(const Snapshot& snapshot);
    // Every call from now on starts from the state right after initialize():
    // memory and every register the guest can reach (general, segment bases,
    // x87, SSE, AVX, AVX-512, opmask, PKRU). That state is snapshotted at the
    // first fresh call, so turn this on before the first call: once a call has
    // run (or a snapshot of another moment was restored) it throws CallError.
    void set_fresh_per_call(bool fresh);

    // Makes fn callable from the guest as `name` (HL_HOST_FN); its ABI
    // signature comes from its C++ signature (host_function.hpp). Throws
    // CallError for a name that is not an identifier or is taken.
    template <typename F>
    void register_host(std::string name, F fn)
    {
        add_host_function(make_host_function(std::move(name), std::move(fn)));
    }
    void add_host_function(HostFunction function);

    // Writes an ELF core file of the guest as the last run, initialisation or
    // call left it (hl/core_file.hpp) into fd, an empty regular file open for
    // writing; for a stretch that ended Faulted, Aborted, TimedOut or
    // ExitLimit, until the guest runs again or is restored. Throws CallError
    // when there is no such stretch, Error when the file cannot be written.
    void write_core(int fd) const;
    // Whether write_core has a stopped guest to write.
    bool has_core() const;

    // Whether calls can be made now, and if not, why.
    bool ready() const;
    const std::string& poisoned() const;   // empty when not poisoned

    InterruptHandle interrupt_handle() const;

    struct Machine; // the implementation, opaque outside sandbox.cpp

    const Image& image() const;
    const Layout& layout() const;
    // The host descriptors of options.directories, which the guest's files
    // are opened beneath: pass them as ConfinePolicy::file_roots.
    std::vector<int> mapped_directory_fds() const;

private:
    Sandbox() = default;
    // The export `name`, for the typed call; CallError naming the nearest when there is none.
    const Export& export_for_call(std::string_view name) const;
    std::unique_ptr<Machine> machine_;
};

} // namespace hl
