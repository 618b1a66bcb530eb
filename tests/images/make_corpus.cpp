// Writes the malformed-image corpus of tests/images: one small ELF file per
// case, crafted from tests/unit/elf_builder.hpp's valid image, and
// expected.tsv with what hl::Image::load must say about each. Every case is
// parsed before anything is written, and a case whose message differs stops
// the run, so the manifest is never just whatever the validator said.
//
//   hl_make_corpus DIR           write the corpus into DIR
//   hl_make_corpus --check DIR   compare DIR with what would be written; exit 1 on any difference
#include "elf_builder.hpp"

#include <hl/image.hpp>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace {

using hl::test::ElfBuilder;
using hl::test::hex;
using Bytes = std::vector<uint8_t>;
namespace fs = std::filesystem;

// Manifest text for images that break no rule: they are kept to pin what the
// validator tolerates (fields it does not read, section tables it can lose).
const std::string kAccepted = "(accepted)";
const std::string kAcceptedNoSymbols = "(accepted without symbols)";

const std::string kMagic = "e_ident: not an ELF file, expected magic 7f 45 4c 46";
const std::string kWindow = "[0x100000, 0x40000000)";
const std::string kStatic = "expected ET_EXEC, a static executable (link with hlbuild)";
const std::string kEntry = " is not inside an executable segment, expected an address in a PT_LOAD segment with PF_X";
const std::string kNoNote = "note: no hl ABI note found, expected one (link with hlbuild or use HL_IMAGE_NOTE)";
const std::string kStack = ", expected a multiple of 0x1000 from 0x1000 to 0x10000000 (256 MiB)";
const std::string kNotInRodata =
    " is not inside a read-only loaded segment, expected the records in rodata (link with hlbuild)";

struct Case {
    std::string name; // file name in tests/images
    Bytes bytes;
    std::string expected; // the message after "PATH: ", or kAccepted / kAcceptedNoSymbols
};

std::string ph(size_t index, const char* type = "PT_LOAD") {
    return "program header " + std::to_string(index) + " (" + type + "): ";
}

std::string past_eof(uint64_t filesz, uint64_t offset, uint64_t file_size) {
    return "p_filesz: " + hex(filesz) + " bytes at p_offset " + hex(offset) + " extend past end of file (" +
           hex(file_size) + " bytes), expected them inside the file";
}

std::string outside_window(uint64_t start, uint64_t end) {
    return "p_vaddr: segment [" + hex(start) + ", " + hex(end) + ") is outside the image window, expected it inside " +
           kWindow;
}

std::string phdr_table_past_eof(uint64_t phoff, uint64_t table_size, uint64_t file_size) {
    return "e_phoff: program header table at " + hex(phoff) + " (" + std::to_string(table_size) +
           " bytes) extends past end of file (" + hex(file_size) + " bytes), expected it inside the file";
}

template <typename T>
Bytes patched(Bytes bytes, size_t offset, T value) {
    ElfBuilder::put(bytes, offset, value);
    return bytes;
}

// The default image with two exports, "add" (lll) and "greet" (ss).
ElfBuilder with_exports(std::vector<hl_export> records = {}) {
    ElfBuilder b;
    if (records.empty())
        records = {ElfBuilder::export_record("add", "lll"), ElfBuilder::export_record("greet", "ss", 0x100010)};
    b.add_exports(records);
    return b;
}

// The default image with its notes moved after the last loaded byte, so that
// cutting the file inside them reaches the note rules, not the PT_LOAD ones.
ElfBuilder notes_last() {
    ElfBuilder b;
    b.sections = false;
    const uint64_t at = ElfBuilder::kDataOffset + b.blobs[ElfBuilder::kData].bytes.size();
    b.phdrs[ElfBuilder::kNote].p_offset = b.blobs[ElfBuilder::kNote].offset = at;
    return b;
}

// The default image whose notes are replaced by `notes`.
ElfBuilder notes(Bytes notes) {
    ElfBuilder b;
    b.set_notes(std::move(notes));
    return b;
}

// The default image with a fifth program header, a bss-only PT_LOAD.
ElfBuilder extra_bss(uint64_t vaddr, uint64_t memsz) {
    ElfBuilder b;
    b.add_phdr({PT_LOAD, PF_R | PF_W, ElfBuilder::kDataOffset, vaddr, vaddr, 0, memsz, 0x1000});
    return b;
}

// The default image with its hl note's fields changed.
template <typename Change>
ElfBuilder hl_note(Change change) {
    hl_image_note note = ElfBuilder::default_note();
    change(note);
    return notes(ElfBuilder::hl_note(note));
}

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

