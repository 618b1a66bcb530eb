// Untrusted text for messages, terminals and JSON (see text.hpp).
#include <hl/text.hpp>

#include <cstdio>

namespace hl {
namespace {

// The length (1 to 4) of the valid UTF-8 sequence that starts at text[at],
// with its code point in `code`; 0 when no valid sequence starts there.
size_t sequence_at(std::string_view text, size_t at, char32_t& code)
{
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) {
        code = lead;
        return 1;
    }
    size_t length = 0;
    char32_t min = 0;
    if ((lead & 0xe0) == 0xc0)
        length = 2, code = lead & 0x1f, min = 0x80;
    else if ((lead & 0xf0) == 0xe0)
        length = 3, code = lead & 0x0f, min = 0x800;
    else if ((lead & 0xf8) == 0xf0)
        length = 4, code = lead & 0x07, min = 0x10000;
    else
        return 0;
    if (text.size() - at < length)
        return 0; // cut short
    for (size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[at + k]);
        if ((next & 0xc0) != 0x80)
            return 0;
        code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return 0; // overlong, out of range, or a surrogate
    return length;
}

// What split() hands over for a byte that starts no valid UTF-8 sequence.
constexpr char32_t kNotUtf8 = 0xffffffff;

// Cuts bytes into pieces, in order, and calls take(piece, code) for each: a
// run of printable ASCII without a backslash or `quote` (most text is that;
// code is its first character, as plain as the others), one valid UTF-8
// sequence (its code point), or one byte that starts none (kNotUtf8).
template <typename Take>
void split(std::string_view bytes, char quote, Take take)
{
    for (size_t i = 0; i < bytes.size();) {
        size_t end = i;
        for (char c; end < bytes.size() && (c = bytes[end]) >= 0x20 && c < 0x7f && c != '\\' && c != quote;)
            ++end;
        char32_t code = static_cast<unsigned char>(bytes[i]);
        if (end == i && (end = i + sequence_at(bytes, i, code)) == i) {
            code = kNotUtf8;
            end = i + 1;
        }
        take(bytes.substr(i, end - i), code);
        i = end;
    }
}

bool control(char32_t code)
{
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

// What a terminal or a reader would not show as the character it is.
bool shown_as_is(char32_t code)
{
    if (control(code) || code == '\\' || code == 0x2028 || code == 0x2029)
        return false;
    const bool bidi = code == 0x061c || code == 0x200e || code == 0x200f || (code >= 0x202a && code <= 0x202e) ||
                      (code >= 0x2066 && code <= 0x2069);
    return !bidi;
}

} // namespace

bool valid_utf8(std::string_view text)
{
    char32_t code = 0;
    for (size_t i = 0, length = 0; i < text.size(); i += length) {
        if (static_cast<unsigned char>(text[i]) < 0x80)
            length = 1;
        else if ((length = sequence_at(text, i, code)) == 0)
            return false;
    }
    return true;
}

std::string printable(std::string_view bytes)
{
    std::string shown;
    shown.reserve(bytes.size());
    split(bytes, '\\', [&shown](std::string_view piece, char32_t code) {
        if (code != kNotUtf8 && shown_as_is(code)) {
            shown += piece;
            return;
        }
        for (const char c : piece) {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
            shown += escaped;
        }
    });
    return shown;
}

void append_json_string(std::string& out, std::string_view bytes)
{
    out += '"';
    split(bytes, '"', [&out](std::string_view piece, char32_t code) {
        switch (code) {
        case kNotUtf8: out += "\\ufffd"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (control(code) || code == 0x2028 || code == 0x2029) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(code));
                out += escaped;
            } else {
                out += piece;
            }
        }
    });
    out += '"';
}

std::string json_string(std::string_view bytes)
{
    std::string out;
    append_json_string(out, bytes);
    return out;
}

} // namespace hl
