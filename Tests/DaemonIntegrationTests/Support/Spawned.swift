import Foundation
import Glibc

/// A child process started with `posix_spawn` and reaped with `waitpid`.
///
/// Not Foundation's `Process`: with several tests starting and killing processes at once, its SIGCHLD
/// bookkeeping was seen to miss a `kill -9`'d child (left a zombie, `isRunning` stayed true and
/// `waitUntilExit` hung). Here each child is waited for by its own pid.
final class Spawned: @unchecked Sendable {  // `exitStatus` is written only by the task that owns the child
    let pid: pid_t
    let arguments: [String]
    private var exitStatus: Int32?

    /// Starts `arguments[0]` with `environment`; stdout and stderr go to the given files (appended).
    init(_ arguments: [String], environment: [String: String], stdout: String, stderr: String) throws {
        self.arguments = arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard rc == 0 else {
            throw TimedOut(description: "cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
    }

    /// The exit status once the child has exited (128 + N after signal N), else nil. Reaps it.
    func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7f
        exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return exitStatus
    }

    var isRunning: Bool { poll() == nil }

    /// Waits for the child to exit; kills it (and throws) after `timeout`.
    @discardableResult
    func wait(within timeout: Duration) async throws -> Int32 {
        if await eventually(timeout: timeout, { poll() != nil }), let status = poll() { return status }
        kill(pid, SIGKILL)
        _ = await eventually(timeout: .seconds(5)) { poll() != nil }
        throw TimedOut(description: "\(arguments.joined(separator: " ")) did not exit within \(timeout)")
    }

    deinit {
        if poll() == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}