void elf_header(std::vector<Case>& out) {
    const Bytes base = ElfBuilder().build();
    const uint64_t size = base.size();
    auto byte = [&](const std::string& name, size_t at, uint8_t value, const std::string& expected) {
        out.push_back({name, patched(base, at, value), expected});
    };
    byte("ident-magic-7e.elf", 0, 0x7e, kMagic);
    byte("ident-magic-lowercase.elf", 1, 'e', kMagic);
    const std::string cls = "e_ident[EI_CLASS]: ", data = "e_ident[EI_DATA]: ", ver = "e_ident[EI_VERSION]: ";
    byte("ident-class-0-none.elf", EI_CLASS, 0, cls + "unknown class 0x0, expected ELFCLASS64");
    byte("ident-class-1-elf32.elf", EI_CLASS, ELFCLASS32, cls + "32-bit ELF (ELFCLASS32), expected ELFCLASS64");
    byte("ident-class-3.elf", EI_CLASS, 3, cls + "unknown class 0x3, expected ELFCLASS64");
    byte("ident-class-ff.elf", EI_CLASS, 0xff, cls + "unknown class 0xff, expected ELFCLASS64");
    out.push_back({"ident-class-1-elf32-52-bytes.elf", Bytes(base.begin(), base.begin() + 52), ""});
    out.back().bytes[EI_CLASS] = ELFCLASS32;
    out.back().expected = cls + "32-bit ELF (ELFCLASS32), expected ELFCLASS64";
    const std::string lsb = ", expected little-endian (ELFDATA2LSB)";
    byte("ident-data-0-none.elf", EI_DATA, 0, data + "unknown encoding 0x0" + lsb);
    byte("ident-data-2-msb.elf", EI_DATA, ELFDATA2MSB, data + "big-endian (ELFDATA2MSB)" + lsb);
    byte("ident-data-ff.elf", EI_DATA, 0xff, data + "unknown encoding 0xff" + lsb);
    byte("ident-version-0.elf", EI_VERSION, 0, ver + "0x0, expected 1 (EV_CURRENT)");
    byte("ident-version-2.elf", EI_VERSION, 2, ver + "0x2, expected 1 (EV_CURRENT)");
    byte("ident-version-ff.elf", EI_VERSION, 0xff, ver + "0xff, expected 1 (EV_CURRENT)");
    // Fields hl-abi(7) does not constrain (Linux ignores them too).
    byte("ident-osabi-ff.elf", EI_OSABI, 0xff, kAccepted);
    byte("ident-abiversion-ff.elf", EI_ABIVERSION, 0xff, kAccepted);
    byte("ident-pad-ff.elf", EI_PAD, 0xff, kAccepted);

    auto field = [&]<typename T>(const std::string& name, size_t at, T value, const std::string& expected) {
        out.push_back({name, patched(base, at, value), expected});
    };
    const std::pair<uint16_t, std::string> types[] = {
        {ET_NONE, "unknown type 0x0"},      {ET_REL, "ET_REL (an object file)"},
        {ET_DYN, "ET_DYN (a PIE or shared object)"}, {ET_CORE, "ET_CORE (a core dump)"},
        {0xfe00, "unknown type 0xfe00"},    {0xffff, "unknown type 0xffff"}};
    for (const auto& [type, what] : types)
        field("ehdr-type-" + hex(type) + ".elf", offsetof(Elf64_Ehdr, e_type), type,
              "e_type: " + what + ", " + kStatic);
    const std::pair<uint16_t, std::string> machines[] = {
        {EM_NONE, "0x0"}, {EM_386, "0x3 (EM_386)"}, {EM_ARM, "0x28 (EM_ARM)"}, {EM_AARCH64, "0xb7 (EM_AARCH64)"},
        {EM_RISCV, "0xf3 (EM_RISCV)"}, {0xffff, "0xffff"}};
    for (const auto& [machine, what] : machines)
        field("ehdr-machine-" + hex(machine) + ".elf", offsetof(Elf64_Ehdr, e_machine), machine,
              "e_machine: " + what + ", expected 0x3e (EM_X86_64)");
    for (uint32_t version : {0u, 2u, 0xffffffffu})
        field("ehdr-version-" + hex(version) + ".elf", offsetof(Elf64_Ehdr, e_version), version,
              "e_version: " + hex(version) + ", expected 1 (EV_CURRENT)");
    // The entry point: nowhere, past the end of text, in rodata, in bss, below the window.
    for (const auto& [entry, what] : std::vector<std::pair<uint64_t, std::string>>{
             {0, "zero"}, {~uint64_t{0}, "max"}, {0x100060, "after-text"}, {0x101000, "rodata"},
             {0x102800, "bss"}, {0xfffff, "below-window"}})
        field("ehdr-entry-" + what + ".elf", offsetof(Elf64_Ehdr, e_entry), entry, "e_entry: " + hex(entry) + kEntry);
    // The program header table's place, entry size and count.
    const size_t phoff = offsetof(Elf64_Ehdr, e_phoff);
    for (const uint64_t at : {0, 1, 63})
        field("ehdr-phoff-" + std::to_string(at) + "-in-ehdr.elf", phoff, at,
              "e_phoff: " + hex(at) + " is inside the ELF header, expected the program header table after it, at "
              "0x40 or later");
    field("ehdr-phoff-65-misaligned.elf", phoff, uint64_t{65},
          "program header 0: p_type: 0x5000000 is not a type hl accepts, expected PT_LOAD, PT_NOTE or PT_GNU_STACK");
    for (const auto& [at, what] : std::vector<std::pair<uint64_t, std::string>>{
             {size, "eof"}, {size - 223, "eof-minus-223"}, {uint64_t{1} << 63, "2p63"}, {~uint64_t{0}, "max"},
             {~uint64_t{0} - 100, "wraps"}})
        field("ehdr-phoff-" + what + ".elf", phoff, at, phdr_table_past_eof(at, 224, size));
    for (uint16_t entsize : {0, 1, 32, 55, 57, 64, 0xffff})
        field("ehdr-phentsize-" + std::to_string(entsize) + ".elf", offsetof(Elf64_Ehdr, e_phentsize), entsize,
              "e_phentsize: " + std::to_string(entsize) + ", expected 56 (sizeof(Elf64_Phdr))");
    for (uint16_t phnum : {0, 65, 0xffff})
        field("ehdr-phnum-" + std::to_string(phnum) + ".elf", offsetof(Elf64_Ehdr, e_phnum), phnum,
              "e_phnum: " + std::to_string(phnum) + ", expected 1 to 64 program headers");
    field("ehdr-phnum-1-text-only.elf", offsetof(Elf64_Ehdr, e_phnum), uint16_t{1}, kNoNote);
    // The zeros between the table and the notes read as PT_NULL headers.
    field("ehdr-phnum-64-reads-notes-and-code.elf", offsetof(Elf64_Ehdr, e_phnum), uint16_t{64},
          "program header 4: p_type: 0x0 (PT_NULL) is not a type hl accepts, expected PT_LOAD, PT_NOTE or "
          "PT_GNU_STACK");
    // Section header fields: only symbols and exports come from sections, so
    // a broken table drops them and the image still runs.
    field("ehdr-shoff-eof.elf", offsetof(Elf64_Ehdr, e_shoff), size, kAcceptedNoSymbols);
    field("ehdr-shoff-max.elf", offsetof(Elf64_Ehdr, e_shoff), ~uint64_t{0}, kAcceptedNoSymbols);
    field("ehdr-shentsize-0.elf", offsetof(Elf64_Ehdr, e_shentsize), uint16_t{0}, kAccepted);
    field("ehdr-shnum-ffff.elf", offsetof(Elf64_Ehdr, e_shnum), uint16_t{0xffff}, kAcceptedNoSymbols);
    field("ehdr-shstrndx-ffff.elf", offsetof(Elf64_Ehdr, e_shstrndx), uint16_t{0xffff}, kAccepted);
    field("ehdr-flags-ffffffff.elf", offsetof(Elf64_Ehdr, e_flags), uint32_t{0xffffffff}, kAccepted);
    field("ehdr-ehsize-0.elf", offsetof(Elf64_Ehdr, e_ehsize), uint16_t{0}, kAccepted);
}

