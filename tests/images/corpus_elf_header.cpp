// The corpus: the ELF header's fields, one wrong value at a time.
#include "corpus.hpp"

#include <cstddef>

namespace hl::corpus {
namespace {

const std::string kStatic = "expected ET_EXEC, a static executable (link with hlbuild)";
const std::string kEntry = " is not inside an executable segment, expected an address in a PT_LOAD segment with PF_X";

template <typename T>
Bytes patched(Bytes bytes, size_t offset, T value) {
    ElfBuilder::put(bytes, offset, value);
    return bytes;
}

} // namespace

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
        {EM_NONE, "0x0"}, {EM_386, "0x3 (EM_386)"}, {EM_ARM, "0x28 (EM_ARM)"}, {EM_AARCH64, "0xb7 (EM_AARCH64): built for aarch64, and this host runs x86-64 guests"},
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
    // Read one byte off, the table shows no hl note: the types a Linux executable may have.
    field("ehdr-phoff-65-misaligned.elf", phoff, uint64_t{65},
          "program header 0: p_type: 0x5000000 is not a type hl accepts, expected PT_LOAD, PT_NOTE, PT_TLS, PT_PHDR, "
          "PT_GNU_STACK, PT_GNU_RELRO, PT_GNU_EH_FRAME or PT_GNU_PROPERTY");
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
    // The PT_NOTE left out: a static Linux executable of one segment.
    field("ehdr-phnum-1-text-only.elf", offsetof(Elf64_Ehdr, e_phnum), uint16_t{1}, kAcceptedLinux);
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

} // namespace hl::corpus
