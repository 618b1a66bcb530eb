// hlrun serve's workers and queue (see call_service.hpp).
#include "serve/call_service.hpp"

#include "serve/call_json.hpp"

#include <hl/error.hpp>
#include <hl/text.hpp>

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <system_error>

namespace hl::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Request and restore latencies: 50 us to 10 s.
const std::vector<double> kLatencyBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                             0.01,    0.025,  0.05,    0.1,    0.25,   0.5,    1,
                                             2.5,     5,      10};

// The HTTP status of a call's ending, and why a client sees it.
int status_of(RunResult::Ending ending)
{
    switch (ending) {
    case RunResult::Ending::Returned: return 200;
    case RunResult::Ending::TimedOut: return 504;     // the guest took longer than --timeout
    case RunResult::Ending::Cancelled: return 503;    // the server is stopping
    default: return 500;                              // faulted, aborted, exited, exit limit, host error
    }
}

} // namespace

CallService::CallService(const Snapshot& ready, ServiceOptions options, MetricRegistry& metrics)
    : ready_(ready), options_(std::move(options)),
      requests_(metrics.counter("hl_requests_total", "Calls answered, by function and HTTP status.",
                                {"function", "status"})),
      inflight_(metrics.gauge("hl_inflight_requests", "Calls admitted and not yet answered, queued or running.")),
      queued_(metrics.gauge("hl_queued_requests", "Calls admitted and waiting for a worker.")),
      latency_(metrics.histogram("hl_request_duration_seconds", "Time from admission to answer, by function.",
                                 kLatencyBuckets, {"function"})),
      restores_(metrics.histogram("hl_restore_duration_seconds",
                                  "Time to put a worker's sandbox back to the snapshot after a call.",
                                  kLatencyBuckets)),
      exits_(metrics.counter("hl_vm_exits_total", "VM exits made by calls.")),
      pool_(metrics.gauge("hl_pool_sandboxes", "Sandboxes serving calls, one per worker.")),
      replaced_(metrics.counter("hl_sandboxes_replaced_total",
                                "Sandboxes replaced by a new one from the snapshot after a restore failed."))
{
    if (options_.workers == 0)
        throw OptionError("--workers: 0; expected at least one worker");
    if (options_.queue_limit == 0)
        throw OptionError("--queue: 0; expected room for at least one call waiting for a worker");
    if (!options_.keep_state && !ready_.after_initialize())
        throw OptionError("the snapshot was taken after calls ran, so calls cannot start fresh from it; "
                          "take it right after initialisation, or serve with --keep-state");
    for (unsigned i = 0; i < options_.workers; ++i) {
        auto worker = std::make_unique<Worker>();
        worker->sandbox = make_sandbox();
        worker->interrupt = worker->sandbox->interrupt_handle();
        workers_.push_back(std::move(worker));
    }
    pool_.set({}, static_cast<int64_t>(workers_.size()));
    live_ = workers_.size();
    // Each worker confines its own thread; a failure there is the service's.
    std::vector<std::future<std::string>> started;
    try {
        keeper_ = std::thread([this] { keep(); });
        for (auto& worker : workers_) {
            std::promise<std::string> promise;
            started.push_back(promise.get_future());
            worker->thread =
                std::thread([this, w = worker.get(), p = std::move(promise)]() mutable { work(*w, std::move(p)); });
        }
    } catch (const std::system_error& error) {   // no more threads (RLIMIT_NPROC, memory)
        stop();
        throw Error("cannot start the workers' threads: " + std::string(error.what()));
    }
    std::string error;
    for (auto& s : started)
        if (std::string why = s.get(); error.empty())
            error = why;
    if (!error.empty()) {
        stop();
        throw ConfineError(error);
    }
}

CallService::~CallService() { stop(); }

void CallService::stop()
{
    drain(std::chrono::nanoseconds(0));
    for (auto& worker : workers_)
        if (worker->thread.joinable())
            worker->thread.join();
    {
        std::lock_guard lock(keeper_mutex_);
        keeper_stop_ = true;
    }
    keeper_wake_.notify_all();
    if (keeper_.joinable())
        keeper_.join();
}

void CallService::refuse(const std::string& function, const ReplyFn& reply, int status, std::string_view ending,
                         std::string_view message, unsigned retry_after)
{
    requests_.add({function, std::to_string(status)}, 1);
    reply(Reply{status, "application/json", error_json(ending, message), retry_after});
}

