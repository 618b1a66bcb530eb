// Validating an image for its target (see target_image.hpp).
#include "target_image.hpp"

#include <hl/image.hpp>

namespace hl::cli {

void validate_image(const std::filesystem::path& path, Target target)
{
    hl::Image::load(path, target == Target::Aarch64 ? hl::Architecture::Aarch64 : hl::Architecture::X86_64);
}

} // namespace hl::cli
