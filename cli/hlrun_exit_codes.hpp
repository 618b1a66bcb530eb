// hlrun's exit statuses, decided here and nowhere else (documented in hlrun(1)).
// A guest that exits passes its own status through (status & 255); hlrun's
// own endings use the codes below, chosen high so that ordinary guest
// statuses rarely collide with them.
#pragma once

#include <hl/sandbox.hpp>

namespace hl::cli {

enum HlrunExit : int {
    kExitCannotListen = 113,     // hlrun serve: the address cannot be listened on (in use, not ours)
    kExitSnapshotHost = 114,     // a snapshot file made on a CPU whose features this host lacks
    kExitSnapshotVersion = 115,  // a snapshot file of another format
    kExitSnapshotInvalid = 116,  // not a snapshot file, truncated or corrupted
    kExitOutputClosed = 117,     // the reader of stdout or stderr closed it
    kExitExitLimit = 118,        // --max-exits reached
    kExitCancelled = 119,        // cancelled through an InterruptHandle (library users; hlrun itself never does)
    kExitUsage = 120,            // bad flags or values, limits that cannot hold the image
    kExitImageUnreadable = 121,  // missing or unreadable image or snapshot file
    kExitImageInvalid = 122,     // not a valid hl image
    kExitHostError = 123,        // no usable /dev/kvm, or KVM failed
    kExitTimeout = 124,          // --timeout passed
    kExitGuestFault = 125,       // CPU exception or bad hypercall
    kExitGuestAbort = 126,       // abort() or a failed assert in the guest
};

inline int exit_code_for(const RunResult& result)
{
    switch (result.ending) {
    case RunResult::Ending::Exited: return result.exit_status & 0xff;
    case RunResult::Ending::Ready:      // a function guest initialised: success
    case RunResult::Ending::Returned: return 0;
    case RunResult::Ending::Cancelled: return kExitCancelled;
    case RunResult::Ending::Aborted: return kExitGuestAbort;
    case RunResult::Ending::Faulted: return kExitGuestFault;
    case RunResult::Ending::TimedOut: return kExitTimeout;
    case RunResult::Ending::ExitLimit: return kExitExitLimit;
    case RunResult::Ending::OutputClosed: return kExitOutputClosed;
    case RunResult::Ending::HostError: return kExitHostError;
    }
    return kExitHostError;
}

} // namespace hl::cli
