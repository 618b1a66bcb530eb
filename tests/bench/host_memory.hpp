// How much host memory this process holds, for the benchmarks that count it:
// its proportional set size (each page it has counted once, however many of
// its mappings share it: RSS would count a snapshot's page once per sandbox),
// plus every page its memory files (memfds: in-memory snapshots) hold. A
// memfd page the process has mapped is counted twice, so this is an upper
// bound, which is what a "less than" target wants. The kernel's own memory
// for VMs and vCPUs is not in it: see available_bytes().
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace hl::bench {

// The first "NAME: N kB" line of a /proc file, in bytes; 0 if none.
inline uint64_t proc_kib_field(const char* path, const char* format)
{
    std::FILE* file = std::fopen(path, "r");
    char line[256];
    unsigned long long kib = 0;
    while (file && std::fgets(line, sizeof line, file))
        if (std::sscanf(line, format, &kib) == 1)
            break;
    if (file)
        std::fclose(file);
    return kib * 1024;
}

inline uint64_t proportional_bytes() { return proc_kib_field("/proc/self/smaps_rollup", "Pss: %llu kB"); }

// The host's available memory (all processes and the kernel): its drop over
// a step is what the step cost the machine, noise from elsewhere included.
inline uint64_t available_bytes() { return proc_kib_field("/proc/meminfo", "MemAvailable: %llu kB"); }

inline uint64_t memfd_bytes()
{
    uint64_t total = 0;
    DIR* fds = opendir("/proc/self/fd");
    while (fds) {
        const dirent* entry = readdir(fds);
        if (!entry)
            break;
        const std::string path = std::string("/proc/self/fd/") + entry->d_name;
        char target[256] = {};
        struct stat st {};
        if (readlink(path.c_str(), target, sizeof target - 1) > 0 && std::strncmp(target, "/memfd:", 7) == 0 &&
            stat(path.c_str(), &st) == 0)
            total += static_cast<uint64_t>(st.st_blocks) * 512;
    }
    if (fds)
        closedir(fds);
    return total;
}

inline uint64_t host_memory_bytes() { return proportional_bytes() + memfd_bytes(); }

} // namespace hl::bench
