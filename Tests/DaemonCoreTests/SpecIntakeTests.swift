import Foundation
import Glibc
import PluginAPI
import Testing

@testable import DaemonCore

/// The path from a dropped file to a queued, rejected, archived or cancelled run.
@Suite struct SpecIntakeTests {
    /// Rejects specs containing `bad`, with two problems; the priority is the number after `priority:`.
    static let validator = ClosureSpecValidator { url, data in
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("bad") {
            return .invalid(problems: [
                "\(url.lastPathComponent):1:8: model: unknown plugin 'model.bad' (known: model.tiny)",
                "\(url.lastPathComponent):2:1: steps: missing required key",
            ])
        }
        return .valid
    }

    @Test func invalidSpecIsRejectedWithinASecondWithTheFullReport() async throws {
        let h = try DaemonHarness()
        defer { h.root.remove() }
        try await h.run(validator: Self.validator) { _ in
            let spec = try h.spec("broken", "model: bad\n")
            let status = try await h.waitFor("broken", timeout: .seconds(5))
            // The daemon's answer time, from file times: the test's own wake-up latency on a loaded
            // machine is not the daemon's.
            let answered = try modificationTime(h.folder("broken").statusFile) - modificationTime(spec)
            #expect(answered < 1.0, "answered after \(answered) s")
            #expect(status.state == .rejected && status.failure == .invalidSpec)
            #expect(status.message?.contains("(and 1 more)") == true)
            let report = try String(contentsOf: h.folder("broken").validationReport, encoding: .utf8)
            #expect(report.contains("2 problems:"))
            #expect(report.contains("broken.yaml:1:8: model: unknown plugin 'model.bad'"))
            #expect(report.contains("broken.yaml:2:1: steps: missing required key"))

            // Fixing the spec replaces the rejection (nothing ran, so nothing is archived).
            try h.spec("broken", "model: tiny\n")
            let fixed = try await h.waitFor("broken") { $0.state == .succeeded }
            #expect(fixed.state == .succeeded)
            #expect(!FileManager.default.fileExists(atPath: h.folder("broken").validationReport.path))
            #expect(!FileManager.default.fileExists(atPath: h.drop.appendingPathComponent("broken.run.1").path))
        }
        #expect(logLines(h.log).count == 1)
    }

    @Test func symlinkedSpecEscapingTheDropDirectoryIsRefused() async throws {
        let h = try DaemonHarness()
        defer { h.root.remove() }
        let outside = try writeFile(h.root.path("private.yaml"), "model: tiny\n")
        try await h.run(validator: Self.validator) { _ in
            symlink(outside.path, h.drop.appendingPathComponent("sneaky.yaml").path)
            let status = try await h.waitFor("sneaky")
            #expect(status.state == .rejected)
            #expect(status.message?.contains("outside the drop directory") == true)
            #expect(!FileManager.default.fileExists(atPath: h.folder("sneaky").specSnapshot.path))
        }
        #expect(logLines(h.log).isEmpty)
    }

    @Test func touchDoesNotRerunAndAnEditArchivesTheEarlierRun() async throws {
        let h = try DaemonHarness()
        defer { h.root.remove() }
        try await h.run { _ in
            let v1 = "model: tiny\nlr: 0.1\n"
            let spec = try h.spec("exp", v1)
            #expect(try await h.waitFor("exp").state == .succeeded)
            // Same bytes written again (and the mtime touched): not a new experiment.
            try h.spec("exp", v1)
            utimes(spec.path, nil)
            // A later spec is admitted after the touch was handled (one intake, in order).
            try h.spec("marker")
            #expect(try await h.waitFor("marker").state == .succeeded)
            #expect(logLines(h.log).filter { $0.hasPrefix(spec.path) }.count == 1)

            let v2 = "model: tiny\nlr: 0.01\n"
            try moveIn(spec, v2, staging: h.root.url)
            let hash2 = SpecIdentity(contents: Data(v2.utf8)).contentHash
            let second = try await h.waitFor("exp") { $0.state.isFinal && $0.specHash == hash2 }
            #expect(second.state == .succeeded)
            let archived = RunFolder(spec: h.drop.appendingPathComponent("exp.yaml"), dropDirectory: h.drop)
            let old = try RunStatus.read(from: h.drop.appendingPathComponent("exp.run.1/status.json"))
            #expect(old.specHash == SpecIdentity(contents: Data(v1.utf8)).contentHash && old.state == .succeeded)
            #expect(archived.readStatus()?.specHash == hash2)
        }
        #expect(logLines(h.log).count == 3)
    }

