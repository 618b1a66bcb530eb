// The SIGSYS handler of confined threads (see seccomp_report.hpp). It runs on
// a thread the filter just caught doing what it must not, so it trusts
// nothing it would have to compute then: names come from a table filled
// before confinement, and it makes only write(2) and exit_group, both allowed.
#include "confine/seccomp_report.hpp"
#include "linux/syscall_names.hpp"

#include <hl/confine.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <linux/audit.h>
#include <mutex>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

namespace hl {
namespace {

// The host's own calls are linux_abi::syscall_name's. An x86-64 process
// can also make the i386 ABI's (`int $0x80`): their names are generated from
// <asm/unistd_32.h> (cmake/SyscallNames.cmake).
#if defined(__x86_64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_X86_64;
struct NumberedName {
    int number;
    const char* name;
};
constexpr NumberedName kI386Calls[] = {
#include "syscall_names_i386.inc"
};

const char* i386_name(int nr)
{
    for (const NumberedName& call : kI386Calls)
        if (call.number == nr)
            return call.name;
    return nullptr;
}
#elif defined(__aarch64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
const char* i386_name(int) { return nullptr; }
#endif

// What this thread's report says; initial-exec TLS is async-signal-safe to read.
constexpr size_t kMaxRecords = 4;
struct Record {
    int fd;
    const char* before;   // kept alive by kept_texts()
    const char* after;
};
struct Report {
    bool armed;
    char program[64];
    int exit_status;
    Record records[kMaxRecords];
    size_t record_count;
};
thread_local Report t_report __attribute__((tls_model("initial-exec"))) = {false, {0}, 0, {}, 0};

// The records' texts, for the life of the process, never destroyed: a
// confined thread stays confined, and may meet its filter during exit too.
std::deque<std::string>& kept_texts()
{
    static auto* texts = new std::deque<std::string>;
    return *texts;
}

void write_all(int fd, const char* text, size_t size)
{
    // Raw system calls: a wrapper may be intercepted (by a sanitizer runtime,
    // say) and make calls of its own, which would be forbidden here too.
    for (size_t done = 0; done < size;) {
        const long n = syscall(SYS_write, fd, text + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += static_cast<size_t>(n);
    }
}
constexpr int kUnarmedStatus = 159; // a SIGSYS from a filter that is not ours: as if killed by it

// A fixed buffer and appends that cannot fail or allocate.
struct Line {
    char text[384];
    size_t size = 0;

    void add(const char* s)
    {
        while (*s && size < sizeof text)
            text[size++] = *s++;
    }
    void add_text(const Line& other)
    {
        for (size_t i = 0; i < other.size && size < sizeof text; ++i)
            text[size++] = other.text[i];
    }
    void add_number(uint64_t value, unsigned base)
    {
        char digits[24];
        int n = 0;
        do {
            digits[n++] = "0123456789abcdef"[value % base];
            value /= base;
        } while (value);
        while (n && size < sizeof text)
            text[size++] = digits[--n];
    }
};

void on_sigsys(int, siginfo_t* info, void* context)
{
    // Async-signal-safe only: the line is built in place, written, and the process ends.
    const int nr = info->si_syscall;
    const bool i386 = info->si_arch == AUDIT_ARCH_I386;
    const char* name = nullptr;
    if (i386)
        name = i386_name(nr);
    else if (info->si_arch == kNativeArch && nr >= 0)
        name = linux_abi::syscall_name(static_cast<uint64_t>(nr));
    Line line;
    line.add("seccomp stopped system call ");
    line.add(name && name[0] ? name : "number");
    line.add(" (");
    line.add_number(static_cast<uint32_t>(nr), 10);
    if (i386)
        line.add(", i386 ABI");
    else if (info->si_arch != kNativeArch)
        line.add(", another ABI");
    if (!i386 && name && std::strcmp(name, "ioctl") == 0) {
        // The request, the call's second argument, from the stopped thread's registers.
        const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
        const uint64_t request = uc->uc_mcontext.gregs[REG_RSI];
#elif defined(__aarch64__)
        const uint64_t request = uc->uc_mcontext.regs[1];
#endif
        line.add(", request 0x");
        line.add_number(static_cast<uint32_t>(request), 16);
    }
    line.add(") in the vCPU thread");
    Line whole;   // one write, so that the line is not split by another writer's
    whole.add(t_report.armed && t_report.program[0] ? t_report.program : program_invocation_short_name);
    whole.add(": error: ");
    whole.add_text(line);
    whole.add("\n");
    write_all(STDERR_FILENO, whole.text, whole.size);
    for (size_t i = 0; t_report.armed && i < t_report.record_count; ++i) {
        const Record& record = t_report.records[i];
        write_all(record.fd, record.before, std::strlen(record.before));
        write_all(record.fd, line.text, line.size);
        write_all(record.fd, record.after, std::strlen(record.after));
    }
    syscall(SYS_exit_group, t_report.armed ? t_report.exit_status : kUnarmedStatus);
    _exit(kUnarmedStatus); // not reached
}

} // namespace

void arm_seccomp_report(const std::string& program, int exit_status, const std::vector<ViolationRecord>& records)
{
    static std::once_flag once;
    static int install_error = 0;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_sigaction = on_sigsys;
        sigfillset(&action.sa_mask);   // no other handler cuts into the report
        action.sa_flags = SA_SIGINFO;
        if (sigaction(SIGSYS, &action, nullptr) < 0)
            install_error = errno;
    });
    if (install_error)
        throw ConfineError(std::string("cannot install the SIGSYS handler: ") + std::strerror(install_error));
    Report& report = t_report;
    std::memset(report.program, 0, sizeof report.program);
    std::strncpy(report.program, program.c_str(), sizeof report.program - 1);
    report.exit_status = exit_status;
    {
        static std::mutex kept;
        const std::lock_guard lock(kept);
        report.record_count = 0;
        for (const ViolationRecord& record : records) {
            if (report.record_count == kMaxRecords)
                break;   // confine_this_thread refuses more
            const char* before = kept_texts().emplace_back(record.before).c_str();
            const char* after = kept_texts().emplace_back(record.after).c_str();
            report.records[report.record_count++] = {record.fd, before, after};
        }
    }
    report.armed = true;
    // A thread that blocks SIGSYS would still get it (the kernel forces it),
    // but unblocking says so.
    sigset_t sigsys;
    sigemptyset(&sigsys);
    sigaddset(&sigsys, SIGSYS);
    pthread_sigmask(SIG_UNBLOCK, &sigsys, nullptr);
}

void clear_violation_records()
{
    t_report.record_count = 0;
}

} // namespace hl
