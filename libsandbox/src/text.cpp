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

// The length of the run of printable ASCII at text[at] without a backslash
// or `quote`: most text is that, and a run is copied in one go.
size_t ascii_run(std::string_view text, size_t at, char quote)
{
    size_t end = at;
    for (char c; end < text.size() && (c = text[end]) >= 0x20 && c < 0x7f && c != '\\' && c != quote;)
        ++end;
    return end - at;
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
    for (size_t i = 0; i < bytes.size();) {
        if (const size_t run = ascii_run(bytes, i, '\\')) {
            shown.append(bytes.substr(i, run));
            i += run;
            continue;
        }
        char32_t code = 0;
        const size_t length = sequence_at(bytes, i, code);
        if (length && shown_as_is(code)) {
            shown.append(bytes.substr(i, length));
            i += length;
            continue;
        }
        // A sequence shown escaped, or one byte that starts no valid sequence.
        for (const size_t end = i + (length ? length : 1); i < end; ++i) {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(bytes[i]));
            shown += escaped;
        }
    }
    return shown;
}

void append_json_string(std::string& out, std::string_view bytes)
{
    out += '"';
    for (size_t i = 0; i < bytes.size();) {
        if (const size_t run = ascii_run(bytes, i, '"')) {
            out.append(bytes.substr(i, run));
            i += run;
            continue;
        }
        char32_t code = 0;
        const size_t length = sequence_at(bytes, i, code);
        if (length == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        switch (code) {
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
                out.append(bytes.substr(i, length));
            }
        }
        i += length;
    }
    out += '"';
}

std::string json_string(std::string_view bytes)
{
    std::string out;
    append_json_string(out, bytes);
    return out;
}

} // namespace hl
