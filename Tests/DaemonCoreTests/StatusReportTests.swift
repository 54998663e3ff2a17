import Foundation
import PluginAPI
import Testing

@testable import DaemonCore

@Suite struct StatusReportTests {
    @Test func collectsRunFoldersAndRendersATable() throws {
        let root = try TempDirectory("report")
        defer { root.remove() }
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let drop = root.url
        let sub = try root.directory("team")
        func seed(_ dir: URL, _ name: String, _ status: RunStatus) throws {
            let folder = RunFolder(spec: dir.appendingPathComponent(name + ".yaml"), dropDirectory: drop)
            try folder.create()
            try folder.writeStatus(status)
        }
        try seed(
            drop, "alpha",
            RunStatus(
                state: .running, specHash: "sha256:1", step: 250, totalSteps: 1000, progress: 0.25,
                startedAt: now.addingTimeInterval(-725), heartbeatAt: now.addingTimeInterval(-3), pid: 1,
                message: "epoch 2"))
        try seed(
            drop, "beta",
            RunStatus(
                state: .failed, specHash: "sha256:2", failure: .nonFiniteLoss, step: 17,
                startedAt: now.addingTimeInterval(-4000),
                endedAt: now.addingTimeInterval(-3990), message: "loss is NaN at step 17"))
        try seed(sub, "gamma", RunStatus(state: .queued, specHash: "sha256:3", message: "queued"))
        try FileManager.default.createDirectory(
            at: drop.appendingPathComponent("beta.run.1"), withIntermediateDirectories: false)

        let report = StatusReport.collect(dropDirectory: drop)
        #expect(report.rows.map(\.name) == ["alpha", "beta", "team/gamma"])
        let table = report.renderTable(now: now)
        // alpha claims to be running but nobody holds its lock: shown as doubtful.
        #expect(
            table == """
                NAME        STATE                   STEP      PROGRESS  ELAPSED  MESSAGE
                alpha       running?                250/1000  25.0%     12m05s   epoch 2
                beta        failed:non_finite_loss  17        -         10s      loss is NaN at step 17
                team/gamma  queued                  -         -         -        queued

                """)

        let json = try report.renderJSON()
        struct Document: Decodable {
            struct Row: Decodable {
                var name: String
                var lock_held: Bool
                var status: RunStatus?
            }
            var runs: [Row]
        }
        let decoded = try RunStatus.makeDecoder().decode(Document.self, from: Data(json.utf8))
        #expect(decoded.runs.map(\.name) == ["alpha", "beta", "team/gamma"])
        #expect(decoded.runs[1].status?.failure == .nonFiniteLoss && decoded.runs[0].lock_held == false)
    }

    @Test func durationsAreCompact() {
        #expect(StatusReport.formatDuration(45) == "45s")
        #expect(StatusReport.formatDuration(3 * 3600 + 7 * 60 + 5) == "3h07m")
        #expect(StatusReport.formatDuration(2 * 86400 + 4 * 3600) == "2d04h")
    }

    @Test func runNamesAsUsersTypeThem() {
        let drop = URL(fileURLWithPath: "/srv/drop")
        for name in ["exp", "exp.yaml", "exp.run", "/srv/drop/exp.yaml"] {
            #expect(RunControl.folder(named: name, dropDirectory: drop).name == "exp", "\(name)")
        }
        #expect(RunControl.folder(named: "team/exp", dropDirectory: drop).directory.path == "/srv/drop/team/exp.run")
        #expect(RunControl.logFile(name: "exp", dropDirectory: drop).path == "/srv/drop/exp.run/run.log")
    }
}
