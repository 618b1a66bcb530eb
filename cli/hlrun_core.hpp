// hlrun --core FILE: an ELF core file of a guest that faults, aborts, times
// out or reaches its exit limit (hl/core_file.hpp), written after the run or
// call ended so. FILE is made through a DeferredFile, since hlrun confines
// itself before the guest runs: it appears whole, and only then.
#pragma once

#include "deferred_file.hpp"

#include <hl/sandbox.hpp>

#include <string>
#include <vector>

namespace hl::cli {

class HlrunCore {
public:
    // Prepares FILE now, so that one that cannot be written is said before
    // the guest runs. `inputs` are files it must not be (the image). An empty
    // path writes no core. Returns an error, or empty.
    std::string configure(const std::string& path, const std::vector<std::string>& inputs);
    // Once the guest stopped, before hlrun's last lines (whose deadline
    // signals would cut it short): writes the core when the sandbox has one;
    // otherwise leaves FILE as it was.
    void finish(const Sandbox& sandbox);
    // After the line that says how the guest stopped: where the core went
    // ("core file written to FILE"), or why it could not be written.
    void report() const;
    // The core file written, or empty.
    std::string written_path() const { return written_ ? file_.path() : std::string(); }

private:
    DeferredFile file_;
    bool written_ = false;
    std::string error_;
};

} // namespace hl::cli
