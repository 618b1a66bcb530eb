// Gathering what check_host judges (host_facts.hpp): the device, KVM, the
// kernel's perf and seccomp, the limits. Each fact is asked for on its own,
// so that one that cannot be had leaves the others.
#include "host/host_facts.hpp"


#include <hl/error.hpp>
#include <hl/kernel_trace.hpp>

#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hl {
namespace {

// The colon-separated fields of the line of /etc/passwd or /etc/group whose
// third field is id. Read directly: the name service switch would load
// shared libraries into a static hlrun.
std::vector<std::string> database_entry(const char* file, unsigned id)
{
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> fields;
        std::istringstream split(line);
        for (std::string field; std::getline(split, field, ':');)
            fields.push_back(field);
        if (fields.size() >= 3 && fields[2] == std::to_string(id))
            return fields;
    }
    return {};
}

std::string user_name(uid_t uid)
{
    const auto entry = database_entry("/etc/passwd", uid);
    return entry.empty() ? std::to_string(uid) : entry[0];
}

std::string group_name(gid_t gid)
{
    const auto entry = database_entry("/etc/group", gid);
    return entry.empty() ? std::to_string(gid) : entry[0];
}

HostFacts::Device device_facts(int& fd)
{
    HostFacts::Device d;
    d.root = geteuid() == 0;
    d.user = user_name(geteuid());
    struct stat st {};
    if (stat("/dev/kvm", &st) != 0)
        return d;
    d.exists = true;
    d.character = S_ISCHR(st.st_mode);
    d.major = major(st.st_rdev);
    d.minor = minor(st.st_rdev);
    d.mode = st.st_mode & 0777;
    d.owner = user_name(st.st_uid);
    d.group = group_name(st.st_gid);
    std::vector<gid_t> groups(static_cast<size_t>(std::max(getgroups(0, nullptr), 0)));
    groups.resize(static_cast<size_t>(std::max(getgroups(static_cast<int>(groups.size()), groups.data()), 0)));
    d.in_group = getegid() == st.st_gid || std::find(groups.begin(), groups.end(), st.st_gid) != groups.end();
    if (const auto entry = database_entry("/etc/group", st.st_gid); entry.size() >= 4) {
        std::istringstream members(entry[3]);
        for (std::string member; std::getline(members, member, ',');)
            d.group_lists_user = d.group_lists_user || member == d.user;
    }
    // Only the KVM device is opened and asked: another node at that path is left alone.
    if (!d.character || d.major != 10 || d.minor != 232)
        return d;
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC | O_NOCTTY);
    d.open_error = fd < 0 ? errno : 0;
    return d;
}

std::string kvm_module()
{
    for (const char* module : {"kvm_pvm", "kvm_intel", "kvm_amd"})
        if (std::error_code error; std::filesystem::exists(std::string("/sys/module/") + module, error))
            return module;
    return {};
}

// Whether the filter actions hl's policies use are there: the kernel has
// seccomp filters then (a filter itself would confine this thread for good).
std::string seccomp_problem()
{
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
        return std::string("seccomp is not in this kernel (") + std::strerror(errno) + ")";
    for (const uint32_t action : {uint32_t{SECCOMP_RET_TRAP}, uint32_t{SECCOMP_RET_KILL_PROCESS}, uint32_t{SECCOMP_RET_ERRNO}}) {
        uint32_t asked = action;
        if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &asked) != 0)
            return std::string("seccomp filters cannot use an action hl needs (") + std::strerror(errno) + ")";
    }
    return {};
}

} // namespace

HostFacts gather_host_facts()
{
    HostFacts f;
    int fd = -1;
    f.device = device_facts(fd);
    if (fd >= 0) {
        f.api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
        auto has = [fd](long capability) { return ioctl(fd, KVM_CHECK_EXTENSION, capability) > 0; };
        f.capabilities.immediate_exit = has(KVM_CAP_IMMEDIATE_EXIT);
        f.capabilities.sync_regs = has(KVM_CAP_SYNC_REGS);
        f.capabilities.dirty_ring = has(KVM_CAP_DIRTY_LOG_RING);
        gather_guest_cpu_facts(f, fd);
        close(fd);
    }
    f.hypervisor = kvm_module();
    std::error_code error;
    f.device_registered = std::filesystem::exists("/sys/class/misc/kvm", error);
    f.architecture = kHostArchitecture;
    f.nested = running_in_a_vm();
    try {
        KernelTrace::open_for_this_thread();
    } catch (const Error& error) {
        f.kernel_trace_error = error.what();
    }
    f.seccomp_error = seccomp_problem();
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        f.open_files_soft = limit.rlim_cur;
        f.open_files_hard = limit.rlim_max;
    }
    return f;
}

std::vector<HostCheck> check_host()
{
    return judge_host(gather_host_facts());
}

} // namespace hl
