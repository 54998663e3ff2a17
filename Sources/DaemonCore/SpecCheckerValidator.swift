public import Foundation
import Glibc
public import Logging
import Synchronization

/// Validates specs through a helper process, `kiln check-specs`, so the daemon process itself never maps
/// the engine, the plugins or oneDNN (`kilnd`, which `kiln serve` becomes, links none of them).
///
/// Validation needs every plugin's configuration type, and those live beside the engine in `kiln` (or in a
/// third party's `kiln` with more plugins). The helper is that `kiln`, answering one JSON line per spec
/// (`SpecCheckRequest` → `SpecCheckResponse`). It is started on the first spec and exits by itself after
/// `idleSeconds` without one, so an idle daemon is small, and a burst of drops pays one start.
///
/// If the helper cannot be started or does not answer, the spec is let through: `kiln run` validates it
/// again before anything runs and records `failed`/`invalid_spec`, so nothing invalid runs either way.
public final class SpecCheckerValidator: SpecValidating {
    private let arguments: [String]
    private let environment: [String: String]
    private let answerTimeout: Duration
    private let logger: Logger
    private let dataRoots: Mutex<[String]>
    private let helper = Mutex<Helper?>(nil)

    /// - Parameters:
    ///   - kiln: the `kiln` executable whose `check-specs` command validates.
    ///   - idleSeconds: how long the helper waits for another spec before it exits.
    ///   - answerTimeout: how long one answer may take before the helper is replaced.
    public init(
        kiln: String, dropDirectory: URL, dataRoots: [String], logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment, idleSeconds: Double = 60,
        answerTimeout: Duration = .seconds(60)
    ) {
        arguments = [
            kiln, "check-specs", "--drop", dropDirectory.standardizedFileURL.path, "--idle-seconds", "\(idleSeconds)",
        ]
        self.environment = environment.filter { !RunLaunch.removedVariables.contains($0.key) }
        self.answerTimeout = answerTimeout
        self.logger = logger
        self.dataRoots = Mutex(dataRoots)
    }

    deinit { helper.withLock { $0?.stop() } }

    public func reconfigure(dataRoots: [String]) { self.dataRoots.withLock { $0 = dataRoots } }

    /// The helper's pid while one is running (for tests).
    public var helperPID: Int32? { helper.withLock { $0?.pid } }

    public func validate(specAt url: URL, contents: Data) -> SpecVerdict {
        let request = SpecCheckRequest(spec: url.path, contents: contents, dataRoots: dataRoots.withLock { $0 })
        guard let line = try? JSONEncoder().encode(request) else { return .valid }
        return helper.withLock { helper in
            // Twice: the helper we had may have exited for idleness just as this spec came.
            for _ in 0..<2 {
                if helper == nil {
                    do { helper = try Helper.start(arguments, environment: environment) } catch {
                        logger.error("cannot start the spec checker", metadata: ["error": "\(error)"])
                        break
                    }
                }
                guard let current = helper else { break }
                if current.pipe.send(line, within: answerTimeout),
                    let answer = current.pipe.receive(within: answerTimeout),
                    let response = try? JSONDecoder().decode(SpecCheckResponse.self, from: answer)
                {
                    return response.verdict
                }
                current.stop()
                helper = nil
            }
            logger.warning(
                "spec not checked by the daemon; its run checks it", metadata: ["spec.path": "\(url.path)"])
            return .valid
        }
    }

    /// A running `kiln check-specs`: its pid, the socket to it, and a thread that reaps it when it exits.
    /// Used only under the validator's lock.
    private final class Helper {
        let pid: pid_t
        var pipe: LinePipe
        private let socket: Int32
        private let exit: ExitWatch
        private var stopped = false

        private init(pid: pid_t, socket: Int32) {
            self.pid = pid
            self.socket = socket
            pipe = LinePipe(input: socket, output: socket)
            exit = ExitWatch(pid: pid)
        }

        static func start(_ arguments: [String], environment: [String: String]) throws(DaemonError) -> Helper {
            // One socketpair, created close-on-exec in the same call (a run child spawned meanwhile by another
            // thread must not inherit our end); the helper gets its end as both stdin and stdout.
            var pair: [Int32] = [-1, -1]
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            guard socketpair(AF_UNIX, type, 0, &pair) == 0 else { throw .system("socketpair", errno: errno) }
            let (ours, theirs) = (pair[0], pair[1])
            defer { close(theirs) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, theirs, 0)
            posix_spawn_file_actions_adddup2(&actions, theirs, 1)
            do {
                let pid = try spawnInOwnGroup(arguments, environment: environment, actions: &actions, searchPath: false)
                return Helper(pid: pid, socket: ours)
            } catch {
                close(ours)
                throw error
            }
        }

        /// Closes our end (it exits at end of input) and makes sure it is gone. Idempotent.
        func stop() {
            guard !stopped else { return }
            stopped = true
            close(socket)
            exit.kill()
        }

        deinit { stop() }
    }

    /// Reaps the helper on a thread of its own as soon as it exits, so no zombie is left while the daemon
    /// idles, and never signals a pid after it was reaped (it could belong to someone else by then).
    private final class ExitWatch: Sendable {
        let pid: pid_t
        private let reaped = Mutex(false)

        init(pid: pid_t) {
            self.pid = pid
            let thread = Thread { [self] in
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
                reaped.withLock { done in
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    done = true
                }
            }
            thread.name = "kiln-spec-checker-\(pid)"
            thread.start()
        }

        /// SIGKILL unless it has already exited.
        func kill() {
            reaped.withLock { done in
                if !done { _ = Glibc.kill(pid, SIGKILL) }
            }
        }
    }
}
