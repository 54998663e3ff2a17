import Experiment
import PluginAPI
import TensorNN

/// Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"): the update is the sign of an
/// interpolation between the momentum and the gradient, so every coordinate moves by exactly the learning rate.
///
///     c = β₁·m + (1 − β₁)·g
///     p = p − lr·(sign(c) + λ·p)
///     m = β₂·m + (1 − β₂)·g
public struct LionRule: UpdateRule {
    /// Interpolation between momentum and gradient for the update's sign.
    public var beta1: Double
    /// Decay of the momentum.
    public var beta2: Double

    /// A rule with the given betas.
    public init(beta1: Double, beta2: Double) {
        self.beta1 = beta1
        self.beta2 = beta2
    }

    /// One momentum buffer, named as in the reference implementation.
    public var slotNames: [String] { ["exp_avg"] }

    /// One pass over `range` (see the type's formula).
    public func update(
        _ range: Range<Int>, parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        slots: [UnsafeMutablePointer<Float>], context: UpdateContext
    ) {
        let m = slots[0]
        let (b1, b2) = (Float(beta1), Float(beta2))
        let lr = Float(context.lr)
        let shrink = 1 - lr * Float(context.weightDecay)
        for i in range {
            let c = b1 * m[i] + (1 - b1) * g[i]
            let direction: Float = c > 0 ? 1 : (c < 0 ? -1 : 0)
            p[i] = p[i] * shrink - lr * direction
            m[i] = b2 * m[i] + (1 - b2) * g[i]
        }
    }
}

/// `optim.lion`'s configuration: its defaults, ranges and documentation in one type.
public struct LionConfig: PluginConfig {
    /// Learning rate.
    public var lr = 1e-4
    /// β₁ and β₂.
    public var betas = [0.9, 0.99]
    /// Decoupled weight decay.
    public var weightDecay = 0.0

    /// The defaults.
    public init() {}

    /// Documentation and ranges of each key, in YAML spelling.
    public static let documentation: [String: FieldDoc] = [
        "lr": FieldDoc("Learning rate; Lion's is usually 3–10× smaller than AdamW's.", range: .positive),
        "betas": FieldDoc("Interpolation (β₁) and momentum decay (β₂).", range: FieldRange.atLeast(0).below(1)),
        "weight_decay": FieldDoc("Decoupled weight decay λ.", range: .nonNegative),
    ]

    /// Rules the ranges cannot express.
    public func validate(_ v: inout ConfigValidator) {
        v.check(betas.count == 2, key: "betas", "must hold exactly two values (beta1, beta2)")
    }
}

/// The plugin: a descriptor and a factory. Registering it is one line in `main.swift`.
public struct LionPlugin: OptimizerPlugin {
    /// What `kiln plugins optim.lion` shows.
    public static let descriptor = PluginDescriptor(
        id: "optim.lion", kind: .optimizer, version: "0.1.0", summary: "Lion: signed momentum updates",
        config: LionConfig.self)

    /// Lion over the model's trainable parameters, driven by `GroupedOptimizer`.
    public static func makeOptimizer(_ c: LionConfig, parameters: [NamedParameter]) throws -> any Optimizer {
        GroupedOptimizer(
            rule: LionRule(beta1: c.betas[0], beta2: c.betas[1]), groups: [ParameterGroup(parameters)], lr: c.lr,
            weightDecay: c.weightDecay)
    }
}
