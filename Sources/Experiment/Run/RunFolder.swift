public import Foundation

/// Where a run's files go: `NAME.run/` beside the spec `NAME.yaml`.
///
/// ```
/// NAME.run/
///   status.json  run.log  result.json  spec.resolved.yaml  provenance.json
///   metrics.jsonl  metrics.csv  checkpoints/  plots/  eval/     (a run with `train:`)
///   stages/<stage>/  metrics.jsonl  checkpoints/  plots/ ...   (a run with `stages:`, one folder per stage)
/// ```
public struct RunFolder: Sendable, Equatable {
    /// The folder itself.
    public let url: URL

    /// The folder at `url`.
    public init(url: URL) { self.url = url }

    /// `NAME.run` beside the spec file `NAME.yaml`.
    public init(beside spec: URL) {
        let stem = spec.deletingPathExtension().lastPathComponent
        url = spec.deletingLastPathComponent().appendingPathComponent(stem + ".run", isDirectory: true)
    }

    /// `status.json`: the run's state, replaced atomically on each change.
    public var status: URL { url.appendingPathComponent("status.json") }
    /// `run.log`: human-readable, one line per event.
    public var log: URL { url.appendingPathComponent("run.log") }
    /// `result.json`: final metrics.
    public var result: URL { url.appendingPathComponent("result.json") }
    /// `spec.resolved.yaml`: the spec with every default filled in, provenance in its header.
    public var resolvedSpec: URL { url.appendingPathComponent("spec.resolved.yaml") }
    /// `provenance.json`: version, git commit, host, CPU, threads, seeds, start and end.
    public var provenance: URL { url.appendingPathComponent("provenance.json") }
    /// `lock`: held with `flock` while a process works on the run (the daemon's run lock too).
    var lock: URL { url.appendingPathComponent("lock") }
    /// The work folder of a run with `train:` (the run folder itself).
    public var work: WorkFolder { WorkFolder(url: url) }
    /// The work folder of stage `name`.
    public func stage(_ name: String) -> WorkFolder {
        WorkFolder(url: url.appendingPathComponent("stages", isDirectory: true).appendingPathComponent(name))
    }
}

/// Where one training session keeps its metrics, checkpoints and plots.
public struct WorkFolder: Sendable, Equatable {
    /// The folder.
    public let url: URL
    /// `checkpoints/`.
    public var checkpoints: URL { url.appendingPathComponent("checkpoints", isDirectory: true) }
    /// `plots/`.
    public var plots: URL { url.appendingPathComponent("plots", isDirectory: true) }
    /// `eval/`: each evaluator's latest details.
    public var eval: URL { url.appendingPathComponent("eval", isDirectory: true) }
    /// `stage.json` in a stage folder: written when the stage is complete.
    var stageRecord: URL { url.appendingPathComponent("stage.json") }
    /// `model.safetensors` in a stage folder: the model the stage hands on.
    var stageModel: URL { url.appendingPathComponent("model.safetensors") }
    /// `masks.safetensors` in a stage folder: masks the stage imposed.
    var stageMasks: URL { url.appendingPathComponent("masks.safetensors") }

    /// Creates the folder (and parents) if needed.
    func create() throws(RunError) {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw .io("cannot create \(url.path): \(error.localizedDescription)")
        }
    }
}
