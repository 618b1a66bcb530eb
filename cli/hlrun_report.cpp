// --report and call --json's error object (see hlrun_report.hpp).
#include "hlrun_report.hpp"

#include "hlrun_common.hpp"
#include "hlrun_exit_codes.hpp"
#include "logging.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace hl::cli {
namespace {

bool write_whole(int fd, const std::string& text)
{
    for (size_t done = 0; done < text.size();) {
        const ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

} // namespace

HlrunReport::~HlrunReport()
{
    if (fd_ >= 0)
        close(fd_);
}

std::string HlrunReport::open(const std::string& path, RunReport subject, const std::vector<std::string>& inputs,
                              const std::vector<std::pair<std::string, std::string>>& outputs)
{
    report_ = std::move(subject);
    start_ = std::chrono::steady_clock::now();
    if (path.empty())
        return {};
    if (const std::string error = output_is_input("--report", path, inputs); !error.empty())
        return error;
    struct stat file {}, input {};
    if (stat(path.c_str(), &file) == 0 && fstat(STDIN_FILENO, &input) == 0 && S_ISREG(file.st_mode) &&
        file.st_dev == input.st_dev && file.st_ino == input.st_ino)
        return "--report: " + path + " is hlrun's standard input; choose another file";
    std::error_code error;
    const auto canonical = std::filesystem::weakly_canonical(path, error);
    for (const auto& [option, other] : outputs) {
        std::error_code other_error;
        if (!error && std::filesystem::weakly_canonical(other, other_error) == canonical && !other_error)
            return "--report: " + path + " is " + option + "'s file too; choose another file";
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd_ < 0)
        return "--report: cannot open " + path + " for writing: " + std::strerror(errno);
    path_ = path;
    return {};
}

void HlrunReport::decide(const RunResult& result, int status, std::string reason)
{
    decided_ = outcome_of(result, status);
    if (!reason.empty())
        decided_->reason = std::move(reason);
    if (result.ending == RunResult::Ending::Exited)
        report_.guest_status = result.exit_status;
    report_.fault = result.fault;
    report_.core_file = result.core_file;
}

std::vector<ViolationRecord> HlrunReport::violation_records(int status)
{
    std::vector<ViolationRecord> records;
    if (fd_ >= 0) {
        auto [before, after] = violation_report_json(report_, status);
        records.push_back({fd_, std::move(before), std::move(after)});
    }
    if (errors_on_stdout_) {
        auto [before, after] = violation_error_object(status);
        records.push_back({STDOUT_FILENO, std::move(before), std::move(after)});
    }
    return records;
}

int HlrunReport::finish(int status)
{
    clear_violation_records();   // what they would complete is written now
    report_.outcome = decided_ && decided_->status == status ? *decided_ : outcome_of_status(status, logging::last_error());
    // One JSON text on stdout: none after a result, none to a reader that is gone.
    if (errors_on_stdout_ && status != 0 && !result_printed_ && status != kExitOutputClosed)
        print_to_stdout(error_object(report_.outcome) + "\n", "the error object");
    if (fd_ < 0)
        return status;
    report_.hlrun_time = std::chrono::steady_clock::now() - start_;
    const bool written = write_whole(fd_, report_json(report_));
    const int error = errno;
    const bool closed = close(fd_) == 0;
    fd_ = -1;
    if (written && closed)
        return status;
    log_error("--report: cannot write {}: {}", path_, std::strerror(written ? errno : error));
    return status ? status : static_cast<int>(kExitHostError);
}

} // namespace hl::cli
