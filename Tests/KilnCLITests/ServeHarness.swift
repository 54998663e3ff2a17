import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A drop directory with a real `kiln serve` on it whose runs are real `kiln run` children (no `command:`
/// override), for the crash tests that compare a resumed run's final state with an uninterrupted one.
///
/// The daemon runs one spec at a time with two threads per run, so a reference run and a crashed run see the
/// same thread budget and their checkpoints can be compared bit for bit.
final class ServeHarness {
    let scratch: Scratch
    let drop: URL
    private let staging: URL
    private let settings: URL
    private(set) var daemon: DaemonProcess?
    private var starts = 0

    /// - Parameter rescanSeconds: the daemon's rescan period (how soon it notices a run another process let go).
    init(rescanSeconds: Double = 300) throws {
        scratch = try Scratch()
        drop = scratch.url.appendingPathComponent("drop")
        staging = scratch.url.appendingPathComponent("staging")
        for dir in [drop, staging] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        settings = try scratch.write(
            "kiln.yaml",
            """
            concurrency: 1
            threads_per_run: 2
            checkpoint_retention: 3
            grace_period_seconds: 5
            shutdown_deadline_seconds: 20
            debounce_seconds: 0.05
            rescan_period_seconds: \(rescanSeconds)

            """)
    }

    deinit {
        // A failed test may leave a daemon or an orphaned run behind; end both (the run leads its own group).
        daemon?.send(SIGKILL)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: drop.path)) ?? []
        for name in names where name.hasSuffix(".run") {
            if let pid = childPID(String(name.dropLast(4))), isKilnRun(pid) { kill(-pid, SIGKILL) }
        }
    }

    /// Starts `kiln serve` and waits until it has scanned the drop directory (its startup log line says so).
    func start() async throws {
        starts += 1
        let log = scratch.url.appendingPathComponent("serve-\(starts).log")
        let process = try DaemonProcess(
            [
                KilnProcess.executable.path, "serve", "--drop", drop.path, "--config", settings.path, "--log-level",
                "debug",
            ], log: log)
        daemon = process
        let ready = await eventually(timeout: 60) { process.log().contains("kiln serve ready") }
        try #require(ready && process.exitStatus() == nil, "kiln serve did not start:\n\(process.log())")
    }

    /// `kill -9` of the daemon; returns once it is gone. Its runs live on (they lead their own process groups).
    ///
    /// With `orphaning`, `then` runs as soon as that run has been handed to a new parent, which the kernel does
    /// the instant the daemon dies, so it acts on the orphan before it gets much further (waiting for the daemon
    /// to be reaped first can take a while on a loaded machine).
    func killDaemon(orphaning child: Int32? = nil, then act: () -> Void = {}) async {
        guard let daemon else { return }
        daemon.send(SIGKILL)
        if let child {
            _ = await eventually(timeout: 60, pause: .milliseconds(1)) { Self.parent(of: child) != daemon.pid }
        }
        act()
        _ = await daemon.wait(timeout: 60)
        self.daemon = nil
    }

    /// The parent pid of `pid` (from `/proc/PID/stat`), nil once it is gone.
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state, then ppid.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Stops the daemon with SIGTERM and returns its exit status.
    func stopDaemon() async -> Int32 {
        guard let daemon else { return -1 }
        daemon.send(SIGTERM)
        let status = await daemon.wait(timeout: 90)
        self.daemon = nil
        return status ?? -1
    }

    /// The current daemon's log (stdout and stderr) so far.
    func daemonLog() -> String { daemon?.log() ?? "" }

    /// Writes a spec in the staging folder and renames it into the drop directory.
    func drop(_ name: String, _ text: String) throws {
        let staged = staging.appendingPathComponent(UUID().uuidString)
        try Data(text.utf8).write(to: staged)
        let target = drop.appendingPathComponent("\(name).yaml")
        try #require(rename(staged.path, target.path) == 0, "rename: errno \(errno)")
    }

    func run(_ name: String) -> URL { drop.appendingPathComponent("\(name).run") }

    /// The run's `status.json` as a dictionary.
    func status(_ name: String) -> [String: Any]? {
        guard let data = try? Data(contentsOf: run(name).appendingPathComponent("status.json")) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    func state(_ name: String) -> String? { status(name)?["state"] as? String }

    /// The pid the run's child recorded.
    func childPID(_ name: String) -> Int32? { (status(name)?["pid"] as? NSNumber)?.int32Value }

    /// Waits for a live `kiln run` of the run other than `other` (a new attempt); its pid.
    func waitForChild(_ name: String, other: Int32? = nil, timeout: Double = 300) async -> Int32? {
        var found: Int32?
        _ = await eventually(timeout: timeout) {
            guard state(name) == "running", let pid = childPID(name), pid != other, isKilnRun(pid) else { return false }
            found = pid
            return true
        }
        return found
    }

    /// Edits the run's `status.json` (while nothing runs it).
    func rewriteStatus(_ name: String, _ change: (inout [String: Any]) -> Void) throws {
        var object = try #require(status(name))
        change(&object)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: run(name).appendingPathComponent("status.json"), options: .atomic)
    }

    /// The run's `run.log`.
    func runLog(_ name: String) -> String {
        (try? String(contentsOf: run(name).appendingPathComponent("run.log"), encoding: .utf8)) ?? ""
    }

    /// `kiln wait NAME` (generous timeout); its exit status, with the run's log attached on failure.
    func waitForEnd(_ name: String, timeout: Double = 600) async throws -> Int32 {
        let result = try await KilnProcess.run(
            ["wait", name, "--drop", drop.path, "--timeout", "\(Int(timeout))"], in: scratch.url,
            timeout: timeout + 30)
        return result.status
    }

    /// True while some process holds the run's lock (its child, or a daemon deciding about it).
    func lockHeld(_ name: String) -> Bool {
        let fd = open(run(name).appendingPathComponent("lock").path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }

    /// True when `pid` is a `kiln run` of this harness's drop directory (pids are reused).
    func isKilnRun(_ pid: Int32) -> Bool {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return false }
        let words = String(decoding: data, as: UTF8.self).split(separator: "\0")
        return words.contains("run") && words.contains { $0.hasPrefix(drop.path) }
    }

    /// Waits until the run's child reports training progress at `step` or later; the step seen (0 if it ended first).
    func waitForStep(_ step: Int, of name: String, timeout: Double = 300) async -> Int {
        let file = run(name).appendingPathComponent("metrics.jsonl")
        var seen = 0
        _ = await eventually(timeout: timeout) {
            if let text = try? String(contentsOf: file, encoding: .utf8), text.hasSuffix("\n"),
                let line = text.split(separator: "\n").last,
                let range = line.range(of: #"^\{"step":(\d+)"#, options: .regularExpression)
            {
                seen = Int(line[range].dropFirst(8)) ?? seen
            }
            return seen >= step || (state(name).map { $0 != "running" && $0 != "queued" } ?? false)
        }
        return seen
    }
}

