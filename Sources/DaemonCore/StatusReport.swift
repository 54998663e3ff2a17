public import Foundation
public import PluginAPI

/// `kiln status`: the state of every run, read from the run folders (so it works without talking to
/// the daemon, and shows what another daemon on the same directory does too).
public struct StatusReport: Sendable, Equatable {
    /// One run.
    public struct Row: Sendable, Codable, Equatable {
        /// `NAME` or `SUBFOLDER/NAME`.
        public var name: String
        /// The spec file.
        public var spec: String
        /// The run folder.
        public var runDirectory: String
        /// The recorded status; nil when `status.json` is missing or unreadable.
        public var status: RunStatus?
        /// True when a process holds the run's lock (a child is alive, or an admission is in progress).
        public var lockHeld: Bool

        private enum CodingKeys: String, CodingKey {
            case name, spec, status
            case runDirectory = "run_directory"
            case lockHeld = "lock_held"
        }
    }

    /// The runs, sorted by name.
    public var rows: [Row]

    /// Wraps rows (for rendering rows gathered some other way).
    public init(rows: [Row]) {
        self.rows = rows
    }

    /// Reads every `NAME.run/status.json` in the drop directory and its subfolders (archived
    /// `NAME.run.N` folders are left out).
    public static func collect(dropDirectory: URL) -> StatusReport {
        let drop = dropDirectory.standardizedFileURL
        let rows = JobLedger.runDirectories(in: drop).compactMap { directory -> Row? in
            guard let folder = RunFolder(runDirectory: directory, dropDirectory: drop) else { return nil }
            return Row(
                name: folder.name, spec: folder.spec.path, runDirectory: folder.directory.path,
                status: folder.readStatus(), lockHeld: RunLock.isHeld(runDirectory: folder.directory))
        }
        return StatusReport(rows: rows.sorted { $0.name < $1.name })
    }

    /// The report as a JSON document: `{"runs": [{"name": ..., "status": {...}, ...}]}`.
    public func renderJSON() throws -> String {
        struct Document: Encodable { var runs: [Row] }
        return String(decoding: try RunStatus.makeEncoder().encode(Document(runs: rows)), as: UTF8.self) + "\n"
    }

    /// The report as an aligned text table.
    ///
    /// A `running` run whose lock nobody holds, or whose heartbeat is older than `staleAfter` seconds,
    /// is shown as `running?`: its process is gone or hung.
    public func renderTable(now: Date = Date(), staleAfter: TimeInterval = 300, messageWidth: Int = 60) -> String {
        var table: [[String]] = [["NAME", "STATE", "STEP", "PROGRESS", "ELAPSED", "MESSAGE"]]
        for row in rows {
            guard let s = row.status else {
                table.append([row.name, "unknown", "-", "-", "-", "no readable \(RunStatus.fileName)"])
                continue
            }
            var state = s.state.rawValue
            if let failure = s.failure, s.state == .failed { state += ":" + failure.rawValue }
            if s.state == .running {
                let stale = s.heartbeatAt.map { now.timeIntervalSince($0) > staleAfter } ?? false
                if !row.lockHeld || stale { state = "running?" }
            }
            let step = s.step.map { step in s.totalSteps.map { "\(step)/\($0)" } ?? "\(step)" } ?? "-"
            let progress = s.progress.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            let elapsed = s.startedAt.map { Self.formatDuration((s.endedAt ?? now).timeIntervalSince($0)) } ?? "-"
            var message = (s.message ?? "").replacingOccurrences(of: "\n", with: " ")
            if message.count > messageWidth { message = String(message.prefix(messageWidth - 1)) + "…" }
            table.append([row.name, state, step, progress, elapsed, message])
        }
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { cells in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// `45s`, `12m05s`, `3h07m`, `2d04h`.
    static func formatDuration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        switch s {
        case ..<60: return "\(s)s"
        case ..<3600: return String(format: "%dm%02ds", s / 60, s % 60)
        case ..<86400: return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
        default: return String(format: "%dd%02dh", s / 86400, (s % 86400) / 3600)
        }
    }
}
