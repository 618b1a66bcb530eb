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
    // Once the guest stopped: writes the core when the sandbox has one and
    // says where ("core file written to FILE"), or says why it could not;
    // otherwise leaves FILE as it was.
    void finish(const Sandbox& sandbox);

private:
    DeferredFile file_;
};

} // namespace hl::cli
