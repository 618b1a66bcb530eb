// The note rules of hl-abi(7): every PT_NOTE holds well-formed notes, and the
// hl ABI note, which makes an image an hl guest, is there once with valid
// fields. Pure functions over the file bytes and its program headers.
#pragma once

#include <hl/image.hpp>

#include <elf.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace hl::rules {

// One note, as a PT_NOTE holds it.
struct Note {
    size_t header = 0;              // index of its PT_NOTE
    uint32_t type = 0;
    std::span<const uint8_t> name;  // n_namesz bytes, the NUL included
    std::span<const uint8_t> desc;  // n_descsz bytes

    // Whether its name is `owner` (with its NUL, as toolchains write it).
    bool owned_by(std::string_view owner) const;
};

// A rule a note breaks: what is wrong, what was expected (field "note").
struct NoteProblem {
    std::string problem;
    std::string expected;
};

// Calls visit for each note of each PT_NOTE in program header order, and stops
// at the first that is not well formed (a PT_NOTE outside the file, a header
// or a note cut short), returning what is wrong with it. Never throws itself.
std::optional<NoteProblem> walk_notes(std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file,
                                      const std::function<void(const Note&)>& visit);

// walk_notes, turning a problem into ImageError.
void check_notes(const std::string& name, std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file,
                 const std::function<void(const Note&)>& visit);

// Name "hl", type HL_NOTE_ABI, whatever its size.
bool is_hl_note(const Note& note);

// The flags of the first hl ABI note of the right size, 0 when there is none:
// a look before the rules, which check the note itself later. Never throws.
uint32_t peek_note_flags(std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file);

// The single hl ABI note of an hl image, its fields checked. The image is an
// hl image because it has one (see detect_personality), so this checks its
// size, that there is only one, and its fields.
ImageNote find_note(const std::string& name, std::span<const Elf64_Phdr> phdrs, std::span<const uint8_t> file);

} // namespace hl::rules
