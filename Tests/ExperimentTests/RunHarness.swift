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
    @discardableResult
    static func run(
        _ yaml: String, name: String = "spec", in dir: TemporaryDirectory, options: RunOptions = options,
        stop: StopSignal = StopSignal()
    ) -> (report: RunReport, folder: RunFolder) {
        let spec = dir.write("\(name).yaml", text: yaml)
        let report = ExperimentRunner(catalog: catalog, options: options).run(specAt: spec, stop: stop)
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
