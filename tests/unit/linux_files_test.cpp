// The Linux personality's files: mapped host directories read through the
// system calls (linux_files.cpp, linux_io.cpp, file_namespace.cpp), on a
// real directory tree, without a VM.
#include "linux/file_namespace.hpp"
#include "linux_syscall_fixture.hpp"

#include <hl/error.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace hl;
using hl::test::SyscallFixture;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kRead = 0, kOpen = 2, kClose = 3, kStat = 4, kFstat = 5, kLstat = 6, kLseek = 8, kPread = 17,
                   kAccess = 21, kWrite = 1, kFcntl = 72, kGetcwd = 79, kChdir = 80, kFchdir = 81, kGetdents = 217,
                   kOpenat = 257, kNewfstatat = 262;
constexpr auto kAtFdcwd = static_cast<uint64_t>(-100);
constexpr uint64_t kORdonly = 0, kOWronly = 1, kOCreat = 0100, kOExcl = 0200, kOTrunc = 01000,
                   kODirectory = 0200000, kOCloexec = 02000000;

// A host tree: hello.txt, sub/inner.txt, a FIFO, and links that stay in or lead out.
struct HostTree {
    fs::path root;
    HostTree()
    {
        std::string pattern = (fs::temp_directory_path() / "hl_files_XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()));
        root = pattern;
        std::ofstream(root / "hello.txt") << "hello, files\n";
        fs::create_directory(root / "sub");
        std::ofstream(root / "sub" / "inner.txt") << "inner";
        REQUIRE(mkfifo((root / "fifo").c_str(), 0600) == 0);
        fs::create_symlink("hello.txt", root / "alias");
        fs::create_symlink("/etc", root / "etc-link");
        fs::create_symlink("..", root / "up");
    }
    ~HostTree() { fs::remove_all(root); }
};

// A process with the tree mapped at /data.
struct FilesFixture : SyscallFixture {
    HostTree tree;
    FilesFixture() { process.files = linux_abi::FileNamespace::open({{tree.root.string(), "/data"}}); }

    // Puts path in guest memory and opens it.
    int64_t open(const std::string& path, uint64_t flags = kORdonly)
    {
        put(heap, path);
        return result(kOpenat, {kAtFdcwd, heap, flags, 0});
    }
    struct stat stat_of(uint64_t number, const std::string& path)
    {
        put(heap, path);
        struct stat st {};
        const int64_t r = result(number, {heap, heap + 0x1000});
        REQUIRE(r == 0);
        std::memcpy(&st, memory.host_view().data() + heap + 0x1000, sizeof st);
        return st;
    }
    // The names getdents64 gives for fd, in order.
    std::vector<std::string> names(int64_t fd)
    {
        std::vector<std::string> out;
        for (;;) {
            const int64_t n = result(kGetdents, {static_cast<uint64_t>(fd), heap + 0x2000, 4096});
            REQUIRE(n >= 0);
            if (n == 0)
                return out;
            for (int64_t at = 0; at < n;) {
                const uint8_t* record = memory.host_view().data() + heap + 0x2000 + at;
                uint16_t length;
                std::memcpy(&length, record + 16, 2);
                out.emplace_back(reinterpret_cast<const char*>(record + 19));
                at += length;
            }
        }
    }
};

} // namespace

TEST_CASE("linux files: a mapped file opens, reads, seeks and stats, and the trace names its path")
{
    FilesFixture f;
    f.put(f.heap, "/data/hello.txt");
    const auto opened = f.call(kOpenat, {kAtFdcwd, f.heap, kORdonly, 0});
    CHECK(opened.result == 3);
    CHECK(describe_hypercall(opened.record).find("\"/data/hello.txt\"") != std::string::npos);
    CHECK(f.result(kRead, {3, f.heap + 0x100, 5}) == 5);
    CHECK(f.get(f.heap + 0x100, 5) == "hello");
    CHECK(f.result(kLseek, {3, 0, 1 /* SEEK_CUR */}) == 5);
    CHECK(f.result(kPread, {3, f.heap + 0x100, 5, 7}) == 5);
    CHECK(f.get(f.heap + 0x100, 5) == "files");
    CHECK(f.result(kLseek, {3, 0, 1}) == 5);   // pread leaves the offset
    CHECK(f.result(kLseek, {3, 0, 2 /* SEEK_END */}) == 13);
    CHECK(f.result(kRead, {3, f.heap + 0x100, 5}) == 0);
    CHECK(f.result(kLseek, {3, static_cast<uint64_t>(-20), 1}) == -EINVAL);
    CHECK(f.result(kFstat, {3, f.heap + 0x1000}) == 0);
    struct stat st {};
    std::memcpy(&st, f.memory.host_view().data() + f.heap + 0x1000, sizeof st);
    CHECK(S_ISREG(st.st_mode));
    CHECK(st.st_size == 13);
    CHECK(st.st_uid == 0);
    CHECK(f.result(kWrite, {3, f.heap, 1}) == -EBADF);   // read-only
    CHECK(f.result(kClose, {3}) == 0);
    CHECK(f.result(kRead, {3, f.heap + 0x100, 5}) == -EBADF);
    // Relative to the working directory, "/", and through a link that stays inside.
    CHECK(f.open("data/sub/../hello.txt") == 3);
    CHECK(f.open("/data/alias") == 4);
    CHECK(f.result(kRead, {4, f.heap + 0x100, 5}) == 5);
    CHECK(f.get(f.heap + 0x100, 5) == "hello");
}