void program_headers(std::vector<Case>& out) {
    auto with = [&](const std::string& name, const ElfBuilder& b, const std::string& expected) {
        out.push_back({name, b.build(), expected});
    };
    auto change = [&](const std::string& name, auto mutate, const std::string& expected) {
        ElfBuilder b;
        mutate(b);
        with(name, b, expected);
    };
    const uint64_t size = ElfBuilder().build().size();
    const std::string dynamic = "a static executable (link with hlbuild)";
    change("phdr-interp.elf", [](ElfBuilder& b) { b.add_phdr({PT_INTERP, PF_R, 0x200, 0, 0, 4, 4, 1}); },
           "program header 4 (PT_INTERP): requests a dynamic loader, expected " + dynamic);
    change("phdr-dynamic.elf", [](ElfBuilder& b) { b.add_phdr({PT_DYNAMIC, PF_R, 0x200, 0, 0, 16, 16, 8}); },
           "program header 4 (PT_DYNAMIC): holds dynamic linking information, expected " + dynamic);
    change("phdr-no-load.elf",
           [](ElfBuilder& b) { // only the PT_NOTE left
               b.phdrs.erase(b.phdrs.begin(), b.phdrs.begin() + ElfBuilder::kNote);
               b.ehdr.e_phnum = 1;
           },
           "program headers: no PT_LOAD segment, expected at least one");
    // Types: a PT_LOAD relabelled as one hl would skip is refused, not dropped.
    const std::string accepts = " is not a type hl accepts, expected PT_LOAD, PT_NOTE or PT_GNU_STACK";
    struct Relabel {
        uint32_t type;
        std::string shown; // as the message gives it
        std::string file;  // part of the file name
        size_t index;      // which header of the default image
    };
    const char* headers[] = {"text", "rodata", "data", "note"};
    for (const Relabel& r : std::vector<Relabel>{
             {PT_NULL, "0x0 (PT_NULL)", "null", 0}, {PT_NULL, "0x0 (PT_NULL)", "null", 2},
             {PT_TLS, "0x7 (PT_TLS)", "tls", 2}, {PT_PHDR, "0x6 (PT_PHDR)", "phdr", 1},
             {PT_SHLIB, "0x5 (PT_SHLIB)", "shlib", 1},
             {PT_GNU_EH_FRAME, "0x6474e550 (PT_GNU_EH_FRAME)", "gnu-eh-frame", 1},
             {PT_GNU_RELRO, "0x6474e552 (PT_GNU_RELRO)", "gnu-relro", 1},
             {PT_GNU_PROPERTY, "0x6474e553 (PT_GNU_PROPERTY)", "gnu-property", 3},
             {PT_LOOS, "0x60000000", "loos", 2}, {PT_LOPROC, "0x70000000", "loproc", 2},
             {0xffffffff, "0xffffffff", "max", 0}})
        change("phdr-type-" + r.file + "-" + headers[r.index] + ".elf",
               [&](ElfBuilder& b) { b.phdrs[r.index].p_type = r.type; },
               "program header " + std::to_string(r.index) + ": p_type: " + r.shown + accepts);
    // PT_GNU_STACK: accepted as the marker a hand link adds, refused in any other form.
    auto stack_marker = [](uint32_t flags, uint64_t filesz, uint64_t memsz) {
        return [=](ElfBuilder& b) { b.add_phdr({PT_GNU_STACK, flags, 0, 0, 0, filesz, memsz, 16}); };
    };
    const std::string marker = ", expected 0 (PT_GNU_STACK only marks the stack non-executable)";
    change("phdr-gnu-stack-rw.elf", stack_marker(PF_R | PF_W, 0, 0), kAccepted);
    change("phdr-gnu-stack-memsz.elf", stack_marker(PF_R | PF_W, 0, 0x100000),
           ph(4, "PT_GNU_STACK") + "p_memsz: 0x100000" + marker);
    change("phdr-gnu-stack-rwx.elf", stack_marker(PF_R | PF_W | PF_X, 0, 0),
           ph(4, "PT_GNU_STACK") + "p_flags: PF_X asks for an executable stack, expected no PF_X (hl stacks are "
                                   "never executable)");
    change("phdr-gnu-stack-relabelled-text.elf", [](ElfBuilder& b) { b.phdrs[0].p_type = PT_GNU_STACK; },
           ph(0, "PT_GNU_STACK") + "p_filesz: 0x60" + marker);
    change("phdr-gnu-stack-relabelled-data.elf",
           [](ElfBuilder& b) { b.phdrs[2].p_type = PT_GNU_STACK, b.phdrs[2].p_flags = PF_R | PF_W; },
           ph(2, "PT_GNU_STACK") + "p_filesz: 0x10" + marker);
    // Flags beyond PF_R, PF_W and PF_X, and alignments, on any header.
    const std::string flag_bits = ", expected only PF_R, PF_W and PF_X (0x7)";
    change("phdr-flags-bit-3.elf", [](ElfBuilder& b) { b.phdrs[1].p_flags = PF_R | 0x8; },
           ph(1) + "p_flags: 0xc has unknown bits 0x8" + flag_bits);
    change("phdr-flags-maskproc-text.elf", [](ElfBuilder& b) { b.phdrs[0].p_flags |= PF_MASKPROC; },
           ph(0) + "p_flags: 0xf0000005 has unknown bits 0xf0000000" + flag_bits);
    change("phdr-flags-all-note.elf", [](ElfBuilder& b) { b.phdrs[3].p_flags = 0xffffffff; },
           ph(3, "PT_NOTE") + "p_flags: 0xffffffff has unknown bits 0xfffffff8" + flag_bits);
    const std::string power = " is not a power of two, expected 0 or a power of two";
    for (const uint64_t align : {uint64_t{3}, uint64_t{0x1001}, uint64_t{0xffffffffffffffff}})
        change("phdr-align-" + hex(align) + "-rodata.elf", [=](ElfBuilder& b) { b.phdrs[1].p_align = align; },
               ph(1) + "p_align: " + hex(align) + power);
    change("phdr-align-0x6-note.elf", [](ElfBuilder& b) { b.phdrs[3].p_align = 6; },
           ph(3, "PT_NOTE") + "p_align: 0x6" + power);
    change("load-align-0x10000-differs.elf", [](ElfBuilder& b) { b.phdrs[1].p_align = 0x10000; },
           ph(1) + "p_align: p_vaddr 0x101000 and p_offset 0x2000 differ modulo 0x10000, expected them equal modulo "
                   "p_align");
    change("load-align-0x200000-differs.elf", [](ElfBuilder& b) { b.phdrs[0].p_align = 0x200000; },
           ph(0) + "p_align: p_vaddr 0x100000 and p_offset 0x1000 differ modulo 0x200000, expected them equal "
                   "modulo p_align");
    change("load-align-0.elf", [](ElfBuilder& b) { b.phdrs[0].p_align = b.phdrs[1].p_align = b.phdrs[2].p_align = 0; },
           kAccepted);
    // Sizes.
    change("load-filesz-gt-memsz.elf", [](ElfBuilder& b) { b.phdrs[1].p_memsz = 4; },
           ph(1) + "p_filesz: 0x6 exceeds p_memsz 0x4, expected at most p_memsz");
    change("load-filesz-max-memsz-0.elf",
           [](ElfBuilder& b) { b.phdrs[1].p_filesz = ~uint64_t{0}, b.phdrs[1].p_memsz = 0; },
           ph(1) + "p_filesz: 0xffffffffffffffff exceeds p_memsz 0x0, expected at most p_memsz");
    change("load-memsz-0.elf", [](ElfBuilder& b) { b.phdrs[1].p_filesz = b.phdrs[1].p_memsz = 0; },
           ph(1) + "p_memsz: 0, expected a nonempty segment");
    // Alignment.
    change("load-vaddr-misaligned.elf", [](ElfBuilder& b) { b.phdrs[1].p_vaddr += 0x10, b.phdrs[1].p_offset += 0x10; },
           ph(1) + "p_vaddr: 0x101010 is not page-aligned, expected a multiple of 0x1000");
    change("load-vaddr-misaligned-by-1.elf", [](ElfBuilder& b) { b.phdrs[0].p_vaddr += 1, b.phdrs[0].p_offset += 1; },
           ph(0) + "p_vaddr: 0x100001 is not page-aligned, expected a multiple of 0x1000");
    change("load-offset-misaligned.elf", [](ElfBuilder& b) { b.phdrs[1].p_offset = 0x2010; },
           ph(1) + "p_offset: 0x2010 differs from p_vaddr 0x101000 modulo 0x1000, expected equal page offsets");
    // File bytes outside the file.
    change("load-offset-past-eof.elf", [](ElfBuilder& b) { b.phdrs[2].p_offset = 0x100000; },
           ph(2) + past_eof(0x10, 0x100000, size));
    change("load-offset-max.elf", [](ElfBuilder& b) { b.phdrs[2].p_offset = 0xfffffffffffff000; },
           ph(2) + past_eof(0x10, 0xfffffffffffff000, size));
    change("load-filesz-past-eof.elf", [](ElfBuilder& b) { b.phdrs[2].p_filesz = b.phdrs[2].p_memsz = 0x2000; },
           ph(2) + past_eof(0x2000, 0x3000, size));
    change("load-filesz-2p63.elf", [](ElfBuilder& b) { b.phdrs[2].p_filesz = b.phdrs[2].p_memsz = uint64_t{1} << 63; },
           ph(2) + past_eof(uint64_t{1} << 63, 0x3000, size));
    // Addresses: overflow, below and beyond the image window, absurd bss.
    change("load-memsz-overflows.elf", [](ElfBuilder& b) { b.phdrs[2].p_memsz = 0xffffffffffffff00; },
           ph(2) + "p_memsz: 0xffffffffffffff00 at p_vaddr 0x102000 overflows, expected a segment inside " + kWindow);
    with("load-bss-at-top-overflows.elf", extra_bss(0xfffffffffffff000, 0x1000),
         ph(4) + "p_memsz: 0x1000 at p_vaddr 0xfffffffffffff000 overflows, expected a segment inside " + kWindow);
    with("load-bss-memsz-2p64-minus-page.elf", extra_bss(0x200000, 0xfffffffffffff000),
         ph(4) + "p_memsz: 0xfffffffffffff000 at p_vaddr 0x200000 overflows, expected a segment inside " + kWindow);
    with("load-bss-memsz-2p40.elf", extra_bss(0x200000, uint64_t{1} << 40),
         ph(4) + outside_window(0x200000, 0x200000 + (uint64_t{1} << 40)));
    with("load-bss-memsz-2p63.elf", extra_bss(0x200000, uint64_t{1} << 63),
         ph(4) + outside_window(0x200000, 0x200000 + (uint64_t{1} << 63)));
    with("load-bss-at-window-end.elf", extra_bss(0x40000000, 0x1000), ph(4) + outside_window(0x40000000, 0x40001000));
    with("load-bss-below-window.elf", extra_bss(0xff000, 0x1000), ph(4) + outside_window(0xff000, 0x100000));
    change("load-vaddr-0.elf", [](ElfBuilder& b) { b.phdrs[0].p_vaddr = b.phdrs[0].p_paddr = 0; },
           ph(0) + outside_window(0, 0x60));
    change("load-end-past-window.elf", [](ElfBuilder& b) { b.phdrs[2].p_memsz = 0x40000000; },
           ph(2) + outside_window(0x102000, 0x40102000));
    // Permissions.
    for (const auto& [flags, what] : std::vector<std::pair<uint32_t, std::string>>{
             {0, "none"}, {PF_X, "x"}, {PF_W, "w"}, {PF_W | PF_X, "wx"}}) {
        const uint32_t p_flags = flags; // clang 14 cannot capture a structured binding
        change("load-flags-" + what + "-not-readable.elf", [=](ElfBuilder& b) { b.phdrs[0].p_flags = p_flags; },
               ph(0) + "p_flags: segment is not readable, expected PF_R");
    }
    const std::string wx = "p_flags: segment is writable and executable, expected at most one of PF_W and PF_X";
    change("load-flags-rwx-text.elf", [](ElfBuilder& b) { b.phdrs[0].p_flags = PF_R | PF_W | PF_X; }, ph(0) + wx);
    change("load-flags-rwx-data.elf", [](ElfBuilder& b) { b.phdrs[2].p_flags = PF_R | PF_W | PF_X; }, ph(2) + wx);
    // Executable memory comes from the file, never zero-filled.
    const std::string zero_filled =
        " in an executable segment, expected p_filesz equal to p_memsz (no zero-filled executable memory)";
    change("load-text-memsz-over-filesz.elf", [](ElfBuilder& b) { b.phdrs[0].p_memsz = 0x1000; },
           ph(0) + "p_filesz: 0x60 is below p_memsz 0x1000" + zero_filled);
    change("load-data-executable-bss.elf", [](ElfBuilder& b) { b.phdrs[2].p_flags = PF_R | PF_X; },
           ph(2) + "p_filesz: 0x10 is below p_memsz 0x1800" + zero_filled);
    change("load-bss-only-executable.elf",
           [](ElfBuilder& b) { b.add_phdr({PT_LOAD, PF_R | PF_X, 0x3000, 0x200000, 0x200000, 0, 0x1000, 0x1000}); },
           ph(4) + "p_filesz: 0x0 is below p_memsz 0x1000" + zero_filled);
    // Order and overlap.
    change("load-unsorted.elf", [](ElfBuilder& b) { std::swap(b.phdrs[1], b.phdrs[2]); },
           ph(2) + "p_vaddr: 0x101000 is below program header 1 (PT_LOAD) at 0x102000, expected PT_LOAD segments "
                   "sorted by address");
    change("load-duplicate-text.elf", [](ElfBuilder& b) { b.add_phdr(b.phdrs[0]); },
           ph(4) + "p_vaddr: 0x100000 is below program header 2 (PT_LOAD) at 0x102000, expected PT_LOAD segments "
                   "sorted by address");
    const std::string pages = " rounded to pages, expected segments on separate pages";
    change("load-overlap-shared-page.elf",
           [](ElfBuilder& b) { b.phdrs[0].p_filesz = b.phdrs[0].p_memsz = 0x1001; },
           ph(1) + "p_vaddr: 0x101000 overlaps program header 0 (PT_LOAD) [0x100000, 0x101001)" + pages);
    change("load-overlap-same-start.elf", [](ElfBuilder& b) { b.phdrs[1].p_vaddr = 0x100000; },
           ph(1) + "p_vaddr: 0x100000 overlaps program header 0 (PT_LOAD) [0x100000, 0x100060)" + pages);
    change("load-overlap-contains-next.elf",
           [](ElfBuilder& b) { b.phdrs[0].p_filesz = b.phdrs[0].p_memsz = 0x3000; },
           ph(1) + "p_vaddr: 0x101000 overlaps program header 0 (PT_LOAD) [0x100000, 0x103000)" + pages);
}

