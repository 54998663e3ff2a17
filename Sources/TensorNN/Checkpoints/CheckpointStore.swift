import DurableFile
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The checkpoints of one run folder: `checkpoints/step-000500.safetensors`, the last `keepLast` kept, and a
/// `checkpoints/latest` pointer file holding the newest file's name.
///
/// Every file is written atomically, the pointer after the checkpoint it names, so after a crash the pointer
/// names a complete file (possibly one step behind a newer complete file).
public struct CheckpointStore: Sendable {
    /// The run folder (the spec's folder); checkpoints go in its `checkpoints` subfolder.
    public let runDirectory: URL
    /// How many checkpoints to keep; older ones are deleted after each save.
    public var keepLast: Int

    /// The store of the run in `runDirectory`, keeping the newest `keepLast` checkpoints.
    public init(runDirectory: URL, keepLast: Int = 3) {
        precondition(keepLast >= 1, "CheckpointStore: keepLast must be at least 1, got \(keepLast)")
        self.runDirectory = runDirectory
        self.keepLast = keepLast
    }

    /// `<run>/checkpoints`.
    public var directory: URL { runDirectory.appendingPathComponent("checkpoints", isDirectory: true) }
    /// `<run>/checkpoints/latest`.
    public var latestPointer: URL { directory.appendingPathComponent("latest") }

    /// `<run>/checkpoints/step-000500.safetensors` (six digits at least).
    public func url(forStep step: Int) -> URL {
        let digits = String(step)
        let padded = String(repeating: "0", count: Swift.max(0, 6 - digits.count)) + digits
        return directory.appendingPathComponent("step-\(padded).safetensors")
    }

    /// Writes `checkpoint` as the file for its step, points `latest` at it, and deletes all but the newest
    /// `keepLast` checkpoints. Returns the file written.
    @discardableResult
    public func save(_ checkpoint: Checkpoint) throws(CheckpointError) -> URL {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory.path, operation: "create directory", message: "\(error)")
        }
        let url = url(forStep: checkpoint.step)
        try checkpoint.write(to: url)
        let name = Array((url.lastPathComponent + "\n").utf8)
        try CheckpointIO.write(to: latestPointer) { (w: borrowing AtomicFile.Writer) throws(AtomicFileError) in
            try w.write(name)
        }
        try prune(keeping: url)
        return url
    }

    /// Steps that have a checkpoint file, ascending.
    public func steps() throws(CheckpointError) -> [Int] { try files().map(\.step) }

    /// The file the `latest` pointer names, or, without a pointer, the highest-step file; nil in an empty folder.
    public func latestURL() throws(CheckpointError) -> URL? {
        if let data = FileManager.default.contents(atPath: latestPointer.path) {
            let name = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let url = directory.appendingPathComponent(name)
            guard !name.isEmpty, !name.contains("/"), FileManager.default.fileExists(atPath: url.path) else {
                throw .invalidLatestPointer(path: latestPointer.path, content: name)
            }
            return url
        }
        return try files().last?.url
    }

    /// The latest checkpoint, read and validated; nil when the run has none yet.
    public func loadLatest() throws(CheckpointError) -> Checkpoint? {
        guard let url = try latestURL() else { return nil }
        return try Checkpoint.read(from: url)
    }

    private func files() throws(CheckpointError) -> [(step: Int, url: URL)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            if !FileManager.default.fileExists(atPath: directory.path) { return [] }
            throw .io(path: directory.path, operation: "list directory", message: "\(error)")
        }
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors"),
                let step = Int(name.dropFirst(5).dropLast(12)), step >= 0
            else { return nil }
            return (step, directory.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// Deletes all but the newest `keepLast` checkpoints, and temporary files a crashed save left behind.
    private func prune(keeping current: URL) throws(CheckpointError) {
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in leftovers where name.hasPrefix(".step-") && AtomicFile.isTemporaryName(name) {
            _ = unlinkFile(directory.appendingPathComponent(name).path)
        }
        let all = try files()
        for old in all.dropLast(keepLast) where old.url.lastPathComponent != current.lastPathComponent {
            if unlinkFile(old.url.path) != 0 { throw CheckpointIO.failure(old.url.path, "unlink") }
        }
    }
}

private func unlinkFile(_ path: String) -> Int32 { unlink(path) }
