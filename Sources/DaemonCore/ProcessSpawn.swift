import Glibc

/// Starts `arguments[0]` with `actions` in a process group of its own, with default signal dispositions and an
/// empty signal mask; returns its pid.
///
/// Own group: signals sent to the group reach the child's helpers too, and a Ctrl-C at the daemon's terminal
/// does not hit the children directly. Defaults and an empty mask: the daemon ignores SIGPIPE and may block or
/// ignore SIGTERM, and a spawned process would inherit both.
func spawnInOwnGroup(
    _ arguments: [String], environment: [String: String], actions: inout posix_spawn_file_actions_t,
    searchPath: Bool
) throws(DaemonError) -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for sig in 1..<Int32(32) where sig != SIGKILL && sig != SIGSTOP { sigaddset(&defaults, sig) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
        &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for p in argv { free(p) }
        for p in envp { free(p) }
    }
    var pid: pid_t = 0
    var rc: Int32 = 0
    // "Text file busy": the program is open for writing somewhere, often only for the instant another thread's
    // fork holds a copy of a descriptor (or while `kiln` is being replaced); it passes within milliseconds.
    for attempt in 0..<5 {
        if attempt > 0 { usleep(20_000) }
        rc =
            searchPath
            ? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
            : posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        if rc != ETXTBSY { break }
    }
    guard rc == 0 else { throw .spawnFailed(program: arguments[0], errno: rc) }
    return pid
}
