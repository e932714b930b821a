// The sandboxed program's seccomp filter (seccomp_policy.cpp has the table and why).
#pragma once

#include <string>

namespace qeval::core::sandbox {

// Installs the filter on the calling thread (after PR_SET_NO_NEW_PRIVS); returns "" or what failed. Called in the
// forked child before execve: it allocates, so only where the parent was single-threaded or the child owns its heap.
std::string install_seccomp_policy();

// The same filter as classic BPF (struct sock_filter[], what seccomp(SECCOMP_SET_MODE_FILTER) takes), for the warm
// interpreters to install in their programs (zygote.py); "" with `error` set when it cannot be built.
std::string seccomp_policy_bpf(std::string& error);

} // namespace qeval::core::sandbox
