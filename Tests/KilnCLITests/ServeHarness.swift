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
    private(set) var daemon: KilnProcess?
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
        let process = try KilnProcess(
            ["serve", "--drop", drop.path, "--config", settings.path, "--log-level", "debug"], in: scratch.url)
        daemon = process
        let ready = await eventually(timeout: 60) { self.daemonLog(process).contains("kiln serve ready") }
        try #require(ready && process.process.isRunning, "kiln serve did not start:\n\(daemonLog(process))")
    }

    /// `kill -9` of the daemon; returns once it is gone. Its runs live on (they lead their own process groups).
    func killDaemon() async {
        guard let daemon else { return }
        daemon.send(SIGKILL)
        _ = await daemon.wait(timeout: 60)
        self.daemon = nil
    }

    /// Stops the daemon with SIGTERM and returns its exit status.
    func stopDaemon() async -> Int32 {
        guard let daemon else { return -1 }
        daemon.send(SIGTERM)
        let result = await daemon.wait(timeout: 90)
        self.daemon = nil
        return result.status
    }

    /// The daemon's stderr so far (its log).
    func daemonLog(_ process: KilnProcess? = nil) -> String { (process ?? daemon)?.stderrSoFar() ?? "" }

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
func eventually(timeout: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
