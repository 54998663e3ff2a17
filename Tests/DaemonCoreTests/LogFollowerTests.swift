import Foundation
import Glibc
import PluginAPI
import Testing

@testable import DaemonCore

/// `kiln tail`'s follower: growth, replacement, truncation, and stopping at a final state.
@Suite struct LogFollowerTests {
    /// Collects what the follower prints.
    final class Output: Sendable {
        let bytes = Recorder<UInt8>()
        func text() async -> String { String(decoding: await bytes.items, as: UTF8.self) }
    }

    func append(_ text: String, to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) { try Data().write(to: url) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func status(_ state: RunStatus.State, in folder: RunFolder) throws {
        try folder.writeStatus(RunStatus(state: state, specHash: "sha256:x"), durable: false)
    }

    /// Runs the follower on `folder` while `body` changes files; returns what it printed and its result.
    func following(
        _ folder: RunFolder, _ body: @escaping @Sendable (Output) async throws -> Void
    ) async throws -> (String, RunStatus?) {
        let output = Output()
        let follower = LogFollower(folder: folder)
        // The follower calls back on its own thread, in order; the stream keeps that order.
        let (bytes, sink) = AsyncStream.makeStream(of: UInt8.self)
        let result = try await withThrowingTaskGroup(of: RunStatus?.self) { group in
            group.addTask {
                await output.bytes.feed(from: bytes)
                return nil
            }
            group.addTask {
                defer { sink.finish() }
                return try await follower.follow(output: { data in for byte in data { sink.yield(byte) } })
            }
            group.addTask {
                try await body(output)
                return nil
            }
            var final: RunStatus?
            for try await value in group where value != nil { final = value }
            return final
        }
        return (await output.text(), result)
    }

    @Test func waitsForTheFolderFollowsGrowthAndStopsAtTheFinalState() async throws {
        let root = try TempDirectory("tail")
        defer { root.remove() }
        let folder = RunFolder(spec: root.path("exp.yaml"), dropDirectory: root.url)
        let log = folder.directory.appendingPathComponent("run.log")
        let (text, final) = try await following(folder) { output in
            try await Task.sleep(for: .milliseconds(100))
            try folder.create()
            try status(.running, in: folder)
            try append("step 1\n", to: log)
            #expect(await output.bytes.wait { String(decoding: $0, as: UTF8.self).contains("step 1") })
            try append("step 2\n", to: log)
            try status(.succeeded, in: folder)
        }
        #expect(text == "step 1\nstep 2\n")
        #expect(final?.state == .succeeded)
    }

    @Test func reopensAReplacedFileAndRestartsAfterTruncation() async throws {
        let root = try TempDirectory("tail-replace")
        defer { root.remove() }
        let folder = RunFolder(spec: root.path("exp.yaml"), dropDirectory: root.url)
        try folder.create()
        try status(.running, in: folder)
        let log = folder.directory.appendingPathComponent("run.log")
        try append("first attempt\n", to: log)
        let (text, final) = try await following(folder) { output in
            #expect(await output.bytes.wait { String(decoding: $0, as: UTF8.self).contains("first attempt") })
            // The spec was edited: the folder is archived and a new run starts in a fresh one.
            try folder.archive()
            try folder.create()
            try status(.running, in: folder)
            try append("second run\n", to: log)
            #expect(await output.bytes.wait { String(decoding: $0, as: UTF8.self).contains("second run") })
            // Truncated in place: read again from the start.
            try Data("fresh\n".utf8).write(to: log)
            #expect(await output.bytes.wait { String(decoding: $0, as: UTF8.self).hasSuffix("fresh\n") })
            try status(.cancelled, in: folder)
        }
        #expect(text == "first attempt\nsecond run\nfresh\n")
        #expect(final?.state == .cancelled)
    }

    @Test func anAlreadyFinishedRunPrintsItsLogAndReturns() async throws {
        let root = try TempDirectory("tail-done")
        defer { root.remove() }
        let folder = RunFolder(spec: root.path("exp.yaml"), dropDirectory: root.url)
        try folder.create()
        try append("all done\n", to: folder.directory.appendingPathComponent("run.log"))
        try status(.failed, in: folder)
        let (text, final) = try await following(folder) { _ in }
        #expect(text == "all done\n" && final?.state == .failed)
    }
}
