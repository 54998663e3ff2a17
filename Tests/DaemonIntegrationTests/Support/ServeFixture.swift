import Foundation
import Glibc
import Testing

/// A temporary drop directory, a fake `kiln run` and a real `kiln serve` process on them.
///
/// The fake child is `/bin/sh` reading what to do from a `# fake: MODE` comment in the spec:
/// nothing (succeed at once), `hold` (run until `NAME.run/release` appears), `stubborn` (`hold`, but
/// ignoring SIGTERM), `fail`. It appends `attempt=N resume=R` lines to `run.log` and `attempts`, and
/// writes `status.json` the way `kiln run` does (temp file, rename).
final class ServeFixture: @unchecked Sendable {  // mutated only by the one test that owns it
    let root: URL
    let drop: URL
    let staging: URL
    let settings: URL
    let notify: NotifySocket
    private(set) var daemon: Spawned?
    private(set) var daemonLog: URL

    init(_ label: String, settings extra: String = "") throws {
        var template = Array("/tmp/kiln-it-\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TimedOut(description: "mkdtemp failed")
        }
        root = URL(fileURLWithPath: String(cString: made), isDirectory: true)
        drop = root.appendingPathComponent("drop")
        staging = root.appendingPathComponent("staging")
        for dir in [drop, staging] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        let child = root.appendingPathComponent("fake-run.sh")
        try Self.fakeChild.write(to: child, atomically: true, encoding: .utf8)
        settings = root.appendingPathComponent("kiln.yaml")
        try """
        command: [/bin/sh, \(child.path), "{spec}"]
        concurrency: 2
        threads_per_run: 1
        grace_period_seconds: 1
        shutdown_deadline_seconds: 2
        debounce_seconds: 0.05
        \(extra)
        """.write(to: settings, atomically: true, encoding: .utf8)
        notify = try NotifySocket(path: root.appendingPathComponent("notify.sock").path)
        daemonLog = root.appendingPathComponent("serve-0.log")
    }

