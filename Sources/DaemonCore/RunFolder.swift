public import Foundation
import Glibc
public import PluginAPI

/// The layout of one run: the spec `DIR/NAME.yaml` and its outputs in `DIR/NAME.run/`.
///
/// Files the daemon owns in the run folder (everything else belongs to `kiln run`):
/// - `status.json`: see `RunStatus` for who writes it when;
/// - `lock`: the `RunLock` file, held while a run is admitted or running;
/// - `child.stdout`, `child.stderr`: the child's standard streams, appended across attempts;
/// - `validation.txt`: the full report when the spec is rejected;
/// - `spec.snapshot.yaml`: the exact bytes admitted, so a run can be reproduced after the spec is edited.
public struct RunFolder: Sendable, Hashable, CustomStringConvertible {
    /// Names of the daemon's files in the run folder.
    public enum File {
        /// The lock file.
        public static let lock = "lock"
        /// The child's standard output.
        public static let stdout = "child.stdout"
        /// The child's standard error.
        public static let stderr = "child.stderr"
        /// The validation report of a rejected spec.
        public static let validationReport = "validation.txt"
        /// The admitted spec bytes.
        public static let specSnapshot = "spec.snapshot.yaml"
    }

    /// The watched drop directory the spec lives in (directly or one folder down).
    public let dropDirectory: URL
    /// The spec file.
    public let spec: URL
    /// The run's name: the spec path relative to the drop directory without its extension
    /// (`NAME`, or `SUBFOLDER/NAME`). Unique per run folder; the key of the job ledger.
    public let name: String
    /// `NAME.run/` beside the spec.
    public let directory: URL

    /// The run folder of the spec at `spec` inside `dropDirectory`.
    public init(spec: URL, dropDirectory: URL) {
        let drop = dropDirectory.standardizedFileURL
        let spec = spec.standardizedFileURL
        self.dropDirectory = drop
        self.spec = spec
        let stem = spec.deletingPathExtension()
        self.directory = stem.appendingPathExtension("run")
        let prefix = drop.path.hasSuffix("/") ? drop.path : drop.path + "/"
        let stemPath = stem.path
        self.name = stemPath.hasPrefix(prefix) ? String(stemPath.dropFirst(prefix.count)) : stem.lastPathComponent
    }

    /// The run folder for an existing `NAME.run` directory; the spec is `NAME.yaml`, or `NAME.yml` when
    /// only that exists.
    public init?(runDirectory: URL, dropDirectory: URL) {
        guard runDirectory.pathExtension == "run" else { return nil }
        let stem = runDirectory.deletingPathExtension()
        let yml = stem.appendingPathExtension("yml")
        let yaml = stem.appendingPathExtension("yaml")
        let spec =
            !FileManager.default.fileExists(atPath: yaml.path) && FileManager.default.fileExists(atPath: yml.path)
            ? yml : yaml
        self.init(spec: spec, dropDirectory: dropDirectory)
    }

    /// The folder a `NAME.cancel` request file refers to (its spec is `NAME.yaml`).
    init(cancelRequest: URL, dropDirectory: URL) {
        let stem = cancelRequest.deletingPathExtension()
        let yml = stem.appendingPathExtension("yml")
        let spec = FileManager.default.fileExists(atPath: yml.path) ? yml : stem.appendingPathExtension("yaml")
        self.init(spec: spec, dropDirectory: dropDirectory)
    }

    public var description: String { name }

    /// `status.json` in the run folder.
    public var statusFile: URL { directory.appendingPathComponent(RunStatus.fileName) }
    /// The lock file.
    public var lockFile: URL { directory.appendingPathComponent(File.lock) }
    /// The child's captured standard error.
    public var stderrFile: URL { directory.appendingPathComponent(File.stderr) }
    /// The child's captured standard output.
    public var stdoutFile: URL { directory.appendingPathComponent(File.stdout) }
    /// The validation report of a rejected spec.
    public var validationReport: URL { directory.appendingPathComponent(File.validationReport) }
    /// The admitted spec bytes.
    public var specSnapshot: URL { directory.appendingPathComponent(File.specSnapshot) }
    /// The `NAME.cancel` file that requests cancellation of this run.
    public var cancelRequest: URL { directory.deletingPathExtension().appendingPathExtension("cancel") }

    /// The recorded status, or nil when there is none or it cannot be read.
    public func readStatus() -> RunStatus? {
        try? RunStatus.read(from: statusFile)
    }

    /// Writes the status atomically; `durable: false` skips the fsyncs for states that can be
    /// recomputed after a crash (queued, rejected: the spec file is still there).
    public func writeStatus(_ status: RunStatus, durable: Bool = true) throws {
        try status.write(to: statusFile, durable: durable)
    }

    /// Creates the run folder if it is missing.
    public func create() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Moves the run folder aside to `NAME.run.N` (the smallest free N ≥ 1) and returns the new location.
    /// An earlier run is never overwritten: a taken name is skipped, even if it appears meanwhile.
    @discardableResult
    public func archive() throws -> URL {
        var n = 1
        while true {
            let target = URL(fileURLWithPath: directory.path + ".\(n)")
            var st = stat()
            if lstat(target.path, &st) != 0 && errno == ENOENT {
                if rename(directory.path, target.path) == 0 { return target }
                // Someone created the target between the check and the rename (or it is an empty
                // directory rename would have replaced): try the next number rather than clobbering.
                if errno != EEXIST && errno != ENOTEMPTY {
                    throw CocoaError(
                        .fileWriteUnknown,
                        userInfo: [
                            NSFilePathErrorKey: directory.path,
                            NSLocalizedDescriptionKey:
                                "cannot archive \(directory.path): \(String(cString: strerror(errno)))",
                        ])
                }
            }
            n += 1
        }
    }

    /// True for `NAME.run` and archived `NAME.run.N` folder names: run outputs, never specs to watch.
    public static func isRunDirectoryName(_ name: String) -> Bool {
        if name.hasSuffix(".run") { return true }
        guard let dot = name.lastIndex(of: ".") else { return false }
        let digits = name[name.index(after: dot)...]
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
            && name[..<dot].hasSuffix(".run")
    }
}
