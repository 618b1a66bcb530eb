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
    try {
        sandbox.write_core(file_.fd());
        error_ = file_.commit();
    } catch (const Error& e) {
        error_ = e.what();
        file_.discard();
    }
    written_ = error_.empty();
}

void HlrunCore::report() const
{
    if (written_)
        log_info("core file written to {}", file_.path());
    else if (!error_.empty())
        log_error("--core: {}", error_);
}

} // namespace hl::cli
