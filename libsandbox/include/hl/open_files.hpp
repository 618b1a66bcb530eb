// Open files per sandbox, and the process limit on them. A live sandbox
// holds two file descriptors (its VM and its vCPU); a snapshot one more (its
// memory), shared by every sandbox made from it. Linux's usual soft limit
// of 1,024 open files thus stops a process at ~500 sandboxes, while the hard
// limit (often 524,288) allows far more: a process that keeps many raises
// its soft limit first.
#pragma once

#include <hl/version.hpp>

#include <cstdint>

namespace hl {

inline constexpr uint64_t kFilesPerSandbox = 2;

// Raises this process's soft RLIMIT_NOFILE to at least `files`, or to the
// hard limit when that is lower; never lowers it. Returns the soft limit
// in force afterwards.
uint64_t raise_open_file_limit(uint64_t files);

} // namespace hl
