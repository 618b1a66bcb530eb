// The note rules of hl-abi(7): the walk over every PT_NOTE that every image
// gets, and the hl ABI note of an hl image.
#include "image/elf_notes.hpp"

#include "image/elf_rules.hpp"
#include "pages.hpp"

#include <hl/abi.h>

#include <cstring>

namespace hl::rules {

bool Note::owned_by(std::string_view owner) const {
    return name.size() == owner.size() + 1 && std::memcmp(name.data(), owner.data(), owner.size()) == 0 &&
           name[owner.size()] == 0;
}

std::optional<NoteProblem> walk_notes(std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file,
                                      const std::function<void(const Note&)>& visit) {
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const Elf64_Phdr& ph = phdrs[i];
        if (ph.p_type != PT_NOTE)
            continue;
        const std::string where = header_name(i, "PT_NOTE");
        if (!inside_file(ph.p_offset, ph.p_filesz, file.size()))
            return NoteProblem{where + " data (" + hex(ph.p_filesz) + " bytes at " + hex(ph.p_offset) +
                                   ") extends past end of file (" + hex(file.size()) + " bytes)",
                               "notes inside the file"};
        const std::span<const uint8_t> segment = file.subspan(ph.p_offset, ph.p_filesz);
        // Notes in an 8-aligned segment (such as .note.gnu.property) pad to 8.
        const uint64_t align = ph.p_align == 8 ? 8 : 4;
        uint64_t pos = 0;
        while (pos < segment.size()) {
            const uint64_t left = segment.size() - pos;
            if (left < sizeof(Elf64_Nhdr))
                return NoteProblem{"header at offset " + hex(pos) + " of " + where + " is truncated to " +
                                       std::to_string(left) + " bytes",
                                   std::to_string(sizeof(Elf64_Nhdr)) + " bytes"};
            Elf64_Nhdr nhdr;
            std::memcpy(&nhdr, segment.data() + pos, sizeof nhdr);
            // namesz and descsz are 32-bit and pos < p_filesz <= file size, so
            // none of these sums can wrap a 64-bit value.
            const uint64_t name_at = pos + sizeof nhdr;
            const uint64_t desc_at = round_up(name_at + nhdr.n_namesz, align);
            const uint64_t desc_end = desc_at + nhdr.n_descsz;
            if (desc_end > segment.size())
                return NoteProblem{"note at offset " + hex(pos) + " of " + where + " (namesz " +
                                       hex(nhdr.n_namesz) + ", descsz " + hex(nhdr.n_descsz) +
                                       ") extends past the segment end " + hex(segment.size()),
                                   "notes inside the segment"};
            visit(Note{i, nhdr.n_type, segment.subspan(name_at, nhdr.n_namesz),
                       segment.subspan(desc_at, nhdr.n_descsz)});
            pos = round_up(desc_end, align);
        }
    }
    return std::nullopt;
}

void check_notes(const std::string& name, std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file,
                 const std::function<void(const Note&)>& visit) {
    if (const auto problem = walk_notes(phdrs, file, visit))
        reject(name, "note", problem->problem, problem->expected);
}

bool is_hl_note(const Note& note) {
    return note.type == HL_NOTE_ABI && note.owned_by(HL_NOTE_NAME);
}

uint32_t peek_note_flags(std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file) {
    std::optional<uint32_t> flags;
    (void)walk_notes(phdrs, file, [&](const Note& note) {
        struct hl_image_note desc;
        if (flags || !is_hl_note(note) || note.desc.size() != sizeof desc)
            return;
        std::memcpy(&desc, note.desc.data(), sizeof desc);
        flags = desc.flags;
    });
    return flags.value_or(0);
}

ImageNote find_note(const std::string& name, std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file) {
    struct hl_image_note desc {};
    size_t found = 0;
    check_notes(name, phdrs, file, [&](const Note& note) {
        if (!is_hl_note(note))
            return;
        if (note.desc.size() != sizeof desc)
            reject(name, "note", "hl ABI note descsz is " + std::to_string(note.desc.size()),
                   std::to_string(sizeof desc) + " (sizeof(struct hl_image_note))");
        std::memcpy(&desc, note.desc.data(), sizeof desc);
        ++found;
    });
    if (found > 1)
        reject(name, "note", std::to_string(found) + " hl ABI notes found", "exactly one");
    if (desc.abi_version < HL_ABI_VERSION_MIN || desc.abi_version > HL_ABI_VERSION)
        reject(name, "note", "abi_version is " + std::to_string(desc.abi_version),
               std::to_string(HL_ABI_VERSION_MIN) + " to " + std::to_string(HL_ABI_VERSION) +
                   " (this host's HL_ABI_VERSION_MIN to HL_ABI_VERSION)");
    if ((desc.flags & ~HL_NOTE_KNOWN_FLAGS) != 0)
        reject(name, "note",
               "flags " + hex(desc.flags) + " has unknown bits " + hex(desc.flags & ~HL_NOTE_KNOWN_FLAGS),
               "only HL_NOTE_LINUX_SYSCALLS (" + hex(HL_NOTE_LINUX_SYSCALLS) + ")");
    if (desc.stack_size % kPage != 0 || desc.stack_size < HL_STACK_MIN || desc.stack_size > HL_STACK_MAX)
        reject(name, "note", "stack_size is " + hex(desc.stack_size),
               "a multiple of " + hex(kPage) + " from " + hex(HL_STACK_MIN) + " to " + hex(HL_STACK_MAX) + " (" +
                   std::to_string(HL_STACK_MAX >> 20) + " MiB)");
    if (desc.heap_size > HL_HEAP_MAX)
        reject(name, "note", "heap_size is " + hex(desc.heap_size),
               "at most " + hex(HL_HEAP_MAX) + " (" + std::to_string(HL_HEAP_MAX >> 30) + " GiB)");
    return ImageNote{desc.abi_version, desc.flags, desc.stack_size, desc.heap_size};
}

} // namespace hl::rules