TEST_CASE("linux files: nothing outside the mapped directories is there, however it is named")
{
    FilesFixture f;
    CHECK(f.open("/etc/passwd") == -ENOENT);
    CHECK(f.open("/data/../etc/passwd") == -ENOENT);
    CHECK(f.open("../../../etc/passwd") == -ENOENT);
    CHECK(f.open("/data/etc-link/passwd") == -ENOENT);   // an absolute link leads out
    CHECK(f.open("/data/up/etc/passwd") == -ENOENT);     // so does a relative one
    CHECK(f.open("/data/missing.txt") == -ENOENT);
    f.put(f.heap, "/data/etc-link");
    CHECK(f.result(kStat, {f.heap, f.heap + 0x1000}) == -ENOENT);
    CHECK(S_ISLNK(f.stat_of(kLstat, "/data/etc-link").st_mode));   // the link itself is inside
    SyscallFixture none;                                              // nothing mapped
    none.put(none.heap, "/");
    CHECK(none.result(kOpenat, {kAtFdcwd, none.heap, kORdonly, 0}) == -ENOENT);
}

TEST_CASE("linux files: mapped directories are read-only")
{
    FilesFixture f;
    CHECK(f.open("/data/hello.txt", kOWronly) == -EROFS);
    CHECK(f.open("/data/hello.txt", kORdonly | kOTrunc) == -EROFS);
    CHECK(f.open("/data/new.txt", kOWronly | kOCreat) == -EROFS);
    CHECK(f.open("/data/hello.txt", kOWronly | kOCreat | kOExcl) == -EEXIST);
    CHECK(f.open("/data/hello.txt", kORdonly | kOCreat) == 3);   // exists: nothing to create
    CHECK(f.open("/data/sub", kOWronly) == -EISDIR);
    CHECK(f.open("/", kOWronly) == -EISDIR);
    f.put(f.heap, "/data/hello.txt");
    CHECK(f.result(kAccess, {f.heap, 2 /* W_OK */}) == -EROFS);
    CHECK(f.result(kAccess, {f.heap, 4 /* R_OK */}) == 0);
    CHECK(f.result(kAccess, {f.heap, 1 /* X_OK */}) == -EACCES);
    CHECK(!fs::exists(f.tree.root / "new.txt"));
}

TEST_CASE("linux files: directories list, mapped ones and those above them")
{
    FilesFixture f;
    const int64_t data = f.open("/data", kODirectory);
    REQUIRE(data == 3);
    std::vector<std::string> names = f.names(data);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{".", "..", "alias", "etc-link", "fifo", "hello.txt", "sub", "up"});
    CHECK(f.names(data).empty());   // at the end
    CHECK(f.result(kLseek, {3, 0, 0}) == 0);   // rewinddir
    CHECK(f.names(data).size() == 8);
    CHECK(f.result(kGetdents, {3, f.heap + 0x2000, 8}) == 0);   // at the end: nothing, not EINVAL
    CHECK(f.result(kLseek, {3, 0, 0}) == 0);
    CHECK(f.result(kGetdents, {3, f.heap + 0x2000, 8}) == -EINVAL);   // no room for one entry
    CHECK(f.names(f.open("/", kODirectory)) == std::vector<std::string>{".", "..", "data"});
    CHECK(S_ISDIR(f.stat_of(kStat, "/").st_mode));
    CHECK(S_ISDIR(f.stat_of(kStat, "/data/sub").st_mode));
    // Relative to a directory descriptor; not to a file's.
    f.put(f.heap, "sub/inner.txt");
    const int64_t inner = f.result(kOpenat, {3, f.heap, kORdonly, 0});
    CHECK(inner >= 0);
    CHECK(f.result(kOpenat, {static_cast<uint64_t>(inner), f.heap, kORdonly, 0}) == -ENOTDIR);
    CHECK(f.result(kRead, {3, f.heap, 1}) == -EISDIR);
    CHECK(f.open("/data/hello.txt", kODirectory) == -ENOTDIR);
    CHECK(f.open("/data/hello.txt/") == -ENOTDIR);
    CHECK(f.result(kGetdents, {0, f.heap, 4096}) == -ENOTDIR);
}

TEST_CASE("linux files: a FIFO or device is refused, without waiting for a writer")
{
    FilesFixture f;
    CHECK(f.open("/data/fifo") == -EACCES);
}

