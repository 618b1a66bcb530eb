// The image rules of hl-abi(7) as pure functions over the raw file bytes and
// program headers; elf_image.cpp feeds them what libelf read. Every rule that
// fails throws ImageError(Kind::Invalid, "<name>: <field>: <problem>, expected <what>").
#pragma once

#include <hl/image.hpp>

#include <elf.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hl::rules {

// Program header tables longer than this are not produced by any linker
// hlbuild uses; the cap keeps validation cheap on hostile input.
inline constexpr uint16_t kMaxProgramHeaders = 64;

// "0x1f".
std::string hex(uint64_t value);

[[noreturn]] void reject(const std::string& name, const std::string& field, const std::string& problem,
                         const std::string& expected);

// Identification, machine, type and the bounds of the program header table.
// Returns the header only when the table it describes lies inside `file`.
Elf64_Ehdr check_elf_header(const std::string& name, std::span<const uint8_t> file);

// Rejects dynamic executables and types other than PT_LOAD, PT_NOTE and a
// harmless PT_GNU_STACK, checks every header's flags and alignment and every
// PT_LOAD; returns the segments in file order, which the rules require to be
// address order.
std::vector<Segment> check_program_headers(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                                           uint64_t file_size);

// The entry point must be inside an executable segment.
void check_entry(const std::string& name, uint64_t entry, const std::vector<Segment>& segments);

// Walks every PT_NOTE for the single "hl" ABI note and checks its fields.
ImageNote find_note(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                    std::span<const uint8_t> file);

} // namespace hl::rules
