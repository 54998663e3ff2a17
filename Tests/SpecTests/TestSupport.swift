import Foundation
import PluginAPI
import Spec

/// A fresh directory under the system temp dir, removed when the value goes away.
final class TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-spec-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` (creating folders) and returns its URL.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }

    /// Creates folder `name` and returns its URL.
    @discardableResult
    func folder(_ name: String) throws -> URL {
        let dir = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// The example from the issue, valid against the fake plugins.
let spiralsSpec = """
    name: spirals-mlp            # defaults to the file name
    seed: 7
    data:  {dataset: data.spirals, classes: 3, train: 3000, test: 1000}
    model: {plugin: model.mlp, hidden: [128, 128]}
    optimizer: {plugin: optim.adamw, lr: 3e-3, schedule: {kind: cosine, warmup: 100}}
    train: {method: train.supervised, steps: 2000, batch: 128}
    eval:  {every: 200, evaluators: [eval.accuracy]}
    checkpoint: {every: 500, keep: 3}

    """

extension SpecLoader {
    /// Loads a spec expected to fail and returns its problems (empty if it loaded).
    func problems(_ file: URL) -> [SpecProblem] { validate(contentsOf: file) }
}
