// The open-file limit helper (hl/open_files.hpp), in forked children: a
// limit lowered here would stay lowered for every later test.
#include <hl/open_files.hpp>

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// Runs body in a child and returns its exit status.
template <typename Body>
int in_child(Body body)
{
    const pid_t pid = fork();
    if (pid == 0)
        _exit(body());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool set_limit(rlim_t soft, rlim_t hard)
{
    const rlimit limit{soft, hard};
    return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

rlim_t soft_limit()
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur;
}

} // namespace

TEST_CASE("open files: the soft limit is raised as far as asked, up to the hard limit, never lowered")
{
    // Raised to what is asked.
    CHECK(in_child([] {
              if (!set_limit(256, 1024))
                  return 2;
              return hl::raise_open_file_limit(600) == 600 && soft_limit() == 600 ? 0 : 1;
          }) == 0);
    // Only up to the hard limit.
    CHECK(in_child([] {
              if (!set_limit(256, 1024))
                  return 2;
              return hl::raise_open_file_limit(5000) == 1024 && soft_limit() == 1024 ? 0 : 1;
          }) == 0);
    // Never lowered.
    CHECK(in_child([] {
              if (!set_limit(800, 1024))
                  return 2;
              return hl::raise_open_file_limit(100) == 800 && soft_limit() == 800 ? 0 : 1;
          }) == 0);
}
