// The core of hlrun serve, below HTTP: worker threads, each with a sandbox
// of its own made from one ready snapshot, answering calls from a bounded
// queue. A call is refused at once (404 unknown function, 400 bad
// arguments, 503 queue full or shutting down) or admitted and answered on
// its worker's thread, through its reply function. By default every call
// starts from the snapshot: the worker answers, then restores its sandbox
// (off the request's path); with keep_state a worker's sandbox keeps what
// calls leave, until a call fails. A sandbox whose restore fails is
// replaced by a new one from the snapshot, made on a thread that is never
// confined (a confined worker may not create VMs).
#pragma once

#include "serve/metrics.hpp"

#include <hl/confine.hpp>
#include <hl/sandbox.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hl::cli {

struct ServiceOptions {
    unsigned workers = 1;
    size_t queue_limit = 64;          // admitted calls waiting for a worker; one more gets 503
    size_t max_inflight = 0;          // admitted calls, waiting or running; 0: workers + queue_limit
    SandboxOptions sandbox{};         // timeout, max_exits, output (memory comes from the snapshot)
    bool keep_state = false;
    std::optional<ConfinePolicy> confine{};   // each worker confines its thread before its first call
    // Makes a worker's sandbox, at start and in place of one whose restore
    // failed; called off the workers' threads. Unset: Sandbox::from_snapshot.
    // Tests put in one that fails.
    std::function<Sandbox(const Snapshot&, const SandboxOptions&)> make_sandbox{};
};

struct Reply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    unsigned retry_after = 0;         // seconds, for a 503; 0: no Retry-After
};

using ReplyFn = std::function<void(Reply)>;

class CallService {
public:
    // Makes options.workers sandboxes from `ready` (taken right after
    // initialisation, unless keep_state) and starts their workers. Throws
    // hl::Error (and its kinds) when a sandbox or a thread cannot be made,
    // OptionError for options it cannot serve with, ConfineError when a
    // worker cannot confine its thread.
    CallService(const Snapshot& ready, ServiceOptions options, MetricRegistry& metrics);
    ~CallService();
    CallService(const CallService&) = delete;
    CallService& operator=(const CallService&) = delete;

    // POST /v1/call/FUNC: body is a JSON array of the arguments (call_json.hpp).
    void call(std::string_view function, std::string_view body, ReplyFn reply);
    // POST /v1/invoke/FUNC: an export `bytes f(bytes)`; body is the argument,
    // the result the reply's body (application/octet-stream).
    void invoke(std::string_view function, std::string_view body, ReplyFn reply);
    // GET /v1/functions: [{"name":...,"signature":...,"result":...,"parameters":[...]}, ...]
    std::string functions_json() const;
    const Image& image() const { return ready_.image(); }

    // Admits no more calls (503 from now on), waits up to `grace` for the
    // admitted ones, then refuses those still queued (503) and cancels those
    // still running (503, cancelled); returns once every admitted call is
    // answered, and the workers then end. Idempotent. Not from a reply
    // function: it runs on a worker, which would wait for itself.
    void drain(std::chrono::nanoseconds grace = std::chrono::nanoseconds::max());
    // drain() with no grace, then joins the workers: no reply function is
    // called after it returns. Idempotent; the destructor does it too.
    void stop();

private:
    struct Job {
        const Export* function;
        bool raw;
        std::vector<Value> args;
        ReplyFn reply;
        std::chrono::steady_clock::time_point admitted;
    };
    struct Worker {
        std::unique_ptr<Sandbox> sandbox;
        InterruptHandle interrupt;   // the sandbox's, for drain(); under mutex_
        std::thread thread;
    };
    void admit(const Export& e, bool raw, std::vector<Value> args, ReplyFn reply);
    void refuse(const std::string& function, const ReplyFn& reply, int status, std::string_view ending,
                std::string_view message, unsigned retry_after = 0);
    void work(Worker& worker, std::promise<std::string> started);
    Reply answer(Worker& worker, const Job& job);
    void reset(Worker& worker, bool failed);
    void retire();   // a worker left without a sandbox
    std::unique_ptr<Sandbox> replacement();
    std::unique_ptr<Sandbox> make_sandbox() const;
    void keep();

    Snapshot ready_;
    ServiceOptions options_;
    MetricFamily &requests_, &inflight_, &queued_, &latency_, &restores_, &exits_, &pool_, &replaced_;
    std::vector<std::unique_ptr<Worker>> workers_;

    std::mutex mutex_;
    std::condition_variable work_ready_, all_done_;
    std::deque<Job> queue_;
    size_t busy_ = 0;          // admitted and not yet answered, queued or running (not restoring)
    bool draining_ = false;

    size_t live_ = 0;          // workers with a sandbox

    // The keeper: makes replacement sandboxes for workers that may not; an
    // order it cannot fill gets null.
    std::mutex keeper_mutex_;
    std::condition_variable keeper_wake_;
    std::deque<std::promise<std::unique_ptr<Sandbox>>> orders_;
    bool keeper_stop_ = false;
    std::thread keeper_;
};

} // namespace hl::cli