    @Test func deletingARunningSpecCancelsIt() async throws {
        let h = try DaemonHarness(child: SupervisorTests.trapsTerm)
        defer { h.root.remove() }
        try await h.run { _ in
            let spec = try h.spec("doomed")
            #expect(try await RunControlWait.file(h.folder("doomed").directory.appendingPathComponent("started")))
            unlink(spec.path)
            let status = try await h.waitFor("doomed")
            #expect(status.state == .cancelled && status.message?.contains("removed") == true)
        }
    }

    @Test func cancellingAQueuedRunRemovesItFromTheQueue() async throws {
        var h = try DaemonHarness(child: SupervisorTests.trapsTerm)
        h.config.concurrency = 1
        defer { h.root.remove() }
        try await h.run { ledger in
            try h.spec("first")
            #expect(try await RunControlWait.file(h.folder("first").directory.appendingPathComponent("started")))
            try h.spec("second")
            try await h.waitFor("second") { $0.state == .queued }
            try RunControl.requestCancel(name: "second", dropDirectory: h.drop)
            let second = try await h.waitFor("second")
            #expect(second.state == .cancelled && second.message?.hasPrefix("cancelled before start") == true)
            try RunControl.requestCancel(name: "first", dropDirectory: h.drop)
            #expect(try await h.waitFor("first").state == .cancelled)
            #expect(await ledger.summary().cancelled == 2)
        }
        #expect(logLines(h.log).count == 1)
    }

    @Test func twoHundredSpecsDroppedAtOnceRunExactlyOnceEach() async throws {
        var h = try DaemonHarness(child: "status succeeded")
        h.config.concurrency = 8
        defer { h.root.remove() }
        let staging = try h.root.directory("staging")
        let sub = try h.root.directory("drop/team")
        var names: [String] = []
        try await h.run { _ in
            for i in 0..<200 {
                let text = "model: tiny\nseed: \(i)\n"
                switch i % 4 {
                case 0: try writeFile(h.drop.appendingPathComponent("w\(i).yaml"), text)
                case 1: try moveIn(h.drop.appendingPathComponent("m\(i).yaml"), text, staging: staging)
                case 2: try writeFile(sub.appendingPathComponent("w\(i).yml"), text)
                default: try moveIn(sub.appendingPathComponent("m\(i).yaml"), text, staging: staging)
                }
                names.append(["w\(i)", "m\(i)", "team/w\(i)", "team/m\(i)"][i % 4])
            }
            for name in names {
                let status = try await h.waitFor(name, timeout: .seconds(30))
                #expect(status.state == .succeeded && status.attempt == 1, "\(name): \(status)")
            }
        }
        let starts = logLines(h.log).map { String($0.split(separator: " ")[0]) }
        #expect(starts.count == 200)
        #expect(Set(starts).count == 200)
    }

    @Test func twoDaemonsOnOneDirectoryNeverRunASpecTwice() async throws {
        var h = try DaemonHarness(child: "status succeeded")
        h.config.concurrency = 3
        defer { h.root.remove() }
        let staging = try h.root.directory("staging")
        try await h.run { _ in
            try await h.run { _ in
                for i in 0..<30 {
                    try moveIn(h.drop.appendingPathComponent("s\(i).yaml"), "seed: \(i)\n", staging: staging)
                }
                for i in 0..<30 { #expect(try await h.waitFor("s\(i)", timeout: .seconds(20)).state == .succeeded) }
            }
        }
        let starts = logLines(h.log).map { String($0.split(separator: " ")[0]) }
        #expect(starts.count == 30 && Set(starts).count == 30)
    }
}

/// A file's modification time in seconds (nanosecond resolution).
func modificationTime(_ url: URL) throws -> Double {
    var st = stat()
    guard stat(url.path, &st) == 0 else { throw DaemonError.system("stat \(url.path)", errno: errno) }
    return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
}
