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
