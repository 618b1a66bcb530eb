// The corpus: PT_NOTE segments, note headers and padding, and the hl note's
// presence, count and fields.
#include "corpus.hpp"

#include <utility>

namespace hl::corpus {
namespace {

const std::string kStack = ", expected a multiple of 0x1000 from 0x1000 to 0x10000000 (256 MiB)";

// The default image whose notes are replaced by `notes`.
ElfBuilder notes(Bytes notes) {
    ElfBuilder b;
    b.set_notes(std::move(notes));
    return b;
}

// The default image with its hl note's fields changed.
template <typename Change>
ElfBuilder hl_note(Change change) {
    hl_image_note note = ElfBuilder::default_note();
    change(note);
    return notes(ElfBuilder::hl_note(note));
}

} // namespace

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
    // The hl note: its size, presence and count. Without it, the image is a
    // static Linux executable, which these are as well.
    auto desc = [](size_t size) { return ElfBuilder::note_entry(HL_NOTE_NAME, HL_NOTE_ABI, Bytes(size)); };
    for (size_t descsz : {0, 16, 25, 32})
        with("hlnote-descsz-" + std::to_string(descsz) + ".elf", notes(desc(descsz)),
             "note: hl ABI note descsz is " + std::to_string(descsz) + ", expected 24 (sizeof(struct hl_image_note))");
    {
        ElfBuilder b;
        b.ehdr.e_phnum = kNote; // the PT_NOTE left out of the table
        with("hlnote-missing-no-pt-note.elf", b, kAcceptedLinux);
        b = ElfBuilder();
        b.phdrs[kNote].p_filesz = 0;
        with("hlnote-missing-empty-pt-note.elf", b, kAcceptedLinux);
    }
    const Bytes note_desc(sizeof(hl_image_note));
    with("hlnote-missing-gnu-only.elf", notes(ElfBuilder::note_entry("GNU", NT_GNU_BUILD_ID, Bytes(8, 0x5a))), kAcceptedLinux);
    with("hlnote-missing-other-type.elf", notes(ElfBuilder::note_entry("hl", 2, note_desc)), kAcceptedLinux);
    with("hlnote-missing-name-hlx.elf", notes(ElfBuilder::note_entry("hlx", HL_NOTE_ABI, note_desc)), kAcceptedLinux);
    with("hlnote-missing-name-HL.elf", notes(ElfBuilder::note_entry("HL", HL_NOTE_ABI, note_desc)), kAcceptedLinux);
    {
        Bytes no_nul = ElfBuilder::hl_note(ElfBuilder::default_note());
        ElfBuilder::put(no_nul, 0, uint32_t{2}); // namesz 2: "hl" without its NUL
        with("hlnote-missing-name-without-nul.elf", notes(no_nul), kAcceptedLinux);
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
    for (uint32_t abi : {0u, 3u, 0xffffffffu})
        with("hlnote-abi-version-" + std::to_string(abi) + ".elf",
             hl_note([=](hl_image_note& n) { n.abi_version = abi; }),
             "note: abi_version is " + std::to_string(abi) +
                 ", expected 1 to 2 (this host's HL_ABI_VERSION_MIN to HL_ABI_VERSION)");
    with("hlnote-abi-version-1-before-boot-flags.elf", hl_note([](hl_image_note& n) { n.abi_version = 1; }), kAccepted);
    with("hlnote-flags-0x1-linux-syscalls.elf", hl_note([](hl_image_note& n) { n.flags = HL_NOTE_LINUX_SYSCALLS; }),
         kAccepted);
    for (uint32_t flags : {2u, 0x80000000u})
        with("hlnote-flags-" + hex(flags) + ".elf", hl_note([=](hl_image_note& n) { n.flags = flags; }),
             "note: flags " + hex(flags) + " has unknown bits " + hex(flags) +
                 ", expected only HL_NOTE_LINUX_SYSCALLS (0x1)");
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

} // namespace hl::corpus
