// hlrun --gdb[=HOST:PORT] for a run and for hlrun call: listen, say where,
// wait for gdb before the guest's first instruction (hl/gdb.hpp).
#pragma once

#include "hlrun_options.hpp"

#include <hl/gdb.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

class HlrunGdb {
public:
    // "--gdb cannot be used with --profile..." when options combine them, else empty.
    static std::string refuse_combinations(const HlrunOptions& options);
    // Without --gdb: nothing. With it: listens (a bad address is status 120,
    // one that cannot be listened on 113, after one line), says
    // "waiting for gdb on ADDRESS: gdb IMAGE -ex 'target remote ADDRESS'"
    // and waits for gdb. Returns 0 or hlrun's exit status.
    int attach(const HlrunOptions& options, const std::string& image);
    // For SandboxOptions::gdb: null without --gdb.
    GdbServer* server() { return server_ ? &*server_ : nullptr; }
    // The connection, for the confined thread to receive from.
    std::vector<int> socket_fds() const;
    // hlrun call is done with the guest: gdb hears that it exited with status.
    void end(int status);

private:
    std::optional<GdbServer> server_;
};

} // namespace hl::cli
