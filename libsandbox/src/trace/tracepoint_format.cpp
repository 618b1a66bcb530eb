// Tracepoint formats from tracefs (see tracepoint_format.hpp).
#include "trace/tracepoint_format.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hl {
namespace {

constexpr const char* kTracefsMounts[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

// Value after "key:" up to ';' in a format line.
std::optional<std::string> attribute(const std::string& line, const std::string& key)
{
    const size_t at = line.find(key + ":");
    if (at == std::string::npos)
        return std::nullopt;
    const size_t start = at + key.size() + 1;
    return line.substr(start, line.find(';', start) - start);
}

// Ports, values, addresses and (arm64) syndromes read best in hex; counts and sizes in decimal.
bool reads_as_address(const std::string& field)
{
    for (const char* part : {"port", "val", "rip", "addr", "gpa", "gva", "cr", "pc", "ipa", "far", "hsr", "esr", "cpsr"})
        if (field.find(part) != std::string::npos)
            return true;
    return false;
}

std::string read_text_file(const std::string& path)
{
    std::string text;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return text;
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0)
        text.append(buffer, static_cast<size_t>(n));
    close(fd);
    return text;
}

// The format files as "NAME\nLENGTH\nTEXT" records, from a tracefs at root.
std::string read_formats_at(const std::string& root, const std::string& system, const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& name : names) {
        const std::string text = read_text_file(root + "/events/" + system + "/" + name + "/format");
        if (!text.empty())
            out += name + "\n" + std::to_string(text.size()) + "\n" + text;
    }
    return out;
}

// Mounts tracefs in a private mount namespace of a child and reads there.
std::string read_formats_privately(const std::string& system, const std::vector<std::string>& names, std::string& why)
{
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
        why = std::string("pipe: ") + std::strerror(errno);
        return {};
    }
    const pid_t child = fork();
    if (child == 0) {
        // Only the child's mount namespace sees this mount; it dies with the child.
        close(pipe_fds[0]);
        if (unshare(CLONE_NEWNS) < 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
            mount("nodev", kTracefsMounts[0], "tracefs", 0, nullptr) < 0) {
            const std::string error = std::string("\x01") + std::strerror(errno);
            (void)!write(pipe_fds[1], error.data(), error.size());
            _exit(1);
        }
        const std::string text = read_formats_at(kTracefsMounts[0], system, names);
        for (size_t done = 0; done < text.size();) {
            const ssize_t n = write(pipe_fds[1], text.data() + done, text.size() - done);
            if (n <= 0)
                _exit(1);
            done += static_cast<size_t>(n);
        }
        _exit(0);
    }
    close(pipe_fds[1]);
    if (child < 0) {
        close(pipe_fds[0]);
        why = std::string("fork: ") + std::strerror(errno);
        return {};
    }
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            text.append(buffer, static_cast<size_t>(n));
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!text.empty() && text[0] == '\x01') {
        why = "cannot mount a private tracefs: " + text.substr(1);
        return {};
    }
    return text;
}

} // namespace

std::optional<TracepointFormat> parse_tracepoint_format(const std::string& name, const std::string& text)
{
    TracepointFormat format;
    format.name = name;
    bool have_id = false;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("ID:", 0) == 0) {
            format.id = std::strtoull(line.c_str() + 3, nullptr, 10);
            have_id = true;
            continue;
        }
        const auto field = attribute(line, "field");
        const auto offset = attribute(line, "offset");
        const auto size = attribute(line, "size");
        if (!field || !offset || !size)
            continue;
        // "unsigned int port" -> "port"; "char name[16]" stays unused (size checks skip it).
        std::string field_name = field->substr(field->find_last_of(' ') + 1);
        if (field_name.rfind("common_", 0) == 0 || field_name.find('[') != std::string::npos)
            continue;
        const auto is_signed = attribute(line, "signed");
        format.fields.push_back({field_name, static_cast<uint32_t>(std::stoul(*offset)),
                                 static_cast<uint32_t>(std::stoul(*size)), is_signed && *is_signed == "1"});
    }
    if (!have_id)
        return std::nullopt;
    return format;
}

std::string describe_tracepoint_record(const TracepointFormat& format, std::span<const uint8_t> record)
{
    std::string text;
    for (const TracepointField& field : format.fields) {
        if (field.size != 1 && field.size != 2 && field.size != 4 && field.size != 8)
            continue;
        if (field.offset > record.size() || field.size > record.size() - field.offset)
            continue;
        uint64_t raw = 0;
        std::memcpy(&raw, record.data() + field.offset, field.size); // little-endian host
        char value[32];
        if (field.is_signed) {
            const unsigned shift = 64 - field.size * 8;
            const int64_t signed_value = static_cast<int64_t>(raw << shift) >> shift;
            std::snprintf(value, sizeof value, "%" PRId64, signed_value);
        } else {
            std::snprintf(value, sizeof value, reads_as_address(field.name) ? "0x%" PRIx64 : "%" PRIu64, raw);
        }
        text += (text.empty() ? "" : " ") + field.name + "=" + value;
    }
    return text;
}

std::vector<TracepointFormat> read_tracepoint_formats(const std::string& system, const std::vector<std::string>& names)
{
    std::string records;
    for (const char* root : kTracefsMounts) {
        if (access((std::string(root) + "/events/" + system).c_str(), R_OK) == 0) {
            records = read_formats_at(root, system, names);
            break;
        }
    }
    std::string why;
    if (records.empty())
        records = read_formats_privately(system, names, why);
    std::vector<TracepointFormat> formats;
    std::istringstream stream(records);
    for (std::string name, length; std::getline(stream, name) && std::getline(stream, length);) {
        std::string text(std::stoul(length), '\0');
        stream.read(text.data(), static_cast<std::streamsize>(text.size()));
        if (auto format = parse_tracepoint_format(name, text))
            formats.push_back(std::move(*format));
    }
    if (formats.empty())
        throw Error("no " + system + " tracepoints readable in tracefs" + (why.empty() ? "" : " (" + why + ")"));
    return formats;
}

} // namespace hl