void CallService::call(std::string_view function, std::string_view body, ReplyFn reply)
{
    const Export* e = image().find_export(function);
    if (!e)
        return refuse("", reply, 404, "unknown function", unknown_export_error(image(), function));
    std::string error;
    auto args = arguments_from_json(*e, body, error);
    if (!args)
        return refuse(e->name, reply, 400, "bad arguments", error);
    admit(*e, false, std::move(*args), std::move(reply));
}

void CallService::invoke(std::string_view function, std::string_view body, ReplyFn reply)
{
    const Export* e = image().find_export(function);
    if (!e)
        return refuse("", reply, 404, "unknown function", unknown_export_error(image(), function));
    if (e->result != 'y' || e->parameters != "y")
        return refuse(e->name, reply, 400, "bad arguments",
                      "/v1/invoke takes an export bytes f(bytes); " + e->name + " is " + describe_export(*e) +
                          " (call it with POST /v1/call/" + e->name + ")");
    admit(*e, true, {Value(Bytes(body.begin(), body.end()))}, std::move(reply));
}

namespace {
constexpr std::string_view kNoSandbox = "no worker has a sandbox left: new ones could not be made";
}

void CallService::admit(const Export& e, bool raw, std::vector<Value> args, ReplyFn reply)
{
    std::string_view ending;
    std::string message;
    {
        // The refusal is decided under the lock; the reply is made outside it.
        std::lock_guard lock(mutex_);
        if (draining_) {
            ending = "shutting down";
            message = "the server is shutting down; call another instance";
        } else if (live_ == 0) {
            ending = "no sandbox";
            message = kNoSandbox;
        } else if (queue_.size() >= options_.queue_limit ||
                   (options_.max_inflight != 0 && busy_ >= options_.max_inflight)) {
            ending = "overloaded";
            message = "all " + std::to_string(live_) + " workers are busy and " + std::to_string(queue_.size()) +
                      " calls wait; try again later";
        } else {
            queue_.push_back(Job{&e, raw, std::move(args), std::move(reply), Clock::now()});
            ++busy_;
            inflight_.set({}, static_cast<int64_t>(busy_));
            queued_.set({}, static_cast<int64_t>(queue_.size()));
            work_ready_.notify_one();
            return;
        }
    }
    refuse(e.name, reply, 503, ending, message, ending == "overloaded" ? 1 : 0);
}

void CallService::work(Worker& worker, std::promise<std::string> started)
{
    // SIGTERM and SIGINT are the HTTP side's to take: here they would only
    // interrupt a guest's output with EINTR.
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stops, nullptr);
    try {
        if (options_.confine)
            confine_this_thread(*options_.confine);
        started.set_value("");
    } catch (const std::exception& error) {
        started.set_value(error.what());
        return;
    }
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            work_ready_.wait(lock, [&] { return !queue_.empty() || draining_; });
            if (queue_.empty())
                return;   // draining, and nothing left
            job = std::move(queue_.front());
            queue_.pop_front();
            queued_.set({}, static_cast<int64_t>(queue_.size()));
        }
        Reply reply = answer(worker, job);
        requests_.add({job.function->name, std::to_string(reply.status)}, 1);
        latency_.observe({job.function->name}, Clock::now() - job.admitted);
        try {
            job.reply(std::move(reply));
        } catch (const std::exception& error) {   // the caller's to handle; the worker goes on
            std::fprintf(stderr, "hlrun: warning: answering a call of %s failed: %s\n", job.function->name.c_str(),
                         error.what());
        }
        // Answered: no longer in flight, though the worker restores before its next call.
        {
            std::lock_guard lock(mutex_);
            --busy_;
            inflight_.set({}, static_cast<int64_t>(busy_));
            if (busy_ == 0)
                all_done_.notify_all();
        }
        reset(worker, reply.status != 200);
        if (!worker.sandbox) {   // no replacement could be made: this worker is done
            retire();
            return;
        }
    }
}

void CallService::retire()
{
    pool_.add({}, -1);
    std::deque<Job> orphans;   // what nobody will run, once no worker is left
    {
        std::lock_guard lock(mutex_);
        if (--live_ == 0)
            orphans.swap(queue_);
        queued_.set({}, static_cast<int64_t>(queue_.size()));
    }
    // Answered before they stop counting, so that a drain waits for them.
    for (Job& orphan : orphans)
        refuse(orphan.function->name, orphan.reply, 503, "no sandbox", kNoSandbox);
    std::lock_guard lock(mutex_);
    busy_ -= orphans.size();
    inflight_.set({}, static_cast<int64_t>(busy_));
    if (busy_ == 0)
        all_done_.notify_all();
}

