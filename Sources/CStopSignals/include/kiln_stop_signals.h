#ifndef KILN_STOP_SIGNALS_H
#define KILN_STOP_SIGNALS_H

/// Takes over SIGTERM and SIGINT for `kiln run`; returns a signalfd that reads them, or -1 with errno set.
///
/// - Blocks both in the calling thread, so every thread it starts afterwards (the engine's OpenMP workers
///   included) inherits the block and a signal never interrupts a compute kernel: it stays pending until the
///   signalfd is read. (Signals landing in oneDNN's matrix kernels on worker threads were seen to corrupt the heap.)
/// - Installs a handler for any thread that already existed with the signals unblocked: it writes the signal
///   number, as one byte, to `fd` (the write end of a non-blocking pipe) and does nothing else, so it is
///   async-signal-safe. It also means an inherited "ignore" disposition no longer discards the signals.
int kiln_trap_stop_signals(int fd);

/// Reads one signal from a signalfd made by `kiln_trap_stop_signals`: its number, or -1.
int kiln_read_stop_signal(int signal_fd);

/// Takes a SIGTERM or SIGINT pending for the process (or the calling thread, which must block both) without
/// waiting: its number, or -1 when none is. The watcher's check for a signal its descriptors did not report.
int kiln_take_pending_stop_signal(void);

#endif
