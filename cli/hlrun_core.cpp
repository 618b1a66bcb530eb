#include "hlrun_core.hpp"

#include "hlrun_common.hpp"
#include "logging.hpp"

namespace hl::cli {

std::string HlrunCore::configure(const std::string& path, const std::vector<std::string>& inputs)
{
    if (path.empty())
        return {};
    if (std::string error = output_is_input("--core", path, inputs); !error.empty())
        return error;
    if (const std::string error = file_.open(path); !error.empty())
        return "--core: " + error;
    return {};
}

void HlrunCore::finish(const Sandbox& sandbox)
{
    if (!file_.is_open())
        return;
    if (!sandbox.has_core()) {
        file_.discard();
        return;
    }
    std::string error;
    try {
        sandbox.write_core(file_.fd());
        error = file_.commit();
    } catch (const Error& e) {
        error = e.what();
    }
    if (error.empty())
        log_info("core file written to {}", file_.path());
    else
        log_error("--core: {}", error);
}

} // namespace hl::cli