Reply CallService::answer(Worker& worker, const Job& job)
{
    const Export& e = *job.function;
    RunResult result;
    try {
        result = worker.sandbox->call(e.name, job.args);
    } catch (const ArgumentError& error) {   // arguments past the guest ABI's limits, say: the caller's to fix
        Reply reply;
        reply.status = 400;
        reply.body = error_json("bad arguments", error.what());
        return reply;
    } catch (const std::exception& error) {   // refused before the guest ran (poisoned, say)
        result.ending = RunResult::Ending::HostError;
        result.message = error.what();
    }
    exits_.add({}, static_cast<int64_t>(result.exits));
    Reply reply;
    reply.status = status_of(result.ending);
    if (reply.status != 200) {
        reply.body = error_json(ending_name(result.ending), result.message);
    } else if (!job.raw) {
        reply.body = result_json(e, result.value);
    } else if (const auto* bytes = std::get_if<Bytes>(&result.value)) {
        reply.content_type = "application/octet-stream";
        reply.body.assign(bytes->begin(), bytes->end());
    } else {   // invoke() admits only bytes f(bytes)
        reply.status = 500;
        reply.body = error_json("host error", e.name + " returned no bytes");
    }
    return reply;
}

void CallService::reset(Worker& worker, bool failed)
{
    if (options_.keep_state && !failed)
        return;
    const auto start = Clock::now();
    try {
        worker.sandbox->restore(ready_);
        restores_.observe({}, Clock::now() - start);
        return;
    } catch (const std::exception&) {
        // Poisoned until a restore succeeds; a new sandbox is surer.
    }
    auto made = replacement();
    if (made)
        replaced_.add({}, 1);
    std::lock_guard lock(mutex_);
    worker.sandbox = std::move(made);
    worker.interrupt = worker.sandbox ? worker.sandbox->interrupt_handle() : InterruptHandle{};
}

std::unique_ptr<Sandbox> CallService::replacement()
{
    std::promise<std::unique_ptr<Sandbox>> order;
    auto made = order.get_future();
    {
        std::lock_guard lock(keeper_mutex_);
        orders_.push_back(std::move(order));
    }
    keeper_wake_.notify_one();
    return made.get();
}

std::unique_ptr<Sandbox> CallService::make_sandbox() const
{
    if (options_.make_sandbox)
        return std::make_unique<Sandbox>(options_.make_sandbox(ready_, options_.sandbox));
    return std::make_unique<Sandbox>(Sandbox::from_snapshot(ready_, options_.sandbox));
}

void CallService::keep()
{
    std::unique_lock lock(keeper_mutex_);
    for (;;) {
        keeper_wake_.wait(lock, [&] { return !orders_.empty() || keeper_stop_; });
        if (orders_.empty())
            return;   // stopping
        auto order = std::move(orders_.front());
        orders_.pop_front();
        lock.unlock();
        std::unique_ptr<Sandbox> made;
        try {
            made = make_sandbox();
        } catch (const std::exception&) {
            // null: the worker gives up its place
        }
        order.set_value(std::move(made));
        lock.lock();
    }
}

void CallService::drain(std::chrono::nanoseconds grace)
{
    std::unique_lock lock(mutex_);
    draining_ = true;
    work_ready_.notify_all();
    const auto done = [&] { return busy_ == 0; };
    if (grace == std::chrono::nanoseconds::max())
        all_done_.wait(lock, done);
    else if (all_done_.wait_for(lock, grace, done))
        return;
    // Past the grace: the queued are refused, the running cancelled. A
    // cancel before its call begins is lost (each call clears the flag), so
    // it is repeated until every call has ended.
    std::deque<Job> refused;
    refused.swap(queue_);
    busy_ -= refused.size();
    queued_.set({}, 0);
    inflight_.set({}, static_cast<int64_t>(busy_));
    lock.unlock();
    for (Job& job : refused)
        refuse(job.function->name, job.reply, 503, "shutting down", "the server is shutting down; call another instance");
    lock.lock();
    while (!done()) {
        for (auto& worker : workers_)
            worker->interrupt.cancel();
        all_done_.wait_for(lock, std::chrono::milliseconds(10), done);
    }
}

std::string CallService::functions_json() const
{
    std::string out = "[";
    for (const Export& e : image().exports()) {
        out += out.size() > 1 ? "," : "";
        out += "{\"name\":" + json_string(e.name) + ",\"signature\":" + json_string(describe_export(e)) +
               ",\"result\":" + json_string(type_name(e.result)) + ",\"parameters\":[";
        for (size_t i = 0; i < e.parameters.size(); ++i)
            out += std::string(i ? "," : "") + json_string(type_name(e.parameters[i]));
        out += "]}";
    }
    return out + "]";
}

} // namespace hl::cli
