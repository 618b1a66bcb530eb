// Reading back what an ELF core file hl wrote says (hl/core_file.hpp): its
// headers and notes, each checked before it is used, never its memory.
#include "arch.hpp"
#include "core/core_format.hpp"
#include "pages.hpp"
#include "snapshot/file_io.hpp"

#include <hl/core_file.hpp>
#include <hl/text.hpp>
#include <hl/units.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace hl {
namespace {

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

class Reader {
public:
    explicit Reader(const std::filesystem::path& path) : name_(path.string()) {}

    [[noreturn]] void invalid(const std::string& what) const
    {
        throw ImageError(ImageError::Kind::Invalid, name_ + ": " + what);
    }

    CoreFile read(int fd, uint64_t file_size)
    {
        Elf64_Ehdr eh{};
        if (file_size < sizeof eh || !read_exactly(fd, reinterpret_cast<uint8_t*>(&eh), sizeof eh, 0) ||
            std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
            invalid("not an ELF file");
        if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
            invalid("not a 64-bit little-endian ELF file");
        if (eh.e_type != ET_CORE)
            invalid("e_type is " + std::to_string(eh.e_type) + ", expected ET_CORE (4): not a core file");
        if (eh.e_machine != arch::core_machine())
            invalid("e_machine is " + std::to_string(eh.e_machine) + ", expected " +
                    std::to_string(arch::core_machine()) + ", this host's");
        if (eh.e_phentsize != sizeof(Elf64_Phdr))
            invalid("e_phentsize is " + std::to_string(eh.e_phentsize) + ", expected " +
                    std::to_string(sizeof(Elf64_Phdr)));
        if (eh.e_phnum == 0 || eh.e_phnum > core::kMaxSegments + 1)
            invalid("e_phnum is " + std::to_string(eh.e_phnum) + ", expected 1 to " +
                    std::to_string(core::kMaxSegments + 1));
        const uint64_t table = uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
        if (eh.e_phoff > file_size || table > file_size - eh.e_phoff)
            invalid("the program headers (e_phoff " + std::to_string(eh.e_phoff) + ") lie past the end of the file");
        std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
        if (!read_exactly(fd, reinterpret_cast<uint8_t*>(phdrs.data()), table, eh.e_phoff))
            invalid("the program headers cannot be read");

        CoreFile core;
        bool notes_seen = false;
        uint64_t previous_end = 0;
        for (size_t i = 0; i < phdrs.size(); ++i) {
            const Elf64_Phdr& p = phdrs[i];
            const std::string which = "program header " + std::to_string(i);
            if (p.p_offset > file_size || p.p_filesz > file_size - p.p_offset)
                invalid(which + " lies past the end of the file (offset " + std::to_string(p.p_offset) + ", " +
                        std::to_string(p.p_filesz) + " bytes)");
            if (p.p_type == PT_NOTE) {
                if (notes_seen)
                    invalid(which + " is a second PT_NOTE");
                notes_seen = true;
                read_notes(fd, p, core);
            } else if (p.p_type == PT_LOAD) {
                if (p.p_filesz != p.p_memsz)
                    invalid(which + ": p_filesz " + std::to_string(p.p_filesz) + " differs from p_memsz " +
                            std::to_string(p.p_memsz));
                if (p.p_vaddr < previous_end || p.p_memsz > UINT64_MAX - p.p_vaddr)
                    invalid(which + " at " + format_hex(p.p_vaddr) + " overlaps or precedes the one before");
                previous_end = p.p_vaddr + p.p_memsz;
                core.segments.push_back({p.p_vaddr, p.p_memsz, (p.p_flags & PF_W) != 0, (p.p_flags & PF_X) != 0});
            } else {
                invalid(which + " has type " + std::to_string(p.p_type) + ", expected PT_NOTE or PT_LOAD");
            }
        }
        if (!notes_seen)
            invalid("no PT_NOTE: the registers and the HL note are missing");
        return core;
    }

private:
    void read_notes(int fd, const Elf64_Phdr& p, CoreFile& core)
    {
        if (p.p_filesz > core::kMaxNotesSize)
            invalid("the notes take " + std::to_string(p.p_filesz) + " bytes, more than " +
                    std::to_string(core::kMaxNotesSize));
        std::vector<uint8_t> bytes(p.p_filesz);
        if (!read_exactly(fd, bytes.data(), bytes.size(), p.p_offset))
            invalid("the notes cannot be read");
        bool thread = false, process = false, stop = false;
        for (size_t at = 0; at < bytes.size();) {
            Elf64_Nhdr h{};
            if (bytes.size() - at < sizeof h)
                invalid("a note header is cut short at notes offset " + std::to_string(at));
            std::memcpy(&h, bytes.data() + at, sizeof h);
            const uint64_t name_at = at + sizeof h;
            const uint64_t desc_at = name_at + round_up(h.n_namesz, 4);
            const uint64_t end = desc_at + round_up(h.n_descsz, 4);
            if (h.n_namesz == 0 || desc_at > bytes.size() || end > bytes.size())
                invalid("a note at notes offset " + std::to_string(at) + " runs past the notes");
            const std::string_view name(reinterpret_cast<const char*>(bytes.data() + name_at), h.n_namesz - 1);
            const std::span<const uint8_t> desc(bytes.data() + desc_at, h.n_descsz);
            auto once = [&](bool& seen, const char* what) {
                if (seen)
                    invalid(std::string("a second ") + what + " note");
                seen = true;
            };
            if (name == core::kLinuxNoteName && h.n_type == core::kNotePrstatus) {
                once(thread, "NT_PRSTATUS");
                const auto t = arch::read_core_thread_note(desc);
                if (!t)
                    invalid("the NT_PRSTATUS note has " + std::to_string(desc.size()) +
                            " bytes, not this architecture's");
                core.signal = t->signal;
                for (const auto& [register_name, value] : arch::named_registers(t->registers))
                    core.registers.emplace_back(register_name, value);
                core.registers.emplace_back("fs_base", t->thread_pointer);
            } else if (name == core::kLinuxNoteName && h.n_type == core::kNotePrpsinfo) {
                once(process, "NT_PRPSINFO");
                const auto info = arch::read_core_process_note(desc);
                if (!info)
                    invalid("the NT_PRPSINFO note has " + std::to_string(desc.size()) +
                            " bytes, not this architecture's");
                core.program = info->program;
                core.arguments = info->arguments;
            } else if (name == core::kHlNoteName && h.n_type == core::kHlNoteStop) {
                once(stop, "HL");
                read_stop(desc, core);
            }
            at = end;
        }
        if (!stop)
            invalid("no HL note: not a core file hl wrote");
        if (!thread)
            invalid("no NT_PRSTATUS note: the registers are missing");
        if (!process)
            invalid("no NT_PRPSINFO note");
    }

    void read_stop(std::span<const uint8_t> desc, CoreFile& core)
    {
        std::map<std::string, std::string, std::less<>> fields;
        const char* p = reinterpret_cast<const char*>(desc.data());
        const char* const end = p + desc.size();
        auto next = [&]() {
            const char* nul = static_cast<const char*>(std::memchr(p, 0, static_cast<size_t>(end - p)));
            if (!nul)
                invalid("the HL note's last field lacks its NUL");
            std::string text(p, nul);
            p = nul + 1;
            return text;
        };
        while (p < end) {
            std::string key = next();
            if (p >= end)
                invalid("the HL note's key '" + printable(key) + "' has no value");
            fields[std::move(key)] = next();
        }
        auto field = [&](std::string_view key) {
            const auto found = fields.find(key);
            if (found == fields.end())
                invalid("the HL note lacks its '" + std::string(key) + "' field");
            return found->second;
        };
        core.hl_version = field(core::kKeyVersion);
        core.image = field(core::kKeyImage);
        core.image_sha256 = field(core::kKeyImageSha256);
        core.ending = field(core::kKeyEnding);
        core.message = field(core::kKeyMessage);
        core.where = field(core::kKeyWhere);
    }

    std::string name_;
};

} // namespace

CoreFile CoreFile::load(const std::filesystem::path& path)
{
    // Not blocked by a FIFO: it is refused below, as anything not a regular file.
    Fd in{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
    struct stat st {};
    if (in.fd < 0 || ::fstat(in.fd, &st) != 0)
        throw ImageError(ImageError::Kind::Unreadable, "cannot read " + path.string() + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw ImageError(ImageError::Kind::Unreadable, "cannot read " + path.string() + ": not a regular file");
    return Reader(path).read(in.fd, static_cast<uint64_t>(st.st_size));
}

bool CoreFile::is_core_file(const std::filesystem::path& path)
{
    Fd in{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
    struct stat st {};
    Elf64_Ehdr eh{};
    return in.fd >= 0 && ::fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode) && read_exactly(in.fd, reinterpret_cast<uint8_t*>(&eh), sizeof eh, 0) &&
           std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
           eh.e_ident[EI_DATA] == ELFDATA2LSB && eh.e_type == ET_CORE;
}

} // namespace hl
