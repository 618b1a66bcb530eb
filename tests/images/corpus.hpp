// The malformed-image corpus of tests/images, written by hl_make_corpus
// (make_corpus.cpp): what every case file shares. Each corpus_*.cpp adds the
// cases of one part of an image, crafted from tests/unit/elf_builder.hpp's
// valid image, with the exact message hl::Image::load must give.
#pragma once

#include "elf_builder.hpp"

#include <hl/image.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace hl::corpus {

using hl::test::ElfBuilder;
using hl::test::hex;
using Bytes = std::vector<uint8_t>;

struct Case {
    std::string name; // file name in tests/images
    Bytes bytes;
    std::string expected; // the message after "PATH: ", or kAccepted / kAcceptedNoSymbols
};

// Manifest text for images that break no rule (test::accepted_outcome): they
// are kept to pin what the validator tolerates (fields it does not read,
// section tables it can lose) and which personality an image gets.
inline const std::string kAccepted = "(accepted)";
inline const std::string kAcceptedNoSymbols = "(accepted without symbols)";
inline const std::string kAcceptedLinux = "(accepted as linux)";

inline const std::string kMagic = "e_ident: not an ELF file, expected magic 7f 45 4c 46";

inline std::string ph(size_t index, const char* type = "PT_LOAD") {
    return "program header " + std::to_string(index) + " (" + type + "): ";
}

inline std::string past_eof(uint64_t filesz, uint64_t offset, uint64_t file_size) {
    return "p_filesz: " + hex(filesz) + " bytes at p_offset " + hex(offset) + " extend past end of file (" +
           hex(file_size) + " bytes), expected them inside the file";
}

inline std::string phdr_table_past_eof(uint64_t phoff, uint64_t table_size, uint64_t file_size) {
    return "e_phoff: program header table at " + hex(phoff) + " (" + std::to_string(table_size) +
           " bytes) extends past end of file (" + hex(file_size) + " bytes), expected it inside the file";
}

// The default image with two exports, "add" (lll) and "greet" (ss).
inline ElfBuilder with_exports(std::vector<hl_export> records = {}) {
    ElfBuilder b;
    if (records.empty())
        records = {ElfBuilder::export_record("add", "lll"), ElfBuilder::export_record("greet", "ss", 0x100010)};
    b.add_exports(records);
    return b;
}

// The cases, one function per part of the image, each appending to `out`.
void truncations(std::vector<Case>& out);       // corpus_truncations.cpp
void elf_header(std::vector<Case>& out);        // corpus_elf_header.cpp
void program_headers(std::vector<Case>& out);   // corpus_program_headers.cpp
void notes_and_hl_note(std::vector<Case>& out); // corpus_notes.cpp
void exports(std::vector<Case>& out);           // corpus_exports.cpp
void linux_images(std::vector<Case>& out);      // corpus_linux.cpp

} // namespace hl::corpus
