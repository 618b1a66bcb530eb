// Whole reads and writes at an offset (see file_io.hpp).
#include "snapshot/file_io.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
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

void write_file_whole(const std::filesystem::path& path, const std::string& what, unsigned mode,
                      const std::function<void(int fd)>& fill)
{
    const std::string name = path.string();
    const std::string temporary = name + ".tmp." + std::to_string(::getpid());
    // Made anew, never through a link someone planted there.
    ::unlink(temporary.c_str());
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        throw Error("cannot write the " + what + " " + name + ": " + std::strerror(errno));
    try {
        fill(fd);
    } catch (const Error& error) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw Error(name + ": " + error.what());
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    }
    const bool closed = ::close(fd) == 0;
    if (!closed || ::rename(temporary.c_str(), name.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        throw Error("cannot write the " + what + " " + name + ": " + std::strerror(error));
    }
}

} // namespace hl
