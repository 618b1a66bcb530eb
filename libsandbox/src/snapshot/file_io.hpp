// Whole reads and writes at an offset, for the files snapshots and core
// files are kept in: a short transfer or EINTR goes on where it stopped. And
// files that appear whole or not at all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace hl {

// false (errno set, or 0 at an unexpected end of file) when it cannot finish.
bool read_exactly(int fd, uint8_t* into, uint64_t size, uint64_t offset);
bool write_exactly(int fd, const uint8_t* from, uint64_t size, uint64_t offset);

// Creates path through fill, which writes into an empty file beside it
// (PATH.tmp.PID, created with mode, never through a link) that is then
// renamed over path: a reader never sees half a file, and one that has the
// old file open keeps it. Throws hl::Error, "cannot write the WHAT PATH:
// REASON", or "PATH: " and the hl::Error fill threw; the file beside is
// removed then, and for any other exception fill throws too.
void write_file_whole(const std::filesystem::path& path, const std::string& what, unsigned mode,
                      const std::function<void(int fd)>& fill);

} // namespace hl