void notes_and_hl_note(std::vector<Case>& out) {
    auto with = [&](const std::string& name, const ElfBuilder& b, const std::string& expected) {
        out.push_back({name, b.build(), expected});
    };
    const uint64_t size = ElfBuilder().build().size();
    const size_t kNote = ElfBuilder::kNote;
    const std::string where = "program header 3 (PT_NOTE)";
    // The PT_NOTE segment's place and size.
    for (const auto& [offset, what] : std::vector<std::pair<uint64_t, std::string>>{
             {0x100000, "past-eof"}, {~uint64_t{0}, "max"}, {size - 0x3f, "straddles-eof"}}) {
        ElfBuilder b;
        b.phdrs[kNote].p_offset = offset;
        with("note-offset-" + what + ".elf", b,
             "note: " + where + " data (0x40 bytes at " + hex(offset) + ") extends past end of file (" + hex(size) +
                 " bytes), expected notes inside the file");
    }
    {
        ElfBuilder b;
        b.phdrs[kNote].p_filesz = ~uint64_t{0};
        with("note-filesz-max.elf", b,
             "note: " + where + " data (0xffffffffffffffff bytes at 0x200) extends past end of file (" + hex(size) +
                 " bytes), expected notes inside the file");
    }
    // Note headers cut short by the segment size.
    {
        ElfBuilder b;
        Bytes longer = b.blobs[kNote].bytes;
        longer.resize(longer.size() + 4);
        b.set_notes(longer);
        with("note-header-truncated-after-hl.elf", b,
             "note: header at offset 0x40 of " + where + " is truncated to 4 bytes, expected 12 bytes");
        b = ElfBuilder();
        b.phdrs[kNote].p_filesz = 8;
        with("note-header-truncated-filesz-8.elf", b,
             "note: header at offset 0x0 of " + where + " is truncated to 8 bytes, expected 12 bytes");
    }
    // Name and descriptor sizes that run past the segment (the GNU note first, then the hl note at 0x18).
    auto sizes = [&](const std::string& name, size_t at, uint32_t namesz, uint32_t descsz, uint32_t type) {
        ElfBuilder b;
        ElfBuilder::put(b.blobs[kNote].bytes, at, Elf64_Nhdr{namesz, descsz, type});
        with(name, b,
             "note: note at offset " + hex(at) + " of " + where + " (namesz " + hex(namesz) + ", descsz " +
                 hex(descsz) + ") extends past the segment end 0x40, expected notes inside the segment");
    };
    sizes("note-namesz-max.elf", 0, 0xffffffff, 8, NT_GNU_BUILD_ID);
    sizes("note-descsz-max.elf", 0, 4, 0xffffffff, NT_GNU_BUILD_ID);
    sizes("note-namesz-and-descsz-max.elf", 0, 0xffffffff, 0xffffffff, NT_GNU_BUILD_ID);
    sizes("note-namesz-past-segment.elf", 0, 0x40, 0, NT_GNU_BUILD_ID);
    sizes("note-hl-descsz-one-over.elf", 0x18, 3, 0x19, HL_NOTE_ABI);
    sizes("note-hl-namesz-max.elf", 0x18, 0xffffffff, 24, HL_NOTE_ABI);
    // Padding: an 8-aligned PT_NOTE whose notes are padded to 4 is walked
    // with 8-byte steps, which lands inside the hl note.
    {
        Bytes padded4 = ElfBuilder::note_entry("GNU", 5, {1, 2, 3, 4});
        const Bytes hl = ElfBuilder::hl_note(ElfBuilder::default_note());
        padded4.insert(padded4.end(), hl.begin(), hl.end());
        ElfBuilder b = notes(padded4);
        b.phdrs[kNote].p_align = 8;
        with("note-align-8-padded-to-4.elf", b,
             "note: note at offset 0x18 of " + where + " (namesz 0x18, descsz 0x1) extends past the segment end 0x3c, "
             "expected notes inside the segment");
    }
    // The hl note: its size, presence and count.
    auto desc = [](size_t size) { return ElfBuilder::note_entry(HL_NOTE_NAME, HL_NOTE_ABI, Bytes(size)); };
    for (size_t descsz : {0, 16, 25, 32})
        with("hlnote-descsz-" + std::to_string(descsz) + ".elf", notes(desc(descsz)),
             "note: hl ABI note descsz is " + std::to_string(descsz) + ", expected 24 (sizeof(struct hl_image_note))");
    {
        ElfBuilder b;
        b.ehdr.e_phnum = kNote; // the PT_NOTE left out of the table
        with("hlnote-missing-no-pt-note.elf", b, kNoNote);
        b = ElfBuilder();
        b.phdrs[kNote].p_filesz = 0;
        with("hlnote-missing-empty-pt-note.elf", b, kNoNote);
    }
    const Bytes note_desc(sizeof(hl_image_note));
    with("hlnote-missing-gnu-only.elf", notes(ElfBuilder::note_entry("GNU", NT_GNU_BUILD_ID, Bytes(8, 0x5a))), kNoNote);
    with("hlnote-missing-other-type.elf", notes(ElfBuilder::note_entry("hl", 2, note_desc)), kNoNote);
    with("hlnote-missing-name-hlx.elf", notes(ElfBuilder::note_entry("hlx", HL_NOTE_ABI, note_desc)), kNoNote);
    with("hlnote-missing-name-HL.elf", notes(ElfBuilder::note_entry("HL", HL_NOTE_ABI, note_desc)), kNoNote);
    {
        Bytes no_nul = ElfBuilder::hl_note(ElfBuilder::default_note());
        ElfBuilder::put(no_nul, 0, uint32_t{2}); // namesz 2: "hl" without its NUL
        with("hlnote-missing-name-without-nul.elf", notes(no_nul), kNoNote);
    }
    {
        Bytes twice = ElfBuilder::hl_note(ElfBuilder::default_note());
        twice.insert(twice.end(), twice.begin(), twice.end());
        with("hlnote-twice-in-one-segment.elf", notes(twice), "note: 2 hl ABI notes found, expected exactly one");
        ElfBuilder b;
        b.add_phdr(b.phdrs[kNote]);
        with("hlnote-twice-in-two-segments.elf", b, "note: 2 hl ABI notes found, expected exactly one");
    }
    // The hl note's fields.
    for (uint32_t abi : {0u, 2u, 0xffffffffu})
        with("hlnote-abi-version-" + std::to_string(abi) + ".elf",
             hl_note([=](hl_image_note& n) { n.abi_version = abi; }),
             "note: abi_version is " + std::to_string(abi) + ", expected 1 (this host's HL_ABI_VERSION)");
    for (uint32_t flags : {1u, 0x80000000u})
        with("hlnote-flags-" + hex(flags) + ".elf", hl_note([=](hl_image_note& n) { n.flags = flags; }),
             "note: flags is " + hex(flags) + ", expected 0 (reserved)");
    for (const auto& [stack, what] : std::vector<std::pair<uint64_t, std::string>>{
             {0, "0"}, {0x800, "below-min"}, {0x1800, "unaligned"}, {0x10001000, "over-max"},
             {0xfffffffffffff000, "huge"}}) {
        const uint64_t stack_size = stack; // clang 14 cannot capture a structured binding
        with("hlnote-stack-" + what + ".elf", hl_note([=](hl_image_note& n) { n.stack_size = stack_size; }),
             "note: stack_size is " + hex(stack) + kStack);
    }
    for (const uint64_t heap : {uint64_t{0x100000001}, ~uint64_t{0}})
        with("hlnote-heap-" + hex(heap) + ".elf", hl_note([=](hl_image_note& n) { n.heap_size = heap; }),
             "note: heap_size is " + hex(heap) + ", expected at most 0x100000000 (4 GiB)");
}

