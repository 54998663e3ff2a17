import PluginAPI
import TensorNN

/// `optim.sgd`: stochastic gradient descent with optional momentum, as `torch.optim.SGD`.
struct SGDPlugin: OptimizerPlugin {
    struct Config: PluginConfig {
        var lr = 0.1
        var momentum = 0.0
        var dampening = 0.0
        var nesterov = false
        var weightDecay = 0.0
        static let documentation: [String: FieldDoc] = [
            "lr": FieldDoc("Learning rate (the schedule scales it).", range: .positive),
            "momentum": FieldDoc("Momentum factor; 0 is plain SGD.", range: FieldRange.atLeast(0).below(1)),
            "dampening": FieldDoc(
                "Dampening of the gradient added to the momentum.", range: FieldRange.atLeast(0).below(1)),
            "nesterov": FieldDoc("Nesterov momentum (needs momentum > 0 and dampening 0)."),
            "weight_decay": FieldDoc("L2 penalty added to the gradient.", range: .nonNegative),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(
                !nesterov || (momentum > 0 && dampening == 0), key: "nesterov", "needs momentum > 0 and dampening 0")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "optim.sgd", kind: .optimizer, version: "1.0.0", summary: "Stochastic gradient descent with momentum",
        config: Config.self)
    static func makeOptimizer(_ c: Config, parameters: [NamedParameter]) throws -> any Optimizer {
        SGD(
            parameters, lr: c.lr, momentum: c.momentum, dampening: c.dampening, nesterov: c.nesterov,
            weightDecay: c.weightDecay)
    }
}

/// The keys Adam and AdamW share.
struct AdamConfig: PluginConfig {
    var lr = 1e-3
    var betas = [0.9, 0.999]
    var eps = 1e-8
    var weightDecay = 0.0
    static let documentation: [String: FieldDoc] = [
        "lr": FieldDoc("Peak learning rate (the schedule scales it).", range: .positive),
        "betas": FieldDoc(
            "Decay rates of the first and second moment estimates.", range: FieldRange.atLeast(0).below(1)),
        "eps": FieldDoc("Added to the denominator for stability.", range: .positive),
        "weight_decay": FieldDoc(
            "Weight decay: L2 on the gradient for Adam, decoupled for AdamW.", range: .nonNegative),
    ]
    func validate(_ v: inout ConfigValidator) {
        v.check(betas.count == 2, key: "betas", "must hold exactly two values (beta1, beta2)")
    }
}

/// AdamW's keys: Adam's with a weight decay of 0.01 by default.
struct AdamWConfig: PluginConfig {
    var lr = 1e-3
    var betas = [0.9, 0.999]
    var eps = 1e-8
    var weightDecay = 0.01
    static let documentation = AdamConfig.documentation
    func validate(_ v: inout ConfigValidator) {
        v.check(betas.count == 2, key: "betas", "must hold exactly two values (beta1, beta2)")
    }
}

/// `optim.adam`: Adam with L2 weight decay, as `torch.optim.Adam`.
struct AdamPlugin: OptimizerPlugin {
    static let descriptor = PluginDescriptor(
        id: "optim.adam", kind: .optimizer, version: "1.0.0", summary: "Adam (L2 weight decay)", config: AdamConfig.self
    )
    static func makeOptimizer(_ c: AdamConfig, parameters: [NamedParameter]) throws -> any Optimizer {
        Adam(parameters, lr: c.lr, beta1: c.betas[0], beta2: c.betas[1], eps: c.eps, weightDecay: c.weightDecay)
    }
}

/// `optim.adamw`: Adam with decoupled weight decay, as `torch.optim.AdamW`.
struct AdamWPlugin: OptimizerPlugin {
    static let descriptor = PluginDescriptor(
        id: "optim.adamw", kind: .optimizer, version: "1.0.0", summary: "Adam with decoupled weight decay",
        config: AdamWConfig.self)
    static func makeOptimizer(_ c: AdamWConfig, parameters: [NamedParameter]) throws -> any Optimizer {
        AdamW(parameters, lr: c.lr, beta1: c.betas[0], beta2: c.betas[1], eps: c.eps, weightDecay: c.weightDecay)
    }
}
