// Whole reads and writes at an offset (see file_io.hpp).
#include "snapshot/file_io.hpp"

#include <cerrno>
#include <unistd.h>

namespace hl {

bool read_exactly(int fd, uint8_t* into, uint64_t size, uint64_t offset)
{
    while (size > 0) {
        const ssize_t n = ::pread(fd, into, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        into += n;
        size -= static_cast<uint64_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return true;
}

bool write_exactly(int fd, const uint8_t* from, uint64_t size, uint64_t offset)
{
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, from, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        from += n;
        size -= static_cast<uint64_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return true;
}

} // namespace hl