TEST_CASE("linux files: stat by path and by descriptor, following links or not")
{
    FilesFixture f;
    CHECK(f.stat_of(kStat, "/data/hello.txt").st_size == 13);
    CHECK(S_ISREG(f.stat_of(kStat, "/data/alias").st_mode));
    CHECK(S_ISLNK(f.stat_of(kLstat, "/data/alias").st_mode));
    f.put(f.heap, "/data/alias");
    CHECK(f.result(kNewfstatat, {kAtFdcwd, f.heap, f.heap + 0x1000, 0x100 /* AT_SYMLINK_NOFOLLOW */}) == 0);
    struct stat st {};
    std::memcpy(&st, f.memory.host_view().data() + f.heap + 0x1000, sizeof st);
    CHECK(S_ISLNK(st.st_mode));
    const int64_t fd = f.open("/data/sub/inner.txt");
    f.put(f.heap, "");
    CHECK(f.result(kNewfstatat, {static_cast<uint64_t>(fd), f.heap, f.heap + 0x1000, 0x1000 /* AT_EMPTY_PATH */}) == 0);
    std::memcpy(&st, f.memory.host_view().data() + f.heap + 0x1000, sizeof st);
    CHECK(st.st_size == 5);
    CHECK(f.result(kNewfstatat, {static_cast<uint64_t>(fd), f.heap, f.heap + 0x1000, 0}) == -ENOENT);
}

TEST_CASE("linux files: the working directory moves within the namespace")
{
    FilesFixture f;
    CHECK(f.result(kGetcwd, {f.heap, 64}) == 2);
    CHECK(f.get(f.heap, 2) == std::string("/\0", 2));
    f.put(f.heap, "/data/sub");
    CHECK(f.result(kChdir, {f.heap}) == 0);
    CHECK(f.result(kGetcwd, {f.heap, 64}) == 10);
    CHECK(f.get(f.heap, 9) == "/data/sub");
    CHECK(f.result(kGetcwd, {f.heap, 5}) == -ERANGE);
    CHECK(f.open("inner.txt") >= 0);
    CHECK(f.open("../hello.txt") >= 0);
    f.put(f.heap, "/data/hello.txt");
    CHECK(f.result(kChdir, {f.heap}) == -ENOTDIR);
    f.put(f.heap, "/nowhere");
    CHECK(f.result(kChdir, {f.heap}) == -ENOENT);
    const int64_t root = f.open("/", kODirectory);
    CHECK(f.result(kFchdir, {static_cast<uint64_t>(root)}) == 0);
    CHECK(f.result(kGetcwd, {f.heap, 64}) == 2);
    CHECK(f.result(kFchdir, {1}) == -ENOTDIR);
}

TEST_CASE("linux files: descriptors are the lowest free, up to the limit, fcntl sees their flags")
{
    FilesFixture f;
    CHECK(f.result(kClose, {0}) == 0);
    CHECK(f.open("/data/hello.txt", kORdonly | kOCloexec) == 0);   // stdin's number, as Linux gives it
    CHECK(f.result(kFcntl, {0, 1 /* F_GETFD */}) == 1);
    CHECK(f.result(kFcntl, {0, 2 /* F_SETFD */, 0}) == 0);
    CHECK(f.result(kFcntl, {0, 1}) == 0);
    CHECK(f.result(kFcntl, {1, 3 /* F_GETFL */}) == 1);   // O_WRONLY
    CHECK(f.result(kFcntl, {0, 0 /* F_DUPFD */, 0}) == -EINVAL);
    CHECK(f.result(kFcntl, {77, 1}) == -EBADF);
    int64_t last = 0;
    for (int i = 3; i <= LinuxProcess::kMaxFds && last >= 0; ++i)
        last = f.open("/data/sub/inner.txt");
    CHECK(last == -EMFILE);   // the guest's limit, or the host's if it is lower
    CHECK(f.result(kClose, {5}) == 0);
    CHECK(f.open("/data/sub/inner.txt") == 5);
}

TEST_CASE("linux files: a copy of the process (a snapshot's) keeps its own offsets")
{
    FilesFixture f;
    REQUIRE(f.open("/data/hello.txt") == 3);
    const LinuxProcess saved = f.process;
    CHECK(f.result(kRead, {3, f.heap + 0x100, 7}) == 7);
    f.process = saved;   // a restore
    CHECK(f.result(kRead, {3, f.heap + 0x100, 5}) == 5);
    CHECK(f.get(f.heap + 0x100, 5) == "hello");
}

TEST_CASE("linux files: a directory that cannot be mapped is refused with one line naming it")
{
    HostTree tree;
    const std::string file = (tree.root / "hello.txt").string();
    auto message = [](const std::vector<MappedDirectory>& dirs) {
        try {
            linux_abi::FileNamespace::open(dirs);
        } catch (const OptionError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(message({{"/nonexistent-hl-dir", "/data"}}) ==
          "mapped directory '/nonexistent-hl-dir': No such file or directory");
    CHECK(message({{file, "/data"}}) == "mapped directory '" + file + "': not a directory");
    CHECK(message({{tree.root.string(), "data"}}) ==
          "mapped directory '" + tree.root.string() +
              "': guest path 'data' is not absolute and normal (expected a path like /data, without . or ..)");
    CHECK(message({{tree.root.string(), "/data"}, {tree.root.string(), "/data"}}) ==
          "mapped directory '" + tree.root.string() + "': guest path /data is mapped twice");
    CHECK(message({{tree.root.string(), "/"}}) == "accepted");
}
