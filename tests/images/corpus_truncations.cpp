// The corpus: every image cut short, at each field of the ELF header, each
// program header, each segment's bytes, the notes and the section tables.
#include "corpus.hpp"

#include <cstring>
#include <utility>

namespace hl::corpus {
namespace {

// The default image with its notes moved after the last loaded byte, so that
// cutting the file inside them reaches the note rules, not the PT_LOAD ones.
ElfBuilder notes_last() {
    ElfBuilder b;
    b.sections = false;
    const uint64_t at = ElfBuilder::kDataOffset + b.blobs[ElfBuilder::kData].bytes.size();
    b.phdrs[ElfBuilder::kNote].p_offset = b.blobs[ElfBuilder::kNote].offset = at;
    return b;
}

} // namespace

void truncations(std::vector<Case>& out) {
    const Bytes full = ElfBuilder().build();
    auto cut = [&](const std::string& name, size_t size, const std::string& expected) {
        out.push_back({name, Bytes(full.begin(), full.begin() + static_cast<long>(size)), expected});
    };
    // The ELF header, cut at the start of each of its fields.
    cut("trunc-ehdr-at-0-empty.elf", 0, "e_ident: not an ELF file (empty), expected magic 7f 45 4c 46");
    cut("trunc-ehdr-at-3-magic.elf", 3, kMagic);
    const std::pair<size_t, const char*> fields[] = {
        {4, "ei_class"},     {5, "ei_data"},      {6, "ei_version"}, {7, "ei_osabi"},     {8, "ei_abiversion"},
        {9, "ei_pad"},       {16, "e_type"},      {18, "e_machine"}, {20, "e_version"},   {24, "e_entry"},
        {32, "e_phoff"},     {40, "e_shoff"},     {48, "e_flags"},   {52, "e_ehsize"},    {54, "e_phentsize"},
        {56, "e_phnum"},     {58, "e_shentsize"}, {60, "e_shnum"},   {62, "e_shstrndx"},  {63, "last-byte"}};
    for (const auto& [at, field] : fields)
        cut("trunc-ehdr-at-" + std::to_string(at) + "-" + field + ".elf", at,
            "ELF header: truncated at " + std::to_string(at) + " bytes, expected 64 bytes");
    // The program header table (4 headers at 0x40), cut at each header and inside one.
    for (const auto& [at, what] : std::vector<std::pair<size_t, std::string>>{
             {64, "phdr0"}, {92, "phdr0-middle"}, {120, "phdr1"}, {176, "phdr2"}, {232, "phdr3"}, {287, "last-byte"}})
        cut("trunc-phdrs-at-" + std::to_string(at) + "-" + what + ".elf", at, phdr_table_past_eof(64, 224, at));
    // Each PT_LOAD's file bytes: text at 0x1000, rodata at 0x2000, data at 0x3000.
    cut("trunc-load-at-288-after-phdrs.elf", 288, ph(0) + past_eof(0x60, 0x1000, 288));
    cut("trunc-load-at-0x1000-text.elf", 0x1000, ph(0) + past_eof(0x60, 0x1000, 0x1000));
    cut("trunc-load-at-0x1030-text-middle.elf", 0x1030, ph(0) + past_eof(0x60, 0x1000, 0x1030));
    cut("trunc-load-at-0x1060-after-text.elf", 0x1060, ph(1) + past_eof(0x6, 0x2000, 0x1060));
    cut("trunc-load-at-0x2000-rodata.elf", 0x2000, ph(1) + past_eof(0x6, 0x2000, 0x2000));
    cut("trunc-load-at-0x3000-data.elf", 0x3000, ph(2) + past_eof(0x10, 0x3000, 0x3000));
    cut("trunc-load-at-0x3008-data-middle.elf", 0x3008, ph(2) + past_eof(0x10, 0x3000, 0x3008));
    // The notes, in a layout where they come after every loaded byte.
    const Bytes last = notes_last().build();
    const uint64_t note_at = notes_last().phdrs[ElfBuilder::kNote].p_offset;
    for (const auto& [at, what] : std::vector<std::pair<uint64_t, std::string>>{
             {note_at, "start"}, {note_at + 12, "gnu-name"}, {note_at + 0x18, "hl-note"},
             {note_at + 0x24, "hl-name"}, {note_at + 0x3f, "last-byte"}})
        out.push_back({"trunc-note-at-" + hex(at) + "-" + what + ".elf",
                       Bytes(last.begin(), last.begin() + static_cast<long>(at)),
                       "note: program header 3 (PT_NOTE) data (0x40 bytes at " + hex(note_at) +
                           ") extends past end of file (" + hex(at) + " bytes), expected notes inside the file"});
    // The section data and header table come after every loaded byte: losing
    // them loses the symbols (and exports), not the image.
    Elf64_Ehdr ehdr;
    std::memcpy(&ehdr, full.data(), sizeof ehdr);
    cut("trunc-sections-at-0x4000-symtab.elf", ElfBuilder::kSectionsOffset, kAcceptedNoSymbols);
    cut("trunc-sections-at-shoff.elf", ehdr.e_shoff, kAcceptedNoSymbols);
    cut("trunc-sections-at-shdr1.elf", ehdr.e_shoff + sizeof(Elf64_Shdr), kAcceptedNoSymbols);
    cut("trunc-sections-at-last-byte.elf", full.size() - 1, kAcceptedNoSymbols);
    const Bytes exports = with_exports().build();
    std::memcpy(&ehdr, exports.data(), sizeof ehdr);
    out.push_back({"trunc-sections-exports-at-shoff.elf",
                   Bytes(exports.begin(), exports.begin() + static_cast<long>(ehdr.e_shoff)), kAcceptedNoSymbols});
}

} // namespace hl::corpus
