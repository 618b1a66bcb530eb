// What hl promises of text it shows or records (hl-abi(7), TEXT FROM THE
// GUEST), as a check for the tests and the fuzzers: valid UTF-8 with no C0
// control, DEL or C1 control (in UTF-8, 0xc2 then 0x80-0x9f). Newlines are
// allowed only where asked, between the lines of a trace.
#pragma once

#include <hl/text.hpp>

#include <string_view>

namespace hl::test {

// Not instrumented for coverage in the fuzzers: a check, not code under test,
// and byte loops under -fsanitize=fuzzer cost more than the input they check.
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#endif
inline bool plain_text(std::string_view text, bool newlines = false)
{
    if (!valid_utf8(text))
        return false;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if ((byte < 0x20 && !(newlines && byte == '\n')) || byte == 0x7f)
            return false;
        if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0)
            return false;
    }
    return true;
}

} // namespace hl::test
