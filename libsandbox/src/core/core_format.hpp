// What hl puts in an ELF core file besides the Linux notes (core_file.hpp):
// the "HL" note, a list of NUL-terminated key and value pairs, and the page
// alignment of the memory segments (their pages of zeros are holes). Shared
// by the writer and the reader.
#pragma once

#include <cstdint>
#include <string_view>

namespace hl::core {

inline constexpr std::string_view kLinuxNoteName = "CORE";
inline constexpr uint32_t kNotePrstatus = 1;    // NT_PRSTATUS
inline constexpr uint32_t kNoteFpregset = 2;    // NT_FPREGSET
inline constexpr uint32_t kNotePrpsinfo = 3;    // NT_PRPSINFO
inline constexpr std::string_view kLinuxXstateNoteName = "LINUX";
inline constexpr uint32_t kNoteX86Xstate = 0x202;   // NT_X86_XSTATE: the XSAVE area, XCR0 at byte 464
inline constexpr std::string_view kHlNoteName = "HL";
inline constexpr uint32_t kHlNoteStop = 1;      // why the guest stopped: the keys below

inline constexpr std::string_view kKeyVersion = "hl";
inline constexpr std::string_view kKeyImage = "image";
inline constexpr std::string_view kKeyImageSha256 = "image-sha256";
inline constexpr std::string_view kKeyEnding = "ending";
inline constexpr std::string_view kKeyMessage = "message";
inline constexpr std::string_view kKeyWhere = "where";

// Bounds the reader holds a file to (the writer stays far inside them).
inline constexpr uint64_t kMaxSegments = 1024;
inline constexpr uint64_t kMaxNotesSize = 64 * 1024;

} // namespace hl::core
