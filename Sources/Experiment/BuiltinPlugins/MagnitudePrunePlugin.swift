import Logging
import PluginAPI
import TensorEngine
import TensorNN

/// `stage.prune-magnitude`: zeroes the smallest-magnitude weights (parameters of rank ≥ 2) and keeps them at
/// zero through later training stages with masks.
struct MagnitudePrunePlugin: StagePlugin {
    enum Scope: String, Codable, CaseIterable, Sendable { case global, layer }
    struct Config: PluginConfig {
        var sparsity = 0.5
        var scope = Scope.global
        static let documentation: [String: FieldDoc] = [
            "sparsity": FieldDoc(
                "Fraction of weights set to zero.", range: FieldRange.atLeast(0).below(1), required: true),
            "scope": FieldDoc(
                "global ranks all weights together; layer prunes each weight tensor to the sparsity.",
                choices: Scope.self),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "stage.prune-magnitude", kind: .stage, version: "1.0.0", summary: "Magnitude pruning of weight matrices",
        config: Config.self)

    static func apply(_ c: Config, to model: any Layer, context: inout StageContext) throws -> StageOutcome {
        let weights = model.namedParameters().filter { $0.parameter.shape.count >= 2 }
        guard !weights.isEmpty else { return StageOutcome(metrics: ["sparsity": 0]) }
        var masks: [String: Tensor] = [:]
        func prune(_ group: [NamedParameter]) {
            let total = group.reduce(0) { $0 + $1.parameter.count }
            let k = Int((Double(total) * c.sparsity).rounded(.down))
            guard k > 0 else { return }
            // The k-th smallest magnitude is the threshold; ties at it are pruned too (rare with float weights).
            let threshold = Tensor.kthSmallest(k, in: group.map { $0.parameter.value.detached().abs() })
            for p in group {
                let mask = p.parameter.value.detached().abs().greater(threshold)
                masks[p.name] = mask
                mask.withUnsafeElements { m in
                    p.parameter.withUnsafeMutableElements { v in for i in v.indices { v[i] *= m[i] } }
                }
            }
        }
        if c.scope == .global { prune(weights) } else { for w in weights { prune([w]) } }
        let kept = masks.values.reduce(Float(0)) { $0 + $1.sum().item }
        let total = weights.reduce(0) { $0 + $1.parameter.count }
        let sparsity = 1 - Double(kept) / Double(total)
        context.logger.info("pruned", metadata: ["stage": "\(context.name)", "sparsity": "\(sparsity)"])
        return StageOutcome(metrics: ["sparsity": sparsity], masks: masks)
    }
}
