import Foundation
import Glibc
import PluginAPI
import Testing

@testable import DaemonCore

@Suite struct RunStatusTests {
    @Test func roundTripsThroughSnakeCaseJSON() throws {
        let dir = try TempDirectory("status")
        defer { dir.remove() }
        let started = Date(timeIntervalSince1970: 1_700_000_000)
        let status = RunStatus(
            state: .failed, specHash: "sha256:ab", failure: .nonFiniteLoss, step: 12, totalSteps: 100,
            progress: 0.12, startedAt: started, endedAt: started.addingTimeInterval(60), heartbeatAt: started,
            pid: 42, attempt: 2, message: "loss is NaN at step 12")
        let url = dir.path("status.json")
        try status.write(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        for key in [
            "\"spec_hash\"", "\"total_steps\"", "\"started_at\" : \"2023-11-14T22:13:20Z\"", "\"non_finite_loss\"",
            "\"format_version\" : 1",
        ] {
            #expect(text.contains(key), "missing \(key) in \(text)")
        }
        #expect(try RunStatus.read(from: url) == status)
    }

    @Test func datesAreWrittenExactlyAsFoundationsISO8601AndReadBack() throws {
        let reference = ISO8601DateFormatter()
        var rng = SystemRandomNumberGenerator()
        // Leap days, the epoch, before it, and far ahead, plus random seconds over three centuries.
        var seconds: [Double] = [0, -1, 951_782_400, 951_868_799, 4_107_542_399, -2_208_988_800, 1_700_000_000.75]
        for _ in 0..<500 { seconds.append(Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &rng))) }
        for t in seconds {
            let date = Date(timeIntervalSince1970: t)
            let status = RunStatus(state: .running, specHash: "sha256:1", startedAt: date)
            let text = String(decoding: try status.encoded(), as: UTF8.self)
            let expected = reference.string(from: date)
            #expect(text.contains("\"started_at\" : \"\(expected)\""), "\(t): \(text)")
            let back = try RunStatus.makeDecoder().decode(RunStatus.self, from: Data(text.utf8))
            #expect(back.startedAt == Date(timeIntervalSince1970: t.rounded(.down)))
        }
        for (text, t) in [
            ("2025-01-31T12:00:00.250Z", 1_738_324_800.25), ("2025-01-31T14:00:00+02:00", 1_738_324_800),
            ("2025-01-31T06:30:00-0530", 1_738_324_800),
        ] {
            let json = Data(#"{"state":"running","started_at":"\#(text)"}"#.utf8)
            #expect(
                try RunStatus.makeDecoder().decode(RunStatus.self, from: json).startedAt
                    == Date(timeIntervalSince1970: t))
        }
        for bad in ["2025-01-31", "2025-13-01T00:00:00Z", "2025-01-31T12:00:00", "yesterday"] {
            let json = Data(#"{"state":"running","started_at":"\#(bad)"}"#.utf8)
            #expect(throws: DecodingError.self) { try RunStatus.makeDecoder().decode(RunStatus.self, from: json) }
        }
    }

    @Test func readsMinimalFileWrittenByAShellScript() throws {
        let data = Data(#"{"state":"running","spec_hash":"sha256:1","pid":7}"#.utf8)
        let status = try RunStatus.makeDecoder().decode(RunStatus.self, from: data)
        #expect(status.state == .running && status.pid == 7 && status.formatVersion == 1 && status.step == nil)
    }

    @Test func rejectsNewerFormat() throws {
        let dir = try TempDirectory("status")
        defer { dir.remove() }
        let url = try writeFile(dir.path("status.json"), #"{"state":"queued","format_version":99}"#)
        #expect(throws: DecodingError.self) { try RunStatus.read(from: url) }
    }

    @Test func finalStatesExcludeInterrupted() {
        #expect(RunStatus.State.allCases.filter(\.isFinal) == [.succeeded, .failed, .cancelled, .rejected])
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaries() throws {
        let dir = try TempDirectory("atomic")
        defer { dir.remove() }
        let url = dir.path("result.json")
        try AtomicFile.write(Data("one".utf8), to: url)
        try AtomicFile.write(Data("two".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["result.json"])
    }

    @Test func atomicWriteReportsTheFailedStep() throws {
        let missing = URL(fileURLWithPath: "/tmp/kiln-no-such-dir-\(getpid())/x.json")
        #expect(throws: AtomicFileError.self) { try AtomicFile.write(Data(), to: missing) }
        do {
            try AtomicFile.write(Data(), to: missing)
        } catch {
            #expect(error.step == .create && error.errno == ENOENT)
            #expect(error.description.contains("No such file"))
        }
    }
}
