// The notes both architectures' core files share (see linux_notes.hpp).
#include "core/linux_notes.hpp"

#include <algorithm>

namespace hl::core {

std::vector<uint8_t> prstatus(size_t size, int signal)
{
    std::vector<uint8_t> bytes(size, 0);
    put<int32_t>(bytes, kPrstatusSignalOffset, signal);
    put<int16_t>(bytes, kPrstatusCursigOffset, static_cast<int16_t>(signal));
    put<int32_t>(bytes, kPrstatusPidOffset, 1);
    return bytes;
}

} // namespace hl::core

namespace hl::arch {
namespace {

constexpr size_t kPrpsinfoSize = 136;     // sizeof(struct elf_prpsinfo)
constexpr size_t kFnameOffset = 40;       // pr_fname[16]
constexpr size_t kPsargsOffset = 56;      // pr_psargs[80]
constexpr size_t kFnameSize = 16, kPsargsSize = 80;

// A NUL-terminated field of `size` bytes: text cut to fit.
void put_text(std::vector<uint8_t>& bytes, size_t offset, size_t size, const std::string& text)
{
    std::memcpy(bytes.data() + offset, text.data(), std::min(text.size(), size - 1));
}

std::string get_text(std::span<const uint8_t> bytes, size_t offset, size_t size)
{
    const char* start = reinterpret_cast<const char*>(bytes.data() + offset);
    return std::string(start, strnlen(start, size));
}

} // namespace

std::vector<uint8_t> core_process_note(const CoreProcess& process)
{
    std::vector<uint8_t> bytes(kPrpsinfoSize, 0);
    bytes[1] = 'R';   // pr_sname: the state ps shows
    core::put<int32_t>(bytes, 24, 1);   // pr_pid
    put_text(bytes, kFnameOffset, kFnameSize, process.program);
    put_text(bytes, kPsargsOffset, kPsargsSize, process.arguments);
    return bytes;
}

std::optional<CoreProcess> read_core_process_note(std::span<const uint8_t> desc)
{
    if (desc.size() != kPrpsinfoSize)
        return std::nullopt;
    return CoreProcess{get_text(desc, kFnameOffset, kFnameSize), get_text(desc, kPsargsOffset, kPsargsSize)};
}

} // namespace hl::arch
