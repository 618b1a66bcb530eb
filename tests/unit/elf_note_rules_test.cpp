// Unit tests of the note rules of hl-abi(7): PT_NOTE segments, note headers,
// padding, and the hl ABI note's presence, count and fields, each with its
// exact message (elf_rules.cpp).
#include "elf_builder.hpp"

#include <hl/abi.h>
#include <hl/image.hpp>

#include <catch2/catch.hpp>

namespace {

using hl::Image;
using hl::test::ElfBuilder;
using hl::test::hex;
using hl::test::invalid;
using hl::test::valid;

} // namespace

TEST_CASE("rule: the hl note makes an hl image, and is there only once", "[elf][rules][note]") {
    CHECK(valid().personality() == hl::Personality::Hl);
    // Without it the image is a static Linux executable: no PT_NOTE, other
    // owners, other hl note types, look-alike names.
    CHECK(valid([](ElfBuilder& b) { b.ehdr.e_phnum = ElfBuilder::kNote; }).personality() == hl::Personality::Linux);
    const std::vector<uint8_t> desc(sizeof(hl_image_note));
    for (const auto& notes : {ElfBuilder::note_entry("GNU", 3, {1, 2, 3, 4}), ElfBuilder::note_entry("hl", 2, desc),
                              ElfBuilder::note_entry("hlx", HL_NOTE_ABI, desc), ElfBuilder::note_entry("h", HL_NOTE_ABI, desc)})
        CHECK(valid([&](ElfBuilder& b) { b.set_notes(notes); }).personality() == hl::Personality::Linux);
    // A note that is not well formed ends the look: an hl note after it does
    // not count, and the note is refused all the same.
    auto broken_first = ElfBuilder::note_entry("GNU", 3, {1, 2, 3, 4});
    ElfBuilder::put(broken_first, 0, Elf64_Nhdr{4, 0x100, 3});
    const auto hl_after = ElfBuilder::hl_note(ElfBuilder::default_note());
    broken_first.insert(broken_first.end(), hl_after.begin(), hl_after.end());
    CHECK(invalid([&](ElfBuilder& b) { b.set_notes(broken_first); }) ==
          "img: note: note at offset 0x0 of program header 3 (PT_NOTE) (namesz 0x4, descsz 0x100) extends past the "
          "segment end 0x3c, expected notes inside the segment");
    // An hl note of the wrong size still makes an hl image, and is refused as one.
    CHECK(invalid([&](ElfBuilder& b) { b.set_notes(ElfBuilder::note_entry("hl", HL_NOTE_ABI, {1, 2, 3, 4})); }) ==
          "img: note: hl ABI note descsz is 4, expected 24 (sizeof(struct hl_image_note))");
    const auto once = ElfBuilder::hl_note(ElfBuilder::default_note());
    auto twice = once;
    twice.insert(twice.end(), once.begin(), once.end());
    CHECK(invalid([&](ElfBuilder& b) { b.set_notes(twice); }) ==
          "img: note: 2 hl ABI notes found, expected exactly one");
    CHECK(invalid([](ElfBuilder& b) { b.add_phdr(b.phdrs[ElfBuilder::kNote]); }) ==
          "img: note: 2 hl ABI notes found, expected exactly one");
}

TEST_CASE("rule: notes are well formed", "[elf][rules][note]") {
    CHECK(invalid([](ElfBuilder& b) { b.set_notes(ElfBuilder::note_entry("hl", 1, std::vector<uint8_t>(16))); }) ==
          "img: note: hl ABI note descsz is 16, expected 24 (sizeof(struct hl_image_note))");
    CHECK(invalid([](ElfBuilder& b) { b.phdrs[ElfBuilder::kNote].p_offset = 0x100000; }) ==
          "img: note: program header 3 (PT_NOTE) data (0x40 bytes at 0x100000) extends past end of file (" +
              hex(ElfBuilder().build().size()) + " bytes), expected notes inside the file");
    ElfBuilder b;
    auto notes = b.blobs[ElfBuilder::kNote].bytes;
    notes.resize(notes.size() + 4);
    b.set_notes(notes);
    CHECK(invalid(b.build()) ==
          "img: note: header at offset 0x40 of program header 3 (PT_NOTE) is truncated to 4 bytes, expected 12 bytes");
    // Sizes near 2^32 must not wrap the walk.
    for (auto [namesz, descsz] : {std::pair<uint32_t, uint32_t>{3, 0xffffffff}, {0xfffffffd, 24}, {0x40, 0}}) {
        auto bad = ElfBuilder::hl_note(ElfBuilder::default_note());
        ElfBuilder::put(bad, 0, Elf64_Nhdr{namesz, descsz, HL_NOTE_ABI});
        CHECK(invalid([&](ElfBuilder& e) { e.set_notes(bad); }) ==
              "img: note: note at offset 0x0 of program header 3 (PT_NOTE) (namesz " + hex(namesz) + ", descsz " +
                  hex(descsz) + ") extends past the segment end 0x28, expected notes inside the segment");
    }
}

TEST_CASE("notes in an 8-aligned PT_NOTE pad to 8", "[elf][note]") {
    hl_image_note note = ElfBuilder::default_note();
    note.stack_size = 0x8000;
    auto notes = ElfBuilder::note_entry("GNU", 5, {1, 2, 3, 4}, 8); // 24 bytes; 20 if padded to 4
    const auto hl = ElfBuilder::hl_note(note, 8);
    notes.insert(notes.end(), hl.begin(), hl.end());
    const Image image = valid([&](ElfBuilder& b) {
        b.set_notes(notes);
        b.phdrs[ElfBuilder::kNote].p_align = 8;
    });
    CHECK(image.note().stack_size == 0x8000);
}

