import Foundation
import PluginAPI
import Spec
import TensorNN

/// The evaluators a spec lists, run together at each evaluation.
struct EvaluatorSet {
    struct Member {
        let id: String
        let config: any PluginConfig
        let type: any EvaluatorPlugin.Type
    }
    let members: [Member]

    /// The evaluators of `uses`, looked up in `catalog`.
    init(_ uses: [PluginUse], catalog: PluginCatalog) throws(RunError) {
        var members: [Member] = []
        for use in uses { members.append(Member(id: use.id, config: use.config, type: try catalog.evaluator(use.id))) }
        self.members = members
    }

    /// Metrics as `test.<name>`, and each evaluator's details; the details are also written to
    /// `folder/<id>.json` with the step they belong to.
    func evaluate(model: any Layer, split: DataSplit, task: TaskInfo, step: Int, folder: URL) throws(RunError)
        -> (metrics: [String: Double], details: [String: ConfigObject])
    {
        var metrics: [String: Double] = [:]
        var details: [String: ConfigObject] = [:]
        for member in members {
            let evaluation: Evaluation
            do {
                evaluation = try member.type.evaluate(erased: member.config, model: model, split: split, task: task)
            } catch let error as RunError {
                throw error
            } catch {
                throw .plugin(id: member.id, message: "\(error)")
            }
            for (k, v) in evaluation.metrics { metrics["test.\(k)"] = v }
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
}