void exports(std::vector<Case>& out) {
    auto with = [&](const std::string& name, const ElfBuilder& b, const std::string& expected) {
        out.push_back({name, b.build(), expected});
    };
    auto section = [&](const std::string& name, uint64_t addr, uint64_t size, const std::string& expected) {
        ElfBuilder b = with_exports();
        b.exports_shdr.sh_addr = addr;
        b.exports_shdr.sh_size = size;
        with(name, b, "section .hl_exports: " + expected);
    };
    const uint64_t at = ElfBuilder::kExportsAddr;
    // The section: whole records, at most 256 of them, inside rodata's file bytes.
    section("exports-size-8.elf", at, 8, "size 0x8 is not a whole number of records, expected a multiple of 80 bytes");
    section("exports-size-81.elf", at, 81,
            "size 0x51 is not a whole number of records, expected a multiple of 80 bytes");
    section("exports-count-257.elf", at, 257 * 80, "257 exports, expected at most 256");
    const uint64_t most = ~uint64_t{0} / 80;
    section("exports-count-max.elf", at, most * 80, std::to_string(most) + " exports, expected at most 256");
    section("exports-in-text.elf", ElfBuilder::kTextAddr, 80, "at 0x100000" + kNotInRodata);
    section("exports-in-data.elf", ElfBuilder::kDataAddr, 80, "at 0x102000" + kNotInRodata);
    section("exports-outside-segments.elf", 0x500000, 160, "at 0x500000" + kNotInRodata);
    section("exports-past-rodata-bytes.elf", at, 3 * 80, "at " + hex(at) + kNotInRodata);
    section("exports-addr-max.elf", ~uint64_t{0} - 79, 80, "at " + hex(~uint64_t{0} - 79) + kNotInRodata);
    // Each record: name, signature and thunk.
    auto record = [&](const std::string& name, const hl_export& bad, const std::string& expected) {
        with(name, with_exports({ElfBuilder::export_record("add", "lll"), bad}), "export 1 " + expected);
    };
    const std::string ident = ", expected a C identifier";
    record("export-name-empty.elf", ElfBuilder::export_record("", "v"), "name: empty or not NUL-terminated" + ident);
    record("export-name-unterminated.elf", ElfBuilder::export_record(std::string(56, 'a'), "v"),
           "name: empty or not NUL-terminated" + ident);
    record("export-name-leading-digit.elf", ElfBuilder::export_record("9lives", "v"),
           "name: '9lives' is not an identifier" + ident);
    record("export-name-dash.elf", ElfBuilder::export_record("add-one", "v"),
           "name: 'add-one' is not an identifier" + ident);
    record("export-name-newline.elf", ElfBuilder::export_record("add\nx", "v"),
           "name: 'add\\x0ax' is not an identifier" + ident);
    record("export-name-utf8.elf", ElfBuilder::export_record("na\xc3\xafve", "v"),
           "name: 'na\xc3\xafve' is not an identifier" + ident);
    record("export-name-duplicate.elf", ElfBuilder::export_record("add", "v"),
           "name: 'add' is exported twice, expected unique export names");
    const std::string types = ", expected a return type and up to 8 parameter types";
    record("export-signature-empty.elf", ElfBuilder::export_record("f", ""),
           "(f) signature: empty or not NUL-terminated" + types);
    record("export-signature-unterminated.elf", ElfBuilder::export_record("f", std::string(16, 'l')),
           "(f) signature: empty or not NUL-terminated" + types);
    record("export-signature-return-x.elf", ElfBuilder::export_record("f", "x"),
           "(f) signature: unknown return type 'x', expected one of i l u d b s y v");
    record("export-signature-return-control.elf", ElfBuilder::export_record("f", "\x01"),
           "(f) signature: unknown return type '\\x01', expected one of i l u d b s y v");
    record("export-signature-param-void.elf", ElfBuilder::export_record("f", "lv"),
           "(f) signature: unknown parameter type 'v', expected one of i l u d b s y");
    record("export-signature-param-newline.elf", ElfBuilder::export_record("f", "l\n"),
           "(f) signature: unknown parameter type '\\x0a', expected one of i l u d b s y");
    record("export-signature-9-params.elf", ElfBuilder::export_record("f", "llllllllll"),
           "(f) signature: 9 parameters, expected at most 8");
    const std::string code = " is not in an executable segment, expected the address of its code";
    record("export-thunk-0.elf", ElfBuilder::export_record("f", "v", 0), "(f) thunk: 0x0" + code);
    record("export-thunk-rodata.elf", ElfBuilder::export_record("f", "v", ElfBuilder::kRodataAddr),
           "(f) thunk: 0x101000" + code);
    record("export-thunk-after-text.elf", ElfBuilder::export_record("f", "v", 0x100060), "(f) thunk: 0x100060" + code);
    record("export-thunk-max.elf", ElfBuilder::export_record("f", "v", ~uint64_t{0}),
           "(f) thunk: 0xffffffffffffffff" + code);
    with("export-first-record-bad.elf", with_exports({ElfBuilder::export_record("", "v")}),
         "export 0 name: empty or not NUL-terminated" + ident);
}

