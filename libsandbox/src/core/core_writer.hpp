// Writing an ELF core file (hl/core_file.hpp) from what the sandbox gives:
// the architecture's notes and the ranges of guest memory to keep. Knows the
// ELF container, not the machine; pure but for the writes to its fd.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hl {

struct CoreContents {
    uint16_t machine = 0;                  // e_machine
    std::vector<uint8_t> thread_note;      // NT_PRSTATUS
    std::vector<uint8_t> fpu_note;         // NT_FPREGSET; none when empty
    std::vector<uint8_t> xstate_note;      // x86-64's NT_X86_XSTATE; none when empty
    std::vector<uint8_t> process_note;     // NT_PRPSINFO
    // The HL note: core_format.hpp's keys and their values.
    std::vector<std::pair<std::string, std::string>> stop;
    struct Range {
        uint64_t address = 0;              // page-aligned
        std::span<const uint8_t> bytes;    // a whole number of pages
        bool writable = false;
        bool executable = false;
    };
    std::vector<Range> memory;             // ascending, not overlapping
    // Whether the page at a guest address may differ from zero; the others
    // are holes, never read. Empty: look at every page.
    std::function<bool(uint64_t address)> may_hold_data;
};

// Writes the core file into fd, an empty file open for writing, at offset 0:
// the ELF header, the program headers, the notes, then each range at a page
// boundary, its pages of zeros left as holes. Throws hl::Error
// ("cannot write the core file: REASON").
void write_core_file(int fd, const CoreContents& contents);

} // namespace hl