/// Re-checks `condition` every 20 ms until it holds (true) or `timeout` seconds pass (false). The timeouts are
/// generous: a loaded machine makes everything slow, and nothing here asserts how long a step took.
func eventually(timeout: Double, pause: Duration = .milliseconds(20), _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: pause)
    }
    return condition()
}

/// `kiln serve` as a child of the test, started with `posix_spawn` and waited for with `waitpid` on its own pid.
///
/// Not Foundation's `Process`: after a `kill -9` of the daemon it was seen to miss the exit (the daemon stayed a
/// zombie, `isRunning` true, `waitUntilExit` hung), presumably because the daemon's own children are reparented
/// and reaped around it.
final class DaemonProcess {
    let pid: pid_t
    private let logFile: URL
    private var status: Int32?

    init(_ arguments: [String], log: URL) throws {
        logFile = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "KILN_DROP", "JOURNAL_STREAM"] {
            environment[key] = nil
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard rc == 0 else { throw TrapError(description: "cannot start \(arguments[0]): errno \(rc)") }
        self.pid = pid
    }

    deinit {
        if exitStatus() == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            waitpid(pid, &raw, 0)
        }
    }

    func send(_ signal: Int32) { kill(pid, signal) }

    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The exit status once it has exited (128 + N after signal N), else nil; reaps it.
    func exitStatus() -> Int32? {
        if let status { return status }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return status
    }

    /// Waits for it to exit (at most `timeout` seconds); its exit status, nil if it is still running.
    func wait(timeout: Double) async -> Int32? {
        _ = await eventually(timeout: timeout) { exitStatus() != nil }
        return exitStatus()
    }
}
