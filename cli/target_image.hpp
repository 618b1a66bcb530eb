// hlbuild's last step: the image it linked, checked by hl::Image, the
// validator hlrun uses, for the target it was built for.
#pragma once

#include "guest_target.hpp"

#include <filesystem>

namespace hl::cli {

// Throws hl::ImageError ("IMAGE: FIELD: problem, expected ...") for the first
// rule of hl-abi(7) the image at `path` breaks as an image of `target`.
void validate_image(const std::filesystem::path& path, Target target);

} // namespace hl::cli
