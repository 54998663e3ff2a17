#ifndef KILN_STOP_SIGNALS_H
#define KILN_STOP_SIGNALS_H

/// Installs a handler for SIGTERM and SIGINT that writes the signal number, as one byte, to `fd` (the write end
/// of a non-blocking pipe) and does nothing else. Returns 0, or -1 with errno set.
///
/// Written in C because a signal handler may run in any thread at any instruction, in the middle of malloc
/// included: it must not allocate, lock or touch lazily initialised state, which Swift code cannot promise.
int kiln_install_stop_handler(int fd);

#endif
