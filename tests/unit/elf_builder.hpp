// Test helper: builds minimal, valid hl guest ELF images in memory. Every
// header field and payload is a public member, so a test breaks one rule by
// changing one field before build(), or by patching the built bytes.
// invalid() and valid() parse the result under the name "img"; linux_image()
// turns it into a static Linux executable.
#pragma once

#include "image/guest_machine.hpp"

#include <hl/abi.h>
#include <hl/image.hpp>

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace hl::test {

// "0x1f", as image error messages print addresses and sizes.
inline std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

struct TestSymbol {
    std::string name;
    uint64_t value = 0;
    uint64_t size = 0;
    unsigned char type = STT_FUNC;
};

// Bytes placed at a fixed file offset; moving a header's p_offset does not move its blob.
struct Blob {
    uint64_t offset = 0;
    std::vector<uint8_t> bytes;
};

class ElfBuilder {
public:
    // File layout: headers at 0, notes at 0x200, one page per loadable payload,
    // section data (when enabled) after the last payload.
    static constexpr uint64_t kNoteOffset = 0x200;
    static constexpr uint64_t kTextOffset = 0x1000;
    static constexpr uint64_t kRodataOffset = 0x2000;
    static constexpr uint64_t kDataOffset = 0x3000;
    static constexpr uint64_t kSectionsOffset = 0x4000;
    static constexpr uint64_t kTextAddr = HL_IMAGE_WINDOW_START;
    static constexpr uint64_t kRodataAddr = kTextAddr + 0x1000;
    static constexpr uint64_t kDataAddr = kTextAddr + 0x2000;
    static constexpr uint64_t kTextSize = 0x60;
    static constexpr uint64_t kDataMemsz = 0x1800; // 16 bytes of data, the rest bss
    static constexpr uint64_t kExportsAddr = kRodataAddr + 0x10; // add_exports() puts records here
    // Indices into phdrs and blobs.
    static constexpr size_t kText = 0, kRodata = 1, kData = 2, kNote = 3;

    Elf64_Ehdr ehdr{};
    std::vector<Elf64_Phdr> phdrs;
    std::vector<Blob> blobs;
    bool sections = true; // emit .text/.symtab/.strtab/.shstrtab section headers
    // The .hl_exports section header, emitted (with `sections`) when sh_size is
    // not 0; add_exports() fills it in. sh_name is set by build().
    Elf64_Shdr exports_shdr{};
    std::vector<TestSymbol> symbols{
        {"compute", kTextAddr + 0x10, 0x30, STT_FUNC},
        {"_start", kTextAddr, 0x10, STT_FUNC},
        {"marker", kTextAddr + 0x40, 0, STT_FUNC},   // size 0: reaches the end of .text
        {"label", kTextAddr + 0x50, 4, STT_NOTYPE},  // not a function or object
        {"test.c", 0, 0, STT_FILE},
        {"counter", kDataAddr, 8, STT_OBJECT},
        {"greeting", kRodataAddr, 6, STT_OBJECT},
    };

    ElfBuilder() {
        std::memcpy(ehdr.e_ident, ELFMAG, SELFMAG);
        ehdr.e_ident[EI_CLASS] = ELFCLASS64;
        ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
        ehdr.e_ident[EI_VERSION] = EV_CURRENT;
        ehdr.e_type = ET_EXEC;
        ehdr.e_machine = kGuestMachine.elf_machine;
        ehdr.e_version = EV_CURRENT;
        ehdr.e_entry = kTextAddr;
        ehdr.e_phoff = sizeof(Elf64_Ehdr);
        ehdr.e_ehsize = sizeof(Elf64_Ehdr);
        ehdr.e_phentsize = sizeof(Elf64_Phdr);
        ehdr.e_shentsize = sizeof(Elf64_Shdr);

        std::vector<uint8_t> text(kTextSize, 0x90); // nops
        text.back() = 0xc3;                         // ret
        std::vector<uint8_t> rodata{'h', 'e', 'l', 'l', 'o', 0};
        std::vector<uint8_t> data(16, 0xab);
        add_load(kTextAddr, kTextOffset, std::move(text), kTextSize, PF_R | PF_X);
        add_load(kRodataAddr, kRodataOffset, std::move(rodata), 6, PF_R);
        add_load(kDataAddr, kDataOffset, std::move(data), kDataMemsz, PF_R | PF_W);
        // A foreign note first, so the walker must step over it.
        std::vector<uint8_t> notes = note_entry("GNU", NT_GNU_BUILD_ID, std::vector<uint8_t>(8, 0x5a));
        const std::vector<uint8_t> hl = hl_note(default_note());
        notes.insert(notes.end(), hl.begin(), hl.end());
        add_phdr({PT_NOTE, PF_R, kNoteOffset, 0, 0, notes.size(), notes.size(), 4});
        blobs.push_back({kNoteOffset, std::move(notes)});
    }

    static struct hl_image_note default_note() { return {HL_ABI_VERSION, 0, HL_STACK_DEFAULT, HL_HEAP_DEFAULT}; }

    // One note entry: namesz counts the NUL, name and desc padded to `align`.
    static std::vector<uint8_t> note_entry(const std::string& name, uint32_t type, const std::vector<uint8_t>& desc,
                                           size_t align = 4) {
        std::vector<uint8_t> out(sizeof(Elf64_Nhdr));
        const Elf64_Nhdr nhdr{static_cast<uint32_t>(name.size() + 1), static_cast<uint32_t>(desc.size()), type};
        std::memcpy(out.data(), &nhdr, sizeof nhdr);
        out.insert(out.end(), name.begin(), name.end());
        out.push_back(0);
        out.resize((out.size() + align - 1) / align * align);
        out.insert(out.end(), desc.begin(), desc.end());
        out.resize((out.size() + align - 1) / align * align);
        return out;
    }

    static std::vector<uint8_t> hl_note(const struct hl_image_note& desc, size_t align = 4) {
        std::vector<uint8_t> bytes(sizeof desc);
        std::memcpy(bytes.data(), &desc, sizeof desc);
        return note_entry(HL_NOTE_NAME, HL_NOTE_ABI, bytes, align);
    }

    // Puts export records in rodata at kExportsAddr, grows the rodata segment
    // to hold them and points exports_shdr at them.
    void add_exports(const std::vector<hl_export>& records) {
        std::vector<uint8_t>& rodata = blobs[kRodata].bytes;
        rodata.resize(kExportsAddr - kRodataAddr);
        for (const hl_export& record : records)
            put(rodata, rodata.size(), record);
        phdrs[kRodata].p_filesz = phdrs[kRodata].p_memsz = rodata.size();
        exports_shdr = {0, SHT_PROGBITS, SHF_ALLOC, kExportsAddr, kRodataOffset + (kExportsAddr - kRodataAddr),
                        records.size() * sizeof(hl_export), 0, 0, 8, 0};
    }

    // One export record; thunk defaults to the start of text.
    static hl_export export_record(const std::string& name, const std::string& signature,
                                   uint64_t thunk = kTextAddr) {
        hl_export record{};
        record.thunk = thunk;
        std::memcpy(record.name, name.data(), std::min(name.size(), sizeof record.name));
        std::memcpy(record.signature, signature.data(), std::min(signature.size(), sizeof record.signature));
        return record;
    }

    // Replaces the whole PT_NOTE payload and its sizes.
    void set_notes(std::vector<uint8_t> notes) {
        phdrs[kNote].p_filesz = phdrs[kNote].p_memsz = notes.size();
        blobs[kNote].bytes = std::move(notes);
    }

    // Makes the image a static Linux executable: the same segments and the
    // GNU build-id note, no hl note.
    ElfBuilder& linux_image() {
        set_notes(note_entry("GNU", NT_GNU_BUILD_ID, std::vector<uint8_t>(8, 0x5a)));
        return *this;
    }

    // A read-only PT_LOAD at `vaddr` (after data) over the file's first 0x200
    // bytes: the ELF header, the program header table and the notes, as a
    // Linux linker loads them. The table is then at vaddr + 0x40.
    ElfBuilder& load_headers(uint64_t vaddr = 0x200000) {
        add_phdr({PT_LOAD, PF_R, 0, vaddr, vaddr, kNoteOffset, kNoteOffset, 0x1000});
        return *this;
    }

    // Moves the data segment to `vaddr`, its file bytes to the same offset
    // into their page of the file (p_vaddr == p_offset modulo a page).
    ElfBuilder& move_data(uint64_t vaddr) {
        phdrs[kData].p_vaddr = phdrs[kData].p_paddr = vaddr;
        phdrs[kData].p_offset = blobs[kData].offset = kDataOffset + vaddr % 0x1000;
        return *this;
    }

    // What a musl-gcc -static link gives the data segment: it starts `into`
    // bytes into its page.
    ElfBuilder& data_mid_page(uint64_t into) { return move_data(kDataAddr + into); }

    void add_phdr(const Elf64_Phdr& phdr) {
        phdrs.push_back(phdr);
        ehdr.e_phnum = static_cast<uint16_t>(phdrs.size());
    }

    // End of the last byte a PT_LOAD takes from the file.
    uint64_t loaded_end() const {
        uint64_t end = 0;
        for (const Elf64_Phdr& ph : phdrs)
            if (ph.p_type == PT_LOAD)
                end = std::max(end, ph.p_offset + ph.p_filesz);
        return end;
    }

    template <typename T>
    static void put(std::vector<uint8_t>& bytes, size_t offset, const T& value) {
        if (bytes.size() < offset + sizeof value)
            bytes.resize(offset + sizeof value);
        std::memcpy(bytes.data() + offset, &value, sizeof value);
    }

    // Serializes everything; phdrs are written as listed (e_phnum is not
    // recomputed), then cut to `truncate_at` bytes if that is shorter.
    std::vector<uint8_t> build(size_t truncate_at = SIZE_MAX) const {
        std::vector<uint8_t> out;
        Elf64_Ehdr header = ehdr;
        if (sections)
            append_sections(out, header);
        for (size_t i = 0; i < phdrs.size(); ++i)
            put(out, header.e_phoff + i * sizeof(Elf64_Phdr), phdrs[i]);
        for (const Blob& blob : blobs) {
            if (out.size() < blob.offset + blob.bytes.size())
                out.resize(blob.offset + blob.bytes.size());
            std::copy(blob.bytes.begin(), blob.bytes.end(), out.begin() + static_cast<long>(blob.offset));
        }
        put(out, 0, header);
        if (truncate_at < out.size())
            out.resize(truncate_at);
        return out;
    }

private:
    void add_load(uint64_t vaddr, uint64_t offset, std::vector<uint8_t> bytes, uint64_t memsz, uint32_t flags) {
        add_phdr({PT_LOAD, flags, offset, vaddr, vaddr, bytes.size(), memsz, 0x1000});
        blobs.push_back({offset, std::move(bytes)});
    }

    static uint32_t add_string(std::vector<uint8_t>& table, const std::string& text) {
        const auto at = static_cast<uint32_t>(table.size());
        table.insert(table.end(), text.begin(), text.end());
        table.push_back(0);
        return at;
    }

    // Lays out .symtab, .strtab, .shstrtab and the section header table at
    // kSectionsOffset and points the header at them.
    void append_sections(std::vector<uint8_t>& out, Elf64_Ehdr& header) const {
        std::vector<uint8_t> strtab{0}, shstrtab{0}, symtab(sizeof(Elf64_Sym), 0);
        for (const TestSymbol& s : symbols) {
            Elf64_Sym sym{};
            sym.st_name = add_string(strtab, s.name);
            const unsigned char bind = s.type == STT_FILE ? STB_LOCAL : STB_GLOBAL;
            sym.st_info = static_cast<unsigned char>(ELF64_ST_INFO(bind, s.type));
            sym.st_shndx = s.type == STT_FILE ? SHN_ABS : 1;
            sym.st_value = s.value;
            sym.st_size = s.size;
            symtab.resize(symtab.size() + sizeof sym);
            std::memcpy(symtab.data() + symtab.size() - sizeof sym, &sym, sizeof sym);
        }
        std::vector<Elf64_Shdr> shdrs(exports_shdr.sh_size != 0 ? 6 : 5);
        shdrs[1] = {add_string(shstrtab, ".text"), SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, kTextAddr,
                    kTextOffset, blobs[kText].bytes.size(), 0, 0, 16, 0};
        if (shdrs.size() == 6) {
            shdrs[5] = exports_shdr;
            shdrs[5].sh_name = add_string(shstrtab, HL_EXPORT_SECTION);
        }
        uint64_t at = kSectionsOffset;
        shdrs[2] = {add_string(shstrtab, ".symtab"), SHT_SYMTAB, 0, 0, at, symtab.size(), 3, 1, 8,
                    sizeof(Elf64_Sym)};
        put_bytes(out, at, symtab);
        at += symtab.size();
        shdrs[3] = {add_string(shstrtab, ".strtab"), SHT_STRTAB, 0, 0, at, strtab.size(), 0, 0, 1, 0};
        put_bytes(out, at, strtab);
        at += strtab.size();
        shdrs[4] = {add_string(shstrtab, ".shstrtab"), SHT_STRTAB, 0, 0, at, 0, 0, 0, 1, 0};
        shdrs[4].sh_size = shstrtab.size();
        put_bytes(out, at, shstrtab);
        at = (at + shstrtab.size() + 7) / 8 * 8;
        header.e_shoff = at;
        header.e_shnum = static_cast<uint16_t>(shdrs.size());
        header.e_shstrndx = 4;
        for (const Elf64_Shdr& shdr : shdrs) {
            put(out, at, shdr);
            at += sizeof shdr;
        }
    }

    static void put_bytes(std::vector<uint8_t>& out, uint64_t at, const std::vector<uint8_t>& bytes) {
        if (out.size() < at + bytes.size())
            out.resize(at + bytes.size());
        std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<long>(at));
    }
};