TEST_CASE("rule: hl note fields", "[elf][rules][note]") {
    auto with = [](auto change) {
        return [=](ElfBuilder& b) {
            hl_image_note note = ElfBuilder::default_note();
            change(note);
            b.set_notes(ElfBuilder::hl_note(note));
        };
    };
    // Versions from HL_ABI_VERSION_MIN on run: images built before the boot info's flags still run.
    for (uint32_t version : {0u, 3u, 0xffffffffu})
        CHECK(invalid(with([=](hl_image_note& n) { n.abi_version = version; })) ==
              "img: note: abi_version is " + std::to_string(version) +
                  ", expected 1 to 2 (this host's HL_ABI_VERSION_MIN to HL_ABI_VERSION)");
    for (uint32_t version : {1u, 2u}) {
        hl_image_note note = ElfBuilder::default_note();
        note.abi_version = version;
        CHECK(valid([&](ElfBuilder& b) { b.set_notes(ElfBuilder::hl_note(note)); }).note().abi_version == version);
    }
    // HL_NOTE_LINUX_SYSCALLS is the one flag; any other bit is refused, alone or with it.
    for (uint32_t flags : {0x2u, 0x3u, 0x80000000u})
        CHECK(invalid(with([=](hl_image_note& n) { n.flags = flags; })) ==
              "img: note: flags " + hex(flags) + " has unknown bits " + hex(flags & ~1u) +
                  ", expected only HL_NOTE_LINUX_SYSCALLS (0x1)");
    // The edges come from <hl/abi.h>; the messages are pinned as users read them.
    for (uint64_t stack : {uint64_t{0}, uint64_t{HL_STACK_MIN + HL_PAGE_SIZE / 2}, uint64_t{HL_STACK_MAX + HL_PAGE_SIZE}})
        CHECK(invalid(with([=](hl_image_note& n) { n.stack_size = stack; })) ==
              "img: note: stack_size is " + hex(stack) +
                  ", expected a multiple of 0x1000 from 0x1000 to 0x10000000 (256 MiB)");
    for (uint64_t stack : {uint64_t{HL_STACK_MIN}, uint64_t{HL_STACK_MAX}})
        CHECK(valid(with([=](hl_image_note& n) { n.stack_size = stack; })).note().stack_size == stack);
    CHECK(invalid(with([](hl_image_note& n) { n.heap_size = HL_HEAP_MAX + 1; })) ==
          "img: note: heap_size is 0x100000001, expected at most 0x100000000 (4 GiB)");
    CHECK(valid(with([](hl_image_note& n) { n.heap_size = HL_HEAP_MAX; })).note().heap_size == HL_HEAP_MAX);
    CHECK(valid(with([](hl_image_note& n) { n.heap_size = 0; })).note().heap_size == 0);
}

TEST_CASE("rule: an hl image linked against musl serves system calls and may have a PT_TLS", "[elf][rules][note]") {
    auto musl = [](ElfBuilder& b) {
        hl_image_note note = ElfBuilder::default_note();
        note.flags = HL_NOTE_LINUX_SYSCALLS;
        b.set_notes(ElfBuilder::hl_note(note));
    };
    // A PT_TLS over the first 8 bytes of the data segment's file bytes.
    const Elf64_Phdr tls{PT_TLS, PF_R, ElfBuilder::kDataOffset, ElfBuilder::kDataAddr, ElfBuilder::kDataAddr, 8, 0x20, 8};
    const Image plain = valid();
    CHECK(plain.note().flags == 0);
    CHECK_FALSE(plain.serves_system_calls());
    const Image linked = valid(musl);
    CHECK(linked.personality() == hl::Personality::Hl);
    CHECK(linked.note().flags == HL_NOTE_LINUX_SYSCALLS);
    CHECK(linked.serves_system_calls());
    CHECK_FALSE(linked.tls());
    const Image with_tls = valid([&](ElfBuilder& b) {
        musl(b);
        b.add_phdr(tls);
    });
    REQUIRE(with_tls.tls());
    CHECK(with_tls.tls()->vaddr == ElfBuilder::kDataAddr);
    CHECK(with_tls.tls()->memsz == 0x20);
    // The TLS rules of Linux executables hold for it too.
    CHECK(invalid([&](ElfBuilder& b) {
              musl(b);
              b.add_phdr(tls);
              b.add_phdr(tls);
          }) == "img: program header 5 (PT_TLS): a second PT_TLS (the first is program header 4 (PT_TLS)), expected at most one");
    // Without the flag an hl image's runtime has no TLS to set up: PT_TLS is refused.
    CHECK(invalid([&](ElfBuilder& b) { b.add_phdr(tls); }) ==
          "img: program header 4: p_type: 0x7 (PT_TLS) is not a type hl accepts, expected PT_LOAD, PT_NOTE or "
          "PT_GNU_STACK");
    CHECK(invalid([&](ElfBuilder& b) {
              musl(b);
              b.add_phdr({PT_PHDR, PF_R, 0x40, 0, 0, 0x38, 0x38, 8});
          }) == "img: program header 4: p_type: 0x6 (PT_PHDR) is not a type hl accepts, expected PT_LOAD, PT_NOTE, "
                "PT_GNU_STACK or PT_TLS");
}
