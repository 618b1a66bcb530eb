// Whole reads and writes at an offset, for the files snapshots are kept in:
// a short transfer or EINTR goes on where it stopped.
#pragma once

#include <cstdint>

namespace hl {

// false (errno set, or 0 at an unexpected end of file) when it cannot finish.
bool read_exactly(int fd, uint8_t* into, uint64_t size, uint64_t offset);
bool write_exactly(int fd, const uint8_t* from, uint64_t size, uint64_t offset);

} // namespace hl
