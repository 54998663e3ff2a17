import Foundation
import PluginAPI
import Spec
import TensorEngine
import TensorNN

/// The evaluators a spec lists, run together at each evaluation.
struct EvaluatorSet {
    struct Member {
        let id: String
        let config: any PluginConfig
        let type: any EvaluatorPlugin.Type
    }
    let members: [Member]
    /// The run's evaluation stream; each evaluation draws from its own derivation of it.
    let stream: RandomGenerator

    /// The evaluators of `uses`, looked up in `catalog`, drawing randomness from `stream`.
    init(_ uses: [PluginUse], catalog: PluginCatalog, stream: RandomGenerator) throws(RunError) {
        var members: [Member] = []
        for use in uses { members.append(Member(id: use.id, config: use.config, type: try catalog.evaluator(use.id))) }
        self.members = members
        self.stream = stream
    }

    /// Metrics as `test.<name>`, and each evaluator's details; the details are also written to
    /// `folder/<id>.json` with the step they belong to, and the evaluator's files to `folder/<id>.<name>`.
    func evaluate(model: any Layer, split: DataSplit, task: TaskInfo, step: Int, folder: URL) throws(RunError)
        -> (metrics: [String: Double], details: [String: ConfigObject])
    {
        var metrics: [String: Double] = [:]
        var details: [String: ConfigObject] = [:]
        for (position, member) in members.enumerated() {
            let evaluation: Evaluation
            // A function of the seed, the step and the position only: re-evaluating (after a resume) repeats it.
            var rng = stream.derived(UInt64(truncatingIfNeeded: step)).derived(UInt64(position))
            do {
                evaluation = try member.type.evaluate(
                    erased: member.config, model: model, split: split, task: task, rng: &rng)
            } catch let error as RunError {
                throw error
            } catch {
                throw .plugin(id: member.id, message: "\(error)")
            }
            for (k, v) in evaluation.metrics { metrics["test.\(k)"] = v }
            try write(evaluation.files, of: member.id, to: folder)
            guard !evaluation.details.isEmpty else { continue }
            details[member.id] = evaluation.details
            let record: ConfigValue = [
                "step": .int(step),
                "metrics": .object(
                    ConfigObject(evaluation.metrics.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) })),
                "details": .object(evaluation.details),
            ]
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try AtomicFile.write(
                    Data((record.jsonText() + "\n").utf8), to: folder.appendingPathComponent("\(member.id).json"))
            } catch {
                throw .io("cannot write \(member.id) details: \(error)")
            }
        }
        return (metrics, details)
    }

    private func write(_ files: [String: Data], of id: String, to folder: URL) throws(RunError) {
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
                throw .plugin(id: id, message: "returned a file named '\(name)'; names must be plain file names")
            }
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try AtomicFile.write(data, to: folder.appendingPathComponent("\(id).\(name)"))
            } catch {
                throw .io("cannot write \(id).\(name) in \(folder.path): \(error)")
            }
        }
    }
}
