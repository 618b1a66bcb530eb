// Which personality an image gets, and the rules only static Linux
// executables have (hl-abi(7), "Static Linux executables"): the kinds of Linux
// executable hl refuses, each with what to do instead, and PT_TLS. Pure.
#pragma once

#include <hl/image.hpp>

#include <elf.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl::rules {

// Linux when the file's program header table can be read and its notes, up to
// the first that is not well formed, hold no hl note; Hl otherwise, so that a
// file too broken to tell gets the messages of the general rules. Looks at
// nothing else and never throws: the rules come after.
Personality detect_personality(std::span<const uint8_t> file);

// Refuses, one line each with what to do instead, a Linux executable hl
// cannot run: dynamically linked (PT_INTERP, PT_DYNAMIC), position-independent
// (ET_DYN), not an executable at all, or linked with glibc (its crt1 brings
// an NT_GNU_ABI_TAG note, musl's does not). Notes that are not well formed
// are left to check_notes, which comes later for every image.
void check_linux_kind(const std::string& name, const Elf64_Ehdr& ehdr, std::span<const Elf64_Phdr> phdrs,
                      std::span<const uint8_t> file);

// The image's PT_TLS, if any: at most one, p_filesz at most p_memsz, and its
// template's bytes inside a PT_LOAD's file bytes, where the C library copies
// them from.
std::optional<TlsSegment> find_tls(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                                   const std::vector<Segment>& segments);

// Where the loaded segments put the program header table of `size` bytes at
// file offset `offset` (what Linux passes as AT_PHDR): inside the file bytes
// of one PT_LOAD, as far from its start as in the file; nullopt when no
// PT_LOAD's file bytes hold all of it.
std::optional<uint64_t> program_headers_address(const std::vector<Segment>& segments, uint64_t offset,
                                                uint64_t size);

// A PT_PHDR must give the table's address in memory: musl works out where the
// program was loaded from it and AT_PHDR.
void check_phdr_segment(const std::string& name, std::span<const Elf64_Phdr> phdrs,
                        std::optional<uint64_t> table_address);

} // namespace hl::rules