// Parses each case as Image::load would name it; returns the cases whose outcome differs.
int verify(const std::vector<Case>& cases) {
    int wrong = 0;
    std::set<std::string> names;
    for (const Case& c : cases) {
        if (!names.insert(c.name).second) {
            std::fprintf(stderr, "%s: two cases with this name\n", c.name.c_str());
            ++wrong;
        }
        std::string got;
        try {
            const hl::Image image = hl::Image::parse(c.name, c.bytes);
            got = image.symbols().empty() && image.exports().empty() ? kAcceptedNoSymbols : kAccepted;
        } catch (const hl::ImageError& e) {
            const std::string prefix = c.name + ": ";
            got = std::string(e.what()).rfind(prefix, 0) == 0 ? std::string(e.what()).substr(prefix.size()) : e.what();
        }
        if (got != c.expected) {
            std::fprintf(stderr, "%s:\n  expected: %s\n  got:      %s\n", c.name.c_str(), c.expected.c_str(),
                         got.c_str());
            ++wrong;
        }
    }
    return wrong;
}

std::string manifest(const std::vector<Case>& cases) {
    std::string text =
        "# The malformed-image corpus: FILE, a tab, then the message hl::Image::load gives after \"PATH: \",\n"
        "# or (accepted) / (accepted without symbols) for images that break no rule of hl-abi(7).\n"
        "# Written with the files by make_corpus.cpp (hl_make_corpus DIR); do not edit by hand.\n";
    for (const Case& c : cases)
        text += c.name + "\t" + c.expected + "\n";
    return text;
}

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

