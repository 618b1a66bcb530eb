// What an incremental build needs to rebuild: an output is stale when it is
// missing, when the command that made it changed (flags, compiler, toolchain:
// the command line and the compiler's identity are kept beside the output as
// OUTPUT.cmd), or when an input it was made from (the compiler's depfile for
// an object, the objects, script and libraries for an image) is newer.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hl::cli {

// The prerequisites of a make-syntax depfile as compilers write it with -MD
// ("out.o: src/a.c include/a.h \\\n  /usr/include/stdio.h"), escaped spaces
// and '$$' undone; nullopt when the text is not one.
std::optional<std::vector<std::string>> parse_depfile(std::string_view text);

// Why `output` must be made again, or nullopt when it is up to date:
// "no OUTPUT yet", "its command changed", "INPUT changed" (or is gone).
// `signature` is the command and what identifies its tools; `inputs` the
// files it was made from (for an object: the depfile's are read and added).
std::optional<std::string> why_stale(const std::filesystem::path& output, const std::string& signature,
                                     const std::vector<std::filesystem::path>& inputs,
                                     const std::optional<std::filesystem::path>& depfile);

// Records the signature beside a freshly made output (OUTPUT.cmd); false if
// it cannot be written (the next build then makes it again).
bool record_signature(const std::filesystem::path& output, const std::string& signature);

// Writes text to path only when it differs from what is there, so that a
// generated source that did not change leaves its object up to date.
// Returns false when it cannot be written.
bool write_if_changed(const std::filesystem::path& path, const std::string& text);

} // namespace hl::cli