    deinit {
        // A fake child orphaned by a failed test is ended through its process group, but only after
        // checking that the pid still is that child (pids are reused).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: drop.path)) ?? [] where name.hasSuffix(".run")
        {
            if let pid = Self.childPID(drop.appendingPathComponent(name)), isFakeChild(pid) { kill(-pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: root)
    }

    /// Starts `kiln serve` and waits for its READY=1 (the startup scan is done).
    func start(environment: [String: String] = [:], starts: Int = 0) async throws {
        daemonLog = root.appendingPathComponent("serve-\(starts).log")
        let process = try Spawned(
            [
                KilnExecutable.url!.path, "serve", "--drop", drop.path, "--config", settings.path, "--log-level",
                "debug",
            ],
            environment: kilnEnvironment(["NOTIFY_SOCKET": notify.path].merging(environment) { $1 }),
            stdout: daemonLog.path, stderr: daemonLog.path)
        daemon = process
        var seen: [String] = []
        let ready = await eventually(timeout: .seconds(15)) {
            seen += notify.drain()
            return seen.contains { $0.hasPrefix("READY=1") } || !process.isRunning
        }
        notifications = seen
        guard ready, process.isRunning else {
            throw TimedOut(description: "kiln serve did not become ready:\n\(log())")
        }
    }

    /// Notification messages received so far (call `collectNotifications` to add new ones).
    private(set) var notifications: [String] = []

    /// Adds newly arrived notifications and returns all of them.
    @discardableResult
    func collectNotifications() -> [String] {
        notifications += notify.drain()
        return notifications
    }

    /// The daemon's log so far.
    func log() -> String { (try? String(contentsOf: daemonLog, encoding: .utf8)) ?? "" }

    /// Writes a spec beside the drop directory and renames it in.
    @discardableResult
    func drop(_ name: String, _ text: String) throws -> URL {
        let staged = staging.appendingPathComponent(UUID().uuidString)
        try text.write(to: staged, atomically: false, encoding: .utf8)
        let target = drop.appendingPathComponent("\(name).yaml")
        guard rename(staged.path, target.path) == 0 else { throw TimedOut(description: "rename: errno \(errno)") }
        return target
    }

    /// A valid spec for the fake child (and of the real spec format), with a fake mode.
    static func spec(_ mode: String = "succeed", steps: Int = 5) -> String {
        """
        # fake: \(mode)
        data: {dataset: data.spirals}
        model: {plugin: model.mlp}
        optimizer: {plugin: optim.adamw}
        train: {method: train.supervised, steps: \(steps)}

        """
    }

    func run(_ name: String) -> URL { drop.appendingPathComponent("\(name).run") }

    /// `state` from the run's status.json, or nil.
    func state(_ name: String) -> String? {
        guard let data = try? Data(contentsOf: run(name).appendingPathComponent("status.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["state"] as? String
    }

    /// Waits until the run's state is `state`.
    func waitFor(_ name: String, _ state: String, timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout) { self.state(name) == state }
    }

    /// Waits until a `hold` or `stubborn` child is in its loop (its status, pid and signal handling set).
    func waitForChild(_ name: String, timeout: Duration = .seconds(10)) async -> Bool {
        let log = run(name).appendingPathComponent("run.log")
        return await eventually(timeout: timeout) {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("step 1\n")
        }
    }

    /// Lets a `hold` child finish.
    func release(_ name: String) throws {
        try Data().write(to: run(name).appendingPathComponent("release"))
    }

    /// Lines the fake child appended to `attempts` ("ATTEMPT RESUME").
    func attempts(_ name: String) -> [String] {
        ((try? String(contentsOf: run(name).appendingPathComponent("attempts"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// Sends `signal` to the daemon.
    func signal(_ signal: Int32) {
        if let daemon { kill(daemon.pid, signal) }
    }

    /// Waits for the daemon to exit; its exit status.
    func waitForExit(within timeout: Duration) async throws -> Int32 {
        guard let daemon else { return -1 }
        return try await daemon.wait(within: timeout)
    }

    /// True when `pid` runs this fixture's fake child.
    func isFakeChild(_ pid: Int32) -> Bool {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return false }
        return String(decoding: data, as: UTF8.self).contains(root.appendingPathComponent("fake-run.sh").path)
    }

    /// The pid the fake child recorded (it leads its own process group).
    static func childPID(_ run: URL) -> Int32? {
        guard let data = try? Data(contentsOf: run.appendingPathComponent("status.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return (object["pid"] as? NSNumber)?.int32Value
    }

    static let fakeChild = """
        #!/bin/sh
        # Stands in for `kiln run SPEC`: behaviour from the spec's "# fake: MODE" line.
        status() {
          printf '{"state":"%s","spec_hash":"%s","pid":%d,"attempt":%d%s}\\n' \\
            "$1" "$KILN_SPEC_HASH" $$ "$KILN_ATTEMPT" "$2" > "$KILN_RUN_DIR/.status.tmp" \\
            && mv -f "$KILN_RUN_DIR/.status.tmp" "$KILN_RUN_DIR/status.json"
        }
        mode=$(sed -n 's/^# fake: //p' "$1")
        echo "attempt=$KILN_ATTEMPT resume=$KILN_RESUME lock_fd=$KILN_LOCK_FD threads=$KILN_THREADS" >> "$KILN_RUN_DIR/run.log"
        echo "$KILN_ATTEMPT $KILN_RESUME" >> "$KILN_RUN_DIR/attempts"
        status running ',"step":0'
        case "$mode" in
          stubborn) trap '' TERM ;;
        esac
        case "$mode" in
          hold|stubborn)
            i=0
            while [ ! -e "$KILN_RUN_DIR/release" ]; do
              i=$((i + 1)); echo "step $i" >> "$KILN_RUN_DIR/run.log"; sleep 0.05
            done ;;
          fail) echo "failing" >> "$KILN_RUN_DIR/run.log"; status failed ',"failure":"plugin_error"'; exit 1 ;;
        esac
        echo "done" >> "$KILN_RUN_DIR/run.log"
        status succeeded ',"step":5'

        """
}
