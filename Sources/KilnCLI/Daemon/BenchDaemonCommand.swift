import ArgumentParser
import Foundation
import Glibc

/// `kiln bench-daemon` (hidden): measures `kiln serve` itself with a fake child that only records when
/// it started.
///
/// 1. pick-up latency: from a spec's `rename` into the drop directory to the child's first command
///    (median, p99 over `--drops` drops, one at a time, each on an idle daemon);
/// 2. idle cost: CPU time and wake-ups of the daemon over `--idle-seconds` with nothing to do, and its RSS;
/// 3. throughput: `--burst` specs renamed in at once, until every run has succeeded.
///
/// The child is `bash` reading `$EPOCHREALTIME` (no `exec` of `date`), so the latency is the daemon's
/// intake, validation, bookkeeping and `posix_spawn`, plus one shell start-up.
struct BenchDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-daemon", abstract: "Benchmark kiln serve: pick-up latency, idle cost, throughput.",
        shouldDisplay: false)

    @Option(help: "Specs dropped one at a time for the latency.") var drops = 100
    @Option(help: "Specs dropped at once for the throughput.") var burst = 200
    @Option(help: "Seconds of idleness measured.") var idleSeconds = 10.0
    @Option(help: "Runs at once during the burst (the daemon's concurrency).")
    var concurrency = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Also write the results as JSON to this file.") var json: String?

    func run() throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kiln-bench-\(getpid())")
        let drop = root.appendingPathComponent("drop")
        let staging = root.appendingPathComponent("staging")
        for dir in [drop, staging] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: root) }
        let child = root.appendingPathComponent("child.sh")
        try Self.childScript.write(to: child, atomically: true, encoding: .utf8)
        let settings = root.appendingPathComponent("kiln.yaml")
        try """
        concurrency: \(concurrency)
        threads_per_run: 1
        command: [/bin/bash, \(child.path)]
        """.write(to: settings, atomically: true, encoding: .utf8)

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        daemon.arguments = ["serve", "--drop", drop.path, "--config", settings.path, "--log-level", "warning"]
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let pid = daemon.processIdentifier
        // The first drop doubles as the readiness probe (the startup scan is done once it runs).
        _ = try dropAndWait("warmup", drop: drop, staging: staging, timeout: 30)
        let fresh = try ProcSample(pid: pid)
        print(
            String(
                format: "kiln bench-daemon: after the first run RSS %.1f MB (%.1f MB private)", fresh.rssMB,
                fresh.anonMB))

        print("kiln bench-daemon: \(drops) drops, one at a time")
        var latencies: [Double] = []
        for i in 0..<drops {
            latencies.append(try dropAndWait("latency-\(i)", drop: drop, staging: staging, timeout: 10))
        }
        latencies.sort()
        let median = Self.percentile(latencies, 0.5)
        let p99 = Self.percentile(latencies, 0.99)
        print(
            String(
                format: "  pick-up latency: median %.1f ms, p99 %.1f ms, max %.1f ms", median, p99, latencies.last ?? 0)
        )

        Thread.sleep(forTimeInterval: 1)
        let before = try ProcSample(pid: pid)
        Thread.sleep(forTimeInterval: idleSeconds)
        let after = try ProcSample(pid: pid)
        let idleCPU = after.cpuSeconds - before.cpuSeconds
        let wakeups = after.switches(since: before)
        print(
            String(
                format: "  idle over %.0f s: CPU %.3f s, %d context switches in %d threads",
                idleSeconds, idleCPU, wakeups, after.switches.count))
        print(
            String(
                format: "  memory when idle: RSS %.1f MB (%.1f MB private, the rest shared library pages), PSS %.1f MB",
                after.rssMB, after.anonMB, after.pssMB))

        var names: [String] = []
        for i in 0..<burst {
            let name = "burst-\(i)"
            try Self.spec(name).write(
                to: staging.appendingPathComponent("\(name).yaml"), atomically: false, encoding: .utf8)
            names.append(name)
        }
        let start = Date()
        for name in names {
            guard
                rename(
                    staging.appendingPathComponent("\(name).yaml").path,
                    drop.appendingPathComponent("\(name).yaml").path) == 0
            else { throw CLIFailure("rename failed: \(String(cString: strerror(errno)))") }
        }
        var pending = Set(names)
        while !pending.isEmpty {
            guard Date().timeIntervalSince(start) < 120 else { throw CLIFailure("burst did not finish in 120 s") }
            Thread.sleep(forTimeInterval: 0.02)
            pending = pending.filter { !Self.succeeded(drop.appendingPathComponent("\($0).run")) }
        }
        let burstSeconds = Date().timeIntervalSince(start)
        let busy = try ProcSample(pid: pid)
        print(
            String(
                format:
                    "  throughput: %d specs in %.2f s (%.0f runs/s, concurrency %d); RSS after %.1f MB (peak %.1f MB)",
                burst, burstSeconds, Double(burst) / burstSeconds, concurrency, busy.rssMB, busy.peakRSSMB))

        let stopStart = Date()
        kill(pid, SIGTERM)
        daemon.waitUntilExit()
        let stopSeconds = Date().timeIntervalSince(stopStart)
        print(String(format: "  SIGTERM to exit: %.0f ms (status %d)", stopSeconds * 1000, daemon.terminationStatus))

        if let json {
            let results: [String: Double] = [
                "pickup_median_ms": median, "pickup_p99_ms": p99, "pickup_max_ms": latencies.last ?? 0,
                "idle_cpu_seconds": idleCPU, "idle_context_switches": Double(wakeups), "idle_seconds": idleSeconds,
                "idle_rss_mb": after.rssMB, "idle_private_mb": after.anonMB, "idle_pss_mb": after.pssMB,
                "peak_rss_mb": busy.peakRSSMB, "burst_specs": Double(burst),
                "burst_seconds": burstSeconds, "burst_runs_per_second": Double(burst) / burstSeconds,
                "stop_ms": stopSeconds * 1000,
            ]
            let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    /// Renames a fresh spec in and returns milliseconds until its child started; waits until it succeeded.
    private func dropAndWait(_ name: String, drop: URL, staging: URL, timeout: Double) throws -> Double {
        let staged = staging.appendingPathComponent("\(name).yaml")
        try Self.spec(name).write(to: staged, atomically: false, encoding: .utf8)
        let run = drop.appendingPathComponent("\(name).run")
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        guard rename(staged.path, drop.appendingPathComponent("\(name).yaml").path) == 0 else {
            throw CLIFailure("rename failed: \(String(cString: strerror(errno)))")
        }
        let dropped = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        let deadline = Date().addingTimeInterval(timeout)
        while !Self.succeeded(run) {
            guard Date() < deadline else {
                throw CLIFailure("\(name) did not succeed within \(timeout) s (see \(run.path))")
            }
            usleep(1000)
        }
        let text = try String(contentsOf: run.appendingPathComponent("started"), encoding: .utf8)
        guard let started = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIFailure("unreadable start time '\(text)'")
        }
        return (started - dropped) * 1000
    }

    private static func succeeded(_ run: URL) -> Bool {
        guard let data = try? Data(contentsOf: run.appendingPathComponent("status.json")) else { return false }
        return String(decoding: data, as: UTF8.self).contains("\"succeeded\"")
    }

    /// A small spec of the example's shape, unique per name.
    static func spec(_ name: String) -> String {
        """
        # \(name)
        data: {dataset: data.spirals}
        model: {plugin: model.mlp, hidden: [8]}
        optimizer: {plugin: optim.adamw}
        train: {method: train.supervised, steps: 1}

        """
    }

    static let childScript = """
        #!/bin/bash
        echo "$EPOCHREALTIME" > "$KILN_RUN_DIR/started"
        printf '{"state":"succeeded","spec_hash":"%s","attempt":%d}\\n' "$KILN_SPEC_HASH" "$KILN_ATTEMPT" \\
          > "$KILN_RUN_DIR/.status.tmp" && mv -f "$KILN_RUN_DIR/.status.tmp" "$KILN_RUN_DIR/status.json"

        """

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
    }
}

