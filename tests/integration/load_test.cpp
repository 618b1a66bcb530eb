// Load and leaks: many sandboxes in one process, one after the other and all
// at once. Bounds are generous: they catch a leak per cycle, not noise.
#include "process.hpp"

#include <hl/sandbox.hpp>

#include <dirent.h>
#include <thread>

using namespace hl;

namespace {

// A count of 0 (or an RSS of 0) would make every comparison below pass: fail instead.
size_t open_fds()
{
    DIR* dir = opendir("/proc/self/fd");
    REQUIRE(dir != nullptr);
    size_t count = 0;
    while (readdir(dir))
        ++count;
    closedir(dir);
    return count;
}

size_t rss_kib()
{
    const std::string rss = test::proc_status_field("/proc/self/status", "VmRSS"); // "  1234 kB"
    INFO("VmRSS: '" << rss << "'");
    REQUIRE(rss.find_first_of("0123456789") != std::string::npos);
    return std::stoul(rss);
}

} // namespace

TEST_CASE("load: 10,000 create/run/destroy cycles keep file descriptors and memory flat")
{
    HL_REQUIRE_KVM();
    const Image image = Image::load(test::guest_image("hello"));
    auto cycle = [&] {
        Sandbox s(image, {.output = test::discard});
        return s.run({"hello"}).ending == RunResult::Ending::Exited;
    };
    for (int i = 0; i < 100; ++i) // warm up: allocator arenas, KVM's first-use costs
        REQUIRE(cycle());
    const size_t fds = open_fds(), rss = rss_kib();
    int ok = 0;
    for (int i = 0; i < 10000; ++i)
        ok += cycle();
    CHECK(ok == 10000);
    CHECK(open_fds() == fds);
    INFO("RSS before " << rss << " KiB, after " << rss_kib() << " KiB");
#if defined(HL_ASAN)
    // ASan keeps freed memory in quarantine (up to 256 MiB), so RSS says nothing
    // there; LeakSanitizer checks for leaks at exit instead.
    (void)rss;
#else
    CHECK(rss_kib() < rss + 32 * 1024); // a leak of even 4 KiB per cycle would be 40 MiB
#endif
}

TEST_CASE("load: 64 sandboxes alive at once on several threads, each called, then all destroyed")
{
    HL_REQUIRE_KVM();
    const Image image = Image::load(test::guest_image("functions"));
    Sandbox{image, SandboxOptions{.output = test::discard}}; // /dev/kvm stays open for the process from the first one on
    const size_t fds = open_fds();
    std::vector<std::unique_ptr<Sandbox>> sandboxes(64);
    std::vector<int64_t> results(64, -1);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            // No Catch assertions off the main thread: record, check after join.
            for (int i = t; i < 64; i += 4) {
                sandboxes[i] = std::make_unique<Sandbox>(image, SandboxOptions{.output = test::discard});
                if (sandboxes[i]->initialize().ending != RunResult::Ending::Ready)
                    continue;
                const RunResult r = sandboxes[i]->call("add", {int64_t{i}, int64_t{1000}});
                if (r.ending == RunResult::Ending::Returned)
                    results[i] = std::get<int64_t>(r.value);
            }
        });
    for (auto& thread : threads)
        thread.join();
    for (int i = 0; i < 64; ++i)
        CHECK(results[i] == i + 1000);
    CHECK(open_fds() > fds); // all 64 VMs hold their descriptors now...
    sandboxes.clear();
    CHECK(open_fds() == fds); // ...and give them all back
}
