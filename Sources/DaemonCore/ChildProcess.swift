import Foundation
import Glibc

/// How a child process ended.
enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    /// It called `exit` with this code.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let sig): "ended by signal \(sig) (\(Self.signalName(sig)))"
        }
    }

    static func signalName(_ sig: Int32) -> String {
        switch sig {
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        case SIGINT: "SIGINT"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGBUS: "SIGBUS"
        case SIGPIPE: "SIGPIPE"
        case SIGXCPU: "SIGXCPU"
        default: "signal \(sig)"
        }
    }
}

/// A child started with `posix_spawn`, leading its own process group.
///
/// Why not Foundation's `Process`: it cannot reset signal dispositions or set a process group, and its
/// SIGCHLD handling is process-wide. Here the daemon waits for exactly its own pids.
struct ChildProcess: Sendable {
    /// The child's pid, which is also its process group id.
    let pid: pid_t

    /// Starts `arguments[0]` (looked up in `PATH` when it has no slash).
    ///
    /// - Parameters:
    ///   - environment: the child's complete environment.
    ///   - stdout, stderr: files the streams are appended to (created if missing).
    ///   - inheritedLock: a descriptor placed at fd 3 in the child (the run lock); every other
    ///     descriptor of the daemon is close-on-exec.
    static func spawn(
        arguments: [String], environment: [String: String], stdout: String, stderr: String, inheritedLock: Int32?
    ) throws(DaemonError) -> ChildProcess {
        guard !arguments.isEmpty else { throw .spawnFailed(program: "(empty command)", errno: EINVAL) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var lockCopy: Int32 = -1
        if let inheritedLock {
            // dup2 onto itself would keep close-on-exec set, so move the lock above 3 first.
            lockCopy = fcntl(inheritedLock, F_DUPFD_CLOEXEC, 10)
            if lockCopy >= 0 { posix_spawn_file_actions_adddup2(&actions, lockCopy, 3) }
        }
        defer { if lockCopy >= 0 { close(lockCopy) } }

        return ChildProcess(
            pid: try spawnInOwnGroup(arguments, environment: environment, actions: &actions, searchPath: true))
    }

    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Waits until the child has exited, without reaping it.
    ///
    /// Blocks a dedicated thread in `waitid(WNOWAIT)`, so no task of the cooperative pool is held.
    /// Leaving the child unreaped keeps its pid (and so its process group id) reserved: signals sent to
    /// the group after this returns cannot reach an unrelated process that reused the number.
    func waitUntilExited() async {
        let pid = self.pid
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
                done.resume()
            }
            thread.name = "kiln-wait-\(pid)"
            thread.start()
        }
    }

    /// Reaps the exited child and returns how it ended. Call after `waitUntilExited`.
    func reap() -> ChildExit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        // The WIFEXITED/WTERMSIG macros are not imported; these are their Linux definitions.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}
