// Many sandboxes in one process against its open-file limit: the failure
// says what to do, and hl::raise_open_file_limit does it. In a child, as
// the limit is the process's.
#include "confined_child.hpp"
#include "process.hpp"

#include <hl/error.hpp>
#include <hl/open_files.hpp>
#include <hl/sandbox.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace hl;
using namespace hl::test;

TEST_CASE("open files: a process out of file descriptors is told why a sandbox cannot be made, and how to fix it")
{
    HL_REQUIRE_KVM();
    const Snapshot ready = ready_functions_guest()->snapshot();
    const ChildResult r = in_child([&] {
        const rlimit low{64, 4096};
        if (setrlimit(RLIMIT_NOFILE, &low) != 0)
            return 2;
        std::vector<Sandbox> live;
        try {
            for (int i = 0; i < 64; ++i)
                live.push_back(Sandbox::from_snapshot(ready, {}));
            return 3;   // 64 sandboxes in 64 descriptors: the limit did not hold
        } catch (const KvmError& error) {
            // Two descriptors back first: UBSan's vptr check of what() probes
            // memory through a pipe, which needs one (sanitizer builds).
            if (!live.empty())
                live.pop_back();
            std::fprintf(stderr, "%s\n", error.what());
        }
        // Raised, the same process makes as many again.
        if (raise_open_file_limit(64 + 2 * 64 * kFilesPerSandbox) < 64 + 2 * 64 * kFilesPerSandbox)
            return 4;
        for (int i = 0; i < 64; ++i)
            live.push_back(Sandbox::from_snapshot(ready, {}));
        return 0;
    });
    CHECK(r.status == 0);
    CHECK(r.err.find(" failed: Too many open files (each sandbox holds 2; raise the limit with 'ulimit -n' or "
                     "hl::raise_open_file_limit)\n") != std::string::npos);
}