using Mutation = std::function<void(ElfBuilder&)>;

// The message of the Invalid error parsing `bytes` throws. Anything else comes
// back tagged, so comparing it with the expected message fails visibly.
inline std::string invalid(const std::vector<uint8_t>& bytes) {
    try {
        (void)Image::parse("img", bytes);
    } catch (const ImageError& e) {
        return e.kind() == ImageError::Kind::Invalid ? e.what() : std::string("(unreadable) ") + e.what();
    }
    return "(accepted)";
}

inline std::string invalid(const Mutation& mutate) {
    ElfBuilder b;
    mutate(b);
    return invalid(b.build());
}

inline Image valid(const Mutation& mutate = [](ElfBuilder&) {}) {
    ElfBuilder b;
    mutate(b);
    return Image::parse("img", b.build());
}

// invalid() and valid() of the builder's image made a Linux executable first.
inline std::string linux_invalid(const Mutation& mutate) {
    return invalid([&](ElfBuilder& b) { mutate(b.linux_image()); });
}

inline Image linux_valid(const Mutation& mutate = [](ElfBuilder&) {}) {
    return valid([&](ElfBuilder& b) { mutate(b.linux_image()); });
}

// How the corpus names an image that breaks no rule: "(accepted)",
// "(accepted without symbols)" when its symbols and exports were lost, with
// "as linux" after "accepted" for a static Linux executable.
inline std::string accepted_outcome(const Image& image) {
    const bool linux = image.personality() == Personality::Linux;
    const bool symbols = !image.symbols().empty() || !image.exports().empty();
    return std::string("(accepted") + (linux ? " as linux" : "") + (symbols ? "" : " without symbols") + ")";
}

} // namespace hl::test
