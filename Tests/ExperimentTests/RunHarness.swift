import Experiment
import Foundation
import PluginAPI
import Testing

/// Runs specs in this process, in a temporary folder, the way `kiln run` does.
enum RunHarness {
    static let catalog: PluginCatalog = try! PluginCatalog(BuiltinPlugins.all)

    /// Quiet single-threaded options (tests run side by side; `Engine.threads` is process-wide).
    static var options: RunOptions { RunOptions(threads: 1, kilnVersion: "test", echoLog: false) }

    /// Writes `yaml` as `name.yaml` in `dir`, runs it, and returns the report and the run folder.
    ///
    /// The run trains on a thread of its own: a test that trained on a thread of Swift's cooperative pool (one
    /// per core) would starve the async tests running beside it.
    @discardableResult
    static func run(
        _ yaml: String, name: String = "spec", in dir: TemporaryDirectory, options: RunOptions = options,
        stop: StopSignal = StopSignal(), catalog: PluginCatalog = catalog
    ) async -> (report: RunReport, folder: RunFolder) {
        let spec = dir.write("\(name).yaml", text: yaml)
        let runner = ExperimentRunner(catalog: catalog, options: options)
        let report = await withCheckedContinuation { (done: CheckedContinuation<RunReport, Never>) in
            Thread { done.resume(returning: runner.run(specAt: spec, stop: stop)) }.start()
        }
        return (report, RunFolder(beside: spec))
    }

    /// The run's `status.json`.
    static func status(_ folder: RunFolder) throws -> RunStatus { try RunStatus.read(from: folder.status) }

    /// The final metrics in the run's `result.json` (empty when missing).
    static func finalMetrics(_ folder: RunFolder) -> [String: Double] {
        RunResult.finalMetrics(in: folder.result) ?? [:]
    }

    /// The lines of a text file in the run folder.
    static func lines(_ folder: RunFolder, _ name: String) -> [String] {
        let text = (try? String(contentsOf: folder.url.appendingPathComponent(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }
}
