// ELF core files: the container (see core_writer.hpp).
#include "core/core_writer.hpp"

#include "core/core_format.hpp"
#include "pages.hpp"
#include "snapshot/file_io.hpp"

#include <hl/error.hpp>

#include <cerrno>
#include <cstring>
#include <elf.h>
#include <unistd.h>

namespace hl {
namespace {

// One note: its header, its name and its description, each padded to 4 bytes.
void append_note(std::vector<uint8_t>& out, std::string_view name, uint32_t type, std::span<const uint8_t> desc)
{
    const Elf64_Nhdr header{static_cast<Elf64_Word>(name.size() + 1), static_cast<Elf64_Word>(desc.size()), type};
    const auto* h = reinterpret_cast<const uint8_t*>(&header);
    out.insert(out.end(), h, h + sizeof header);
    out.insert(out.end(), name.begin(), name.end());
    out.push_back(0);
    out.resize(round_up(out.size(), 4), 0);
    out.insert(out.end(), desc.begin(), desc.end());
    out.resize(round_up(out.size(), 4), 0);
}

std::vector<uint8_t> stop_note_desc(const std::vector<std::pair<std::string, std::string>>& stop)
{
    std::vector<uint8_t> desc;
    for (const auto& [key, value] : stop) {
        desc.insert(desc.end(), key.begin(), key.end());
        desc.push_back(0);
        desc.insert(desc.end(), value.begin(), value.end());
        desc.push_back(0);
    }
    return desc;
}

[[noreturn]] void fail()
{
    throw Error(std::string("cannot write the core file: ") + std::strerror(errno ? errno : EIO));
}

// The pages of a range that differ from zero, as runs written at offset.
void write_memory(int fd, const CoreContents& c, const CoreContents::Range& range, uint64_t offset)
{
    const std::span<const uint8_t> bytes = range.bytes;
    auto data = [&](uint64_t page) {
        return (!c.may_hold_data || c.may_hold_data(range.address + page)) && !page_is_zero(bytes.data() + page);
    };
    for (uint64_t page = 0; page < bytes.size();) {
        if (!data(page)) {
            page += kPage;
            continue;
        }
        uint64_t end = page + kPage;
        while (end < bytes.size() && data(end))
            end += kPage;
        if (!write_exactly(fd, bytes.data() + page, end - page, offset + page))
            fail();
        page = end;
    }
}

} // namespace

void write_core_file(int fd, const CoreContents& c)
{
    std::vector<uint8_t> notes;
    append_note(notes, core::kLinuxNoteName, core::kNotePrstatus, c.thread_note);
    if (!c.fpu_note.empty())
        append_note(notes, core::kLinuxNoteName, core::kNoteFpregset, c.fpu_note);
    if (!c.xstate_note.empty())
        append_note(notes, core::kLinuxXstateNoteName, core::kNoteX86Xstate, c.xstate_note);
    append_note(notes, core::kLinuxNoteName, core::kNotePrpsinfo, c.process_note);
    append_note(notes, core::kHlNoteName, core::kHlNoteStop, stop_note_desc(c.stop));

    const uint64_t phnum = 1 + c.memory.size();
    const uint64_t notes_offset = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
    eh.e_type = ET_CORE;
    eh.e_machine = c.machine;
    eh.e_version = EV_CURRENT;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = static_cast<Elf64_Half>(phnum);

    std::vector<Elf64_Phdr> phdrs;
    phdrs.push_back({.p_type = PT_NOTE, .p_flags = 0, .p_offset = notes_offset, .p_vaddr = 0, .p_paddr = 0,
                     .p_filesz = notes.size(), .p_memsz = 0, .p_align = 4});
    uint64_t offset = page_up(notes_offset + notes.size());
    for (const CoreContents::Range& r : c.memory) {
        const Elf64_Word flags = PF_R | (r.writable ? PF_W : 0) | (r.executable ? PF_X : 0);
        phdrs.push_back({.p_type = PT_LOAD, .p_flags = flags, .p_offset = offset, .p_vaddr = r.address,
                         .p_paddr = 0, .p_filesz = r.bytes.size(), .p_memsz = r.bytes.size(), .p_align = kPage});
        offset += r.bytes.size();
    }

    std::vector<uint8_t> head(reinterpret_cast<const uint8_t*>(&eh), reinterpret_cast<const uint8_t*>(&eh) + sizeof eh);
    const auto* ph = reinterpret_cast<const uint8_t*>(phdrs.data());
    head.insert(head.end(), ph, ph + phdrs.size() * sizeof(Elf64_Phdr));
    head.insert(head.end(), notes.begin(), notes.end());
    errno = 0;
    if (!write_exactly(fd, head.data(), head.size(), 0))
        fail();
    for (size_t i = 0; i < c.memory.size(); ++i)
        write_memory(fd, c, c.memory[i], phdrs[i + 1].p_offset);
    // The holes up to the end: a last range of zeros is still the file's.
    int truncated;
    do
        truncated = ::ftruncate(fd, static_cast<off_t>(offset));
    while (truncated != 0 && errno == EINTR);
    if (truncated != 0)
        fail();
}

} // namespace hl
