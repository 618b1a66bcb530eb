#include <hl/version.hpp>

namespace hl {

const char* version()
{
    return HL_VERSION;
}

} // namespace hl