/// CPU time, context switches and memory of a process, from `/proc`.
private struct ProcSample {
    var cpuSeconds: Double
    /// Context switches per thread (task id → voluntary + involuntary).
    var switches: [String: Int]
    var rssMB: Double
    var anonMB: Double
    var peakRSSMB: Double
    /// Proportional set size: shared library pages divided among the processes mapping them.
    var pssMB: Double

    init(pid: Int32) throws {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        cpuSeconds = (Double(fields[11]) ?? 0) / ticks + (Double(fields[12]) ?? 0) / ticks
        func kilobytes(_ key: String, in text: String) -> Double {
            let line = text.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
            return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        rssMB = kilobytes("VmRSS", in: status) / 1024
        anonMB = kilobytes("RssAnon", in: status) / 1024
        peakRSSMB = kilobytes("VmHWM", in: status) / 1024
        let rollup = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
        pssMB = kilobytes("Pss", in: rollup) / 1024
        switches = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else {
                continue
            }
            switches[task] = Int(
                kilobytes("voluntary_ctxt_switches", in: text) + kilobytes("nonvoluntary_ctxt_switches", in: text))
        }
    }

    /// Context switches since `earlier`, over the threads alive now (a thread started since counts from 0).
    func switches(since earlier: ProcSample) -> Int {
        switches.reduce(0) { $0 + $1.value - (earlier.switches[$1.key] ?? 0) }
    }
}
