// What hlbuild compiles and links a guest with, for the C library its
// project asks for (image.libc) and its target: the guest flags (with the
// target's own) and header directories, the linker script, the start files
// and the libraries, and the note's flags. The runtime's pieces are the
// target's (lib/hl/TARGET).
//   tiny: hl's headers and the tiny libc's, guest.ld, libhlcrt.a, libgcc
//   musl: hl's headers (include/hl only) and musl's, guest-musl.ld, musl's
//         crt1.o crti.o ... crtn.o around the objects, libhlmusl.a, musl's
//         libc.a, libgcc; the note says HL_NOTE_LINUX_SYSCALLS. For the
//         host's architecture only (musl's files are the host's): the
//         caller refuses musl for another target first.
#pragma once

#include "project_file.hpp"
#include "toolchain.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hl::cli {

struct LibcRecipe {
    std::vector<std::string> cflags;        // before the project's own -I and cflags
    std::filesystem::path linker_script;
    std::vector<std::string> link_before;   // start files, before the objects
    std::vector<std::string> link_after;    // libraries and end files, after them
    uint32_t note_flags = 0;                // HL_NOTE_* for the image note
};

// `cc_include` is the compiler's own header directory (-print-file-name=include).
// For musl, throws hl::Error with one line naming `project_file` and what is
// missing: hl built without musl (no libhlmusl.a), or a file of musl's gone.
LibcRecipe libc_recipe(Libc libc, const Toolchain& toolchain, Target target, const std::string& cc_include,
                       const std::filesystem::path& project_file);

} // namespace hl::cli
