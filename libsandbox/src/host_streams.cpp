// The default guest streams: output to the host's fd 1 and 2, input from its fd 0.
#include <hl/sandbox.hpp>

#include <cerrno>
#include <unistd.h>

namespace hl {

int64_t write_to_host_fd(int fd, std::span<const uint8_t> bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        // The interrupt signal cuts a blocked write short (EINTR, or fewer bytes):
        // go on waiting for the reader only while the run is not ending.
        if (done && run_interrupted())
            return static_cast<int64_t>(done);
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            if (run_interrupted())
                return done ? static_cast<int64_t>(done) : HL_EINTR;
        } else if (n < 0 && errno == EPIPE) {
            return HL_EPIPE;
        } else {
            return done ? static_cast<int64_t>(done) : HL_EIO;
        }
    }
    return static_cast<int64_t>(done);
}

int64_t read_from_host_stdin(std::span<uint8_t> buffer)
{
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return HL_EIO;
        if (run_interrupted())
            return HL_EINTR;
    }
}

} // namespace hl
