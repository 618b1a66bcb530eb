// How hlrun serve's workers hand work to the I/O thread (http_server.cpp):
// queued under a lock, announced by a byte down a pipe the I/O loop reads.
// Not net::post: waking Asio's reactor from another thread takes
// epoll_ctl, which the workers' seccomp filter does not allow; write(2)
// it does. Header-only, for http_server.cpp alone (Asio is a large header).
#pragma once

#include <hl/error.hpp>

#include <utility>   // before Asio: GCC 12 needs std::exchange declared

#include <boost/asio.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace hl::cli {

class ReplyMailbox {
public:
    // Throws Error when the pipe cannot be made.
    explicit ReplyMailbox(boost::asio::io_context& io) : wake_(io)
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
            throw Error(std::string("cannot make the workers' reply pipe: ") + std::strerror(errno));
        wake_.assign(fds[0]);
        write_fd_ = fds[1];
    }
    ~ReplyMailbox() { ::close(write_fd_); }
    ReplyMailbox(const ReplyMailbox&) = delete;
    ReplyMailbox& operator=(const ReplyMailbox&) = delete;

    // From any thread: `work` runs on the I/O thread.
    void deliver(std::function<void()> work)
    {
        {
            std::lock_guard lock(mutex_);
            queued_.push_back(std::move(work));
        }
        const char byte = 1;
        (void)!::write(write_fd_, &byte, 1);   // full (EAGAIN): a wake-up is already pending
    }
    // I/O thread: runs what was delivered, now and at each wake-up, until close().
    void start_reading()
    {
        wake_.async_read_some(boost::asio::buffer(wake_bytes_), [this](boost::system::error_code ec, size_t) {
            if (ec)
                return;
            empty();
            start_reading();
        });
    }
    // I/O thread: runs what was delivered.
    void empty()
    {
        std::vector<std::function<void()>> work;
        {
            std::lock_guard lock(mutex_);
            work.swap(queued_);
        }
        for (auto& item : work)
            item();
    }
    // I/O thread: no more reading; the I/O loop no longer waits for it.
    void close()
    {
        boost::system::error_code ignored;
        wake_.close(ignored);
    }

private:
    std::mutex mutex_;
    std::vector<std::function<void()>> queued_;
    int write_fd_ = -1;
    boost::asio::posix::stream_descriptor wake_;
    char wake_bytes_[64];
};

} // namespace hl::cli
