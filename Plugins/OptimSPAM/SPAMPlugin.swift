public import Experiment
public import PluginAPI
public import TensorNN

/// `optim.spam`'s configuration: SPAM's hyperparameters with the official code's defaults.
public struct SPAMConfig: PluginConfig {
    public var lr = 1e-3
    public var betas = [0.9, 0.999]
    public var eps = 1e-6
    public var weightDecay = 0.0
    public var threshold = 5000.0
    public var resetInterval = 500
    public var warmupSteps = 150
    public var clipFreeSteps = 20
    public var density = 1.0
    public var sparsePaths = ["attn", "attention", "mlp"]
    public var seed = 0

    /// The defaults.
    public init() {}

    public static let documentation: [String: FieldDoc] = [
        "lr": FieldDoc("Peak learning rate (the schedule scales it).", range: .positive),
        "betas": FieldDoc("Decay rates of Adam's first and second moments.", range: FieldRange.atLeast(0).below(1)),
        "eps": FieldDoc("Added to sqrt(v) before bias correction.", range: .positive),
        "weight_decay": FieldDoc(
            "Decoupled weight decay, applied after the update; a no-op on sparse-momentum tensors (official code).",
            range: .nonNegative),
        "threshold": FieldDoc(
            "Spike threshold theta: an element with g^2 > theta*v (previous v) becomes sign(g)*sqrt(theta*v); 0 is off.",
            range: .nonNegative),
        "reset_interval": FieldDoc(
            "Steps between momentum resets (Delta T), also the mask-refresh period; 0 never resets.",
            range: .nonNegative),
        "warmup_steps": FieldDoc(
            "Length N of the cosine warm-up (0.01 to 1) of the update after each reset.", range: .nonNegative),
        "clip_free_steps": FieldDoc(
            "Clipping is off for the first K steps of training and of each reset window (official code; 0 = paper).",
            range: .nonNegative),
        "density": FieldDoc(
            "Momentum density d of sparse-momentum tensors (1 = dense everywhere).",
            range: FieldRange.greaterThan(0).upTo(1)),
        "sparse_paths": FieldDoc("2-D tensors whose path contains one of these get sparse momentum when density < 1."),
        "seed": FieldDoc("Seed of the generator drawing the momentum masks.", range: .nonNegative),
    ]

    public func validate(_ v: inout ConfigValidator) {
        v.check(betas.count == 2, key: "betas", "must hold exactly two values (beta1, beta2)")
    }

    /// The optimizer's options.
    public var options: SPAMOptions {
        var o = SPAMOptions()
        o.lr = lr
        o.beta1 = betas[0]
        o.beta2 = betas[1]
        o.eps = eps
        o.weightDecay = weightDecay
        o.threshold = threshold
        o.resetInterval = resetInterval
        o.warmupSteps = warmupSteps
        o.clipFreeSteps = clipFreeSteps
        o.density = density
        o.sparsePaths = sparsePaths
        o.seed = UInt64(seed)
        return o
    }
}

/// `optim.spam`: Adam with momentum reset, post-reset warm-up, spike-aware clipping and optional sparse momentum.
public struct SPAMPlugin: OptimizerPlugin {
    public static let descriptor = PluginDescriptor(
        id: "optim.spam", kind: .optimizer, version: "0.1.0",
        summary: "Adam with momentum reset and spike-aware clipping (SPAM)", config: SPAMConfig.self)

    public static func makeOptimizer(_ config: SPAMConfig, parameters: [NamedParameter]) throws -> any Optimizer {
        SPAM(parameters, options: config.options)
    }
}
