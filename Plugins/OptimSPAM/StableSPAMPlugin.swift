public import Experiment
public import PluginAPI
public import TensorNN

/// `optim.stable-spam`'s configuration: Stable-SPAM's hyperparameters with the official class's defaults.
public struct StableSPAMConfig: PluginConfig {
    public var lr = 1e-3
    public var betas = [0.9, 0.999]
    public var eps = 1e-8
    public var weightDecay = 0.0
    public var gamma1 = 0.7
    public var gamma2 = 0.9
    public var gamma3 = 0.999
    public var resetInterval = 1000
    public var totalSteps: Int? = nil
    public var etaMin = 0.5
    public var resetUsesOldMoments = true

    /// The defaults.
    public init() {}

    public static let documentation: [String: FieldDoc] = [
        "lr": FieldDoc("Peak learning rate (the schedule scales it).", range: .positive),
        "betas": FieldDoc(
            "Decay rates of Adam's moments (beta1 is scaled by the global factor).",
            range: FieldRange.atLeast(0).below(1)),
        "eps": FieldDoc("Added in AdaGN and to Adam's denominator.", range: .positive),
        "weight_decay": FieldDoc("Decoupled weight decay, applied before the update.", range: .nonNegative),
        "gamma1": FieldDoc(
            "EMA rate of the gradient norm (AdaGN), scaled by the global factor; -1 uses beta1.",
            range: FieldRange.atLeast(-1).below(1)),
        "gamma2": FieldDoc("EMA rate of the squared gradient norm (AdaGN).", range: FieldRange.atLeast(0).below(1)),
        "gamma3": FieldDoc(
            "EMA rate of the per-step maximum |g| (AdaClip's threshold).", range: FieldRange.atLeast(0).below(1)),
        "reset_interval": FieldDoc("Steps between moment resets (MoRet); 0 never resets.", range: .nonNegative),
        "total_steps": FieldDoc(
            "Length of the global cosine factor on beta1 and gamma1 (the run's steps); null keeps the factor at 1.",
            range: .positive),
        "eta_min": FieldDoc("Floor of the global cosine factor.", range: FieldRange.atLeast(0).upTo(1)),
        "reset_uses_old_moments": FieldDoc(
            "Official code: the reset step still updates with the old moments; false zeroes them first (paper)."),
    ]

    public func validate(_ v: inout ConfigValidator) {
        v.check(betas.count == 2, key: "betas", "must hold exactly two values (beta1, beta2)")
        v.check(gamma1 == -1 || gamma1 >= 0, key: "gamma1", "must be -1 (use beta1) or in [0, 1)")
    }

    /// The optimizer's options.
    public var options: StableSPAMOptions {
        var o = StableSPAMOptions()
        o.lr = lr
        o.beta1 = betas[0]
        o.beta2 = betas[1]
        o.eps = eps
        o.weightDecay = weightDecay
        o.gamma1 = gamma1 == -1 ? nil : gamma1
        o.gamma2 = gamma2
        o.gamma3 = gamma3
        o.resetInterval = resetInterval
        o.totalSteps = totalSteps
        o.etaMin = etaMin
        o.resetUsesOldMoments = resetUsesOldMoments
        return o
    }
}

/// `optim.stable-spam`: Adam with AdaClip, AdaGN, moment reset and the global cosine factor (Stable-SPAM).
public struct StableSPAMPlugin: OptimizerPlugin {
    public static let descriptor = PluginDescriptor(
        id: "optim.stable-spam", kind: .optimizer, version: "0.1.0",
        summary: "Adam with adaptive spike clipping, gradient normalisation and moment reset (Stable-SPAM)",
        config: StableSPAMConfig.self)

    public static func makeOptimizer(_ config: StableSPAMConfig, parameters: [NamedParameter]) throws -> any Optimizer {
        StableSPAM(parameters, options: config.options)
    }
}
