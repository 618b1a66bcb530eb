// What a confined thread's forbidden system call prints (see hl/confine.hpp):
// a SIGSYS handler that writes one line naming the call and ends the process.
// Not installed.
#pragma once

#include <hl/confine.hpp>

#include <string>
#include <vector>

namespace hl {

// Installs the process's SIGSYS handler (once) and makes the calling
// thread's reports start with `program` and end the process with
// exit_status. Must run before the filter is loaded: it allocates, reads
// libseccomp's tables and calls sigaction, none of which the filter allows.
// Throws ConfineError if the handler cannot be installed.
// records: also written on a violation (hl/confine.hpp); at most four.
void arm_seccomp_report(const std::string& program, int exit_status, const std::vector<ViolationRecord>& records);

} // namespace hl
