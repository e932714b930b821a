// The sandboxed program's seccomp filter (seccomp_policy.cpp has the table and why).
#pragma once

#include <string>

namespace qeval::core::sandbox {

// Installs the filter on the calling thread (after PR_SET_NO_NEW_PRIVS); returns "" or what failed. Called in the
// forked child before execve: it allocates, so only where the parent was single-threaded or the child owns its heap.
std::string install_seccomp_policy();

} // namespace qeval::core::sandbox
