// Text the host did not write itself (a guest's abort message, a string it
// returned, names from an image) on its way into a message, onto a terminal,
// or into a trace: one policy, applied by these functions and nowhere else
// (hl-abi(7), TEXT FROM THE GUEST). Pure.
#pragma once

#include <hl/version.hpp>

#include <string>
#include <string_view>

namespace hl {

// Whether text is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view text);

// For messages, terminals and text traces: valid UTF-8 passes as it is,
// except what a terminal acts on or what breaks a line. Each byte of these
// becomes \xNN (two lower-case hex digits):
//   - C0 controls (0x00-0x1f, newline and ESC included) and DEL (0x7f);
//   - C1 controls, U+0080-U+009F (0xc2 0x80 - 0xc2 0x9f: 0xc2 0x9b is CSI);
//   - the line and paragraph separators U+2028, U+2029, and the
//     bidirectional formatting characters U+061C, U+200E, U+200F,
//     U+202A-U+202E, U+2066-U+2069, which reorder what a reader sees;
//   - every byte that is not part of a valid UTF-8 sequence;
//   - the backslash, so that every backslash in the result starts an escape.
// The result is valid UTF-8 on one line, whatever the bytes were.
std::string printable(std::string_view bytes);

// For JSON: appends a JSON string literal (quotes included) that is valid
// UTF-8 whatever the bytes: `"` and `\` escaped, \n \r \t, the other C0
// controls, DEL and the C1 controls as \u00XX, U+2028 and U+2029 as \u2028
// and \u2029, and each byte that is not part of a valid UTF-8 sequence as
// \ufffd (the replacement character). Valid UTF-8 round-trips exactly.
void append_json_string(std::string& out, std::string_view bytes);
std::string json_string(std::string_view bytes);

} // namespace hl
