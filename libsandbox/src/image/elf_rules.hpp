// The image rules of hl-abi(7) as pure functions over the raw file bytes and
// program headers; elf_image.cpp feeds them what libelf read. Every rule that
// fails throws ImageError(Kind::Invalid, "<name>: <field>: <problem>, expected <what>").
// The note rules are in elf_notes.hpp, what only static Linux executables
// need in elf_linux_rules.hpp.
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

// "program header 3 (PT_LOAD)", how messages name a program header.
std::string header_name(size_t index, const char* type);

// True when [offset, offset + size) fits in a file of file_size bytes.
bool inside_file(uint64_t offset, uint64_t size, uint64_t file_size);

// "PT_LOAD", ..., or nullptr for a type without a name here.
const char* phdr_type_name(uint32_t type);

// "ET_DYN (a PIE or shared object)", ... for an e_type other than ET_EXEC.
std::string type_problem(uint16_t type);

// Identification, machine, type and the bounds of the program header table.
// Returns the header only when the table it describes lies inside `file`.
// A Linux image's e_type is left to check_linux_kind, which looks at its
// program headers too.
// The machine is the host's unless `target` names another architecture.
Elf64_Ehdr check_elf_header(const std::string& name, std::span<const uint8_t> file, Personality personality,
                            Architecture target = host_architecture());

// Rejects dynamic executables and the types the personality does not accept
// (an hl image linked against musl, `tls`, may also have a PT_TLS), checks
// every header's flags and alignment and every PT_LOAD; returns the segments
// in file order, which the rules require to be address order.
std::vector<Segment> check_program_headers(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                                           uint64_t file_size, Personality personality, bool tls = false);

// The entry point must be inside an executable segment.
void check_entry(const std::string& name, uint64_t entry, const std::vector<Segment>& segments);

} // namespace hl::rules
