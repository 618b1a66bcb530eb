// The exports rules of hl-abi(7): the .hl_exports section, found through the
// section headers and read from the loaded bytes it lies in, each record
// checked. Throws ImageError(Kind::Invalid) like the other image rules.
#pragma once

#include <hl/image.hpp>

#include <hl/abi.h>

#include <gelf.h>

#include <span>
#include <string>
#include <vector>

namespace hl::rules {

// No section headers, or no .hl_exports: no exports (an image need not have any).
std::vector<Export> read_exports(const std::string& name, Elf* elf, const std::vector<Segment>& segments,
                                 std::span<const uint8_t> file);

// Checks one record's fields; `seen` holds the names before it.
Export check_export(const std::string& name, uint32_t index, const hl_export& record,
                    const std::vector<Segment>& segments, const std::vector<Export>& seen);

} // namespace hl::rules
