import Foundation
import Glibc
import Testing

@testable import DaemonCore

@Suite struct DropWatcherTests {
    /// Runs a watcher on `drop` while `body` runs; events go to the recorder.
    func watching(
        _ drop: URL, debounce: Duration = .milliseconds(50), rescan: Duration = .seconds(60),
        _ body: (Recorder<DropEvent>) async throws -> Void
    ) async throws {
        let (stream, sink) = AsyncStream.makeStream(of: DropEvent.self)
        let watcher = DropWatcher(
            dropDirectory: drop, debounce: debounce, rescanPeriod: rescan, events: sink, logger: testLogger)
        let recorder = Recorder<DropEvent>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            group.addTask { await recorder.feed(from: stream) }
            // The initial listing proves the watches are in place.
            let started = await recorder.wait {
                $0.contains { if case .rescanned(_, _, true) = $0 { true } else { false } }
            }
            #expect(started)
            try await body(recorder)
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    static func ready(_ events: [DropEvent]) -> [String] {
        events.compactMap { if case .specReady(let url) = $0 { url.lastPathComponent } else { nil } }
    }

    @Test func seesCloseWriteAndMoveInAndIgnoresTemporaries() async throws {
        let root = try TempDirectory("watch")
        defer { root.remove() }
        let drop = try root.directory("drop")
        let outside = try root.directory("outside")
        try await watching(drop) { recorder in
            try writeFile(drop.appendingPathComponent(".hidden.yaml"), "x")
            try writeFile(drop.appendingPathComponent("notes.txt"), "x")
            try writeFile(drop.appendingPathComponent("exp.yaml.swp"), "x")
            try writeFile(drop.appendingPathComponent("exp.yaml~"), "x")
            try writeFile(drop.appendingPathComponent("exp.yaml.part"), "x")
            try writeFile(drop.appendingPathComponent("written.yaml"), "model: a\n")
            try moveIn(drop.appendingPathComponent("moved.yml"), "model: b\n", staging: outside)
            // An editor-style save: a dot temp file in the drop directory renamed over the target.
            try moveIn(drop.appendingPathComponent("edited.yaml"), "model: c\n", staging: drop)
            let all = await recorder.wait { Set(Self.ready($0)) == ["written.yaml", "moved.yml", "edited.yaml"] }
            #expect(all)
            #expect(Self.ready(await recorder.items).count == 3)
        }
    }

    @Test func debouncesBurstsIntoOneEvent() async throws {
        let root = try TempDirectory("debounce")
        defer { root.remove() }
        try await watching(root.url, debounce: .milliseconds(200)) { recorder in
            let spec = root.path("burst.yaml")
            for i in 0..<20 { try writeFile(spec, "step: \(i)\n") }
            #expect(await recorder.wait { !Self.ready($0).isEmpty })
            // A second burst after the quiet period is a second event, not folded into the first.
            try writeFile(spec, "step: final\n")
            #expect(await recorder.wait { Self.ready($0).count == 2 })
            #expect(Self.ready(await recorder.items) == ["burst.yaml", "burst.yaml"])
        }
    }

    @Test func takesARenamedInSpecAtOnceButDebouncesInPlaceWrites() async throws {
        let root = try TempDirectory("rename")
        defer { root.remove() }
        let drop = try root.directory("drop")
        let outside = try root.directory("outside")
        // A long quiet period, so "at once" stays distinguishable from "debounced" on a loaded machine.
        try await watching(drop, debounce: .seconds(10)) { recorder in
            let start = ContinuousClock.now
            try moveIn(drop.appendingPathComponent("moved.yaml"), "model: a\n", staging: outside)
            #expect(await recorder.wait(timeout: .seconds(5)) { Self.ready($0) == ["moved.yaml"] })
            #expect(start.duration(to: .now) < .seconds(5))
            try writeFile(drop.appendingPathComponent("written.yaml"), "model: b\n")
            // Still inside its 10-second quiet period.
            #expect(!(await recorder.wait(timeout: .milliseconds(500)) { Self.ready($0).contains("written.yaml") }))
        }
    }

    @Test func reportsRemovalsCancelFilesAndNewSubfolders() async throws {
        let root = try TempDirectory("events")
        defer { root.remove() }
        try await watching(root.url) { recorder in
            let spec = try writeFile(root.path("exp.yaml"), "a")
            #expect(await recorder.wait { Self.ready($0) == ["exp.yaml"] })
            unlink(spec.path)
            #expect(await recorder.wait { $0.contains(.specRemoved(spec)) })
            let cancel = try writeFile(root.path("exp.cancel"), "")
            #expect(await recorder.wait { $0.contains(.cancelRequested(cancel)) })
            // A subfolder made after start gets its own watch, and a spec written right after mkdir
            // (before the watch could exist) is found by the scan of the new folder.
            let sub = try root.directory("team")
            try writeFile(sub.appendingPathComponent("deep.yaml"), "b")
            #expect(await recorder.wait { Self.ready($0).contains("deep.yaml") })
            try writeFile(sub.appendingPathComponent("deeper.yaml"), "c")
            #expect(await recorder.wait { Self.ready($0).contains("deeper.yaml") })
            // Run folders are not watched: writes in them are no events.
            let run = try root.directory("exp.run")
            try writeFile(run.appendingPathComponent("inner.yaml"), "d")
            try writeFile(root.path("marker.yaml"), "e")
            #expect(await recorder.wait { Self.ready($0).contains("marker.yaml") })
            #expect(!Self.ready(await recorder.items).contains("inner.yaml"))
        }
    }

    @Test func startupScanAndPeriodicRescanFindFilesWithoutEvents() async throws {
        let root = try TempDirectory("rescan")
        defer { root.remove() }
        let drop = try root.directory("drop")
        let early = try writeFile(drop.appendingPathComponent("early.yaml"), "a")
        let original = try writeFile(root.path("elsewhere.yaml"), "b")
        try await watching(drop, rescan: .milliseconds(300)) { recorder in
            let initial = await recorder.items.first
            #expect(initial == .rescanned(specs: [early], cancelRequests: [], initial: true))
            // A hard link appears with IN_CREATE only (no close-write, no move): only a rescan sees it.
            let linked = drop.appendingPathComponent("linked.yaml")
            #expect(link(original.path, linked.path) == 0)
            let found = await recorder.wait(timeout: .seconds(5)) {
                $0.contains { if case .rescanned(let specs, _, false) = $0 { specs.contains(linked) } else { false } }
            }
            #expect(found)
            #expect(!Self.ready(await recorder.items).contains("linked.yaml"))
        }
    }

    @Test func endsWithAnErrorWhenTheDropDirectoryIsRemoved() async throws {
        let root = try TempDirectory("gone")
        defer { root.remove() }
        let drop = try root.directory("drop")
        let (stream, sink) = AsyncStream.makeStream(of: DropEvent.self)
        let watcher = DropWatcher(
            dropDirectory: drop, debounce: .milliseconds(10), rescanPeriod: .seconds(60), events: sink,
            logger: testLogger)
        let recorder = Recorder<DropEvent>()
        await #expect(throws: DaemonError.dropDirectoryGone(drop.path)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await watcher.run() }
                group.addTask { await recorder.feed(from: stream) }
                group.addTask {
                    // Once the initial listing is out the watch exists; moving the directory away ends it.
                    _ = await recorder.wait { !$0.isEmpty }
                    _ = rename(drop.path, root.path("moved").path)
                }
                // next() rethrows the watcher's error at once (waitForAll would wait for the feeder too).
                while try await group.next() != nil {}
            }
        }
    }

    @Test func debounceBufferKeepsTheLastChangePerPath() {
        var buffer = DebounceBuffer(quietPeriod: .milliseconds(100))
        let t0 = ContinuousClock.now
        buffer.note("/d/a.yaml", .removed, at: t0)
        buffer.note("/d/b.yaml", .written, at: t0 + .milliseconds(10))
        buffer.note("/d/a.yaml", .written, at: t0 + .milliseconds(50))  // delete-then-write: a write
        #expect(buffer.takeDue(at: t0 + .milliseconds(100)).isEmpty)
        #expect(buffer.takeDue(at: t0 + .milliseconds(110)).map(\.path) == ["/d/b.yaml"])
        let rest = buffer.takeDue(at: t0 + .milliseconds(150))
        #expect(rest.map(\.path) == ["/d/a.yaml"] && rest.first?.change == .written)
        #expect(buffer.isEmpty && buffer.nextDue == nil)
    }

    @Test func parsesPackedInotifyRecords() {
        var bytes: [UInt8] = []
        func append(_ wd: Int32, _ mask: UInt32, _ name: String, padded: Int) {
            withUnsafeBytes(of: wd) { bytes += $0 }
            withUnsafeBytes(of: mask) { bytes += $0 }
            withUnsafeBytes(of: UInt32(0)) { bytes += $0 }
            withUnsafeBytes(of: UInt32(padded)) { bytes += $0 }
            bytes += Array(name.utf8) + Array(repeating: 0, count: padded - name.utf8.count)
        }
        append(1, UInt32(IN_CLOSE_WRITE), "a.yaml", padded: 16)
        append(2, UInt32(IN_Q_OVERFLOW), "", padded: 0)
        append(1, UInt32(IN_MOVED_TO), "longer-name.yml", padded: 16)
        let events = bytes.withUnsafeBytes { InotifyEvent.parse($0) }
        #expect(events.map(\.name) == ["a.yaml", "", "longer-name.yml"])
        #expect(events.map(\.wd) == [1, 2, 1])
        #expect(events[1].has(IN_Q_OVERFLOW))
    }
}