int main(int argc, char** argv) {
    const bool check = argc == 3 && std::string(argv[1]) == "--check";
    if (argc != 2 && !check) {
        std::fprintf(stderr, "usage: hl_make_corpus [--check] DIR\n");
        return 2;
    }
    const fs::path dir = argv[argc - 1];
    std::vector<Case> cases;
    truncations(cases);
    elf_header(cases);
    program_headers(cases);
    notes_and_hl_note(cases);
    exports(cases);
    if (const int wrong = verify(cases); wrong != 0) {
        std::fprintf(stderr, "hl_make_corpus: %d of %zu cases do not get their expected message; nothing written\n",
                     wrong, cases.size());
        return 1;
    }
    std::vector<std::pair<std::string, std::string>> files; // name, contents
    for (const Case& c : cases)
        files.emplace_back(c.name, std::string(c.bytes.begin(), c.bytes.end()));
    files.emplace_back("expected.tsv", manifest(cases));
    int differences = 0;
    for (const auto& [name, contents] : files) {
        const fs::path path = dir / name;
        if (check) {
            if (!fs::exists(path) || read(path) != contents) {
                std::fprintf(stderr, "%s: differs from what make_corpus writes\n", path.c_str());
                ++differences;
            }
            continue;
        }
        std::ofstream(path, std::ios::binary).write(contents.data(), static_cast<std::streamsize>(contents.size()));
    }
    if (check && differences != 0) {
        std::fprintf(stderr, "hl_make_corpus: %d files differ; regenerate with: hl_make_corpus %s\n", differences,
                     dir.c_str());
        return 1;
    }
    if (!check)
        std::printf("hl_make_corpus: wrote %zu images and expected.tsv to %s\n", cases.size(), dir.c_str());
    return 0;
}
