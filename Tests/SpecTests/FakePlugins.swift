import Foundation
import PluginAPI

// Stand-ins for the engine-backed plugins that live in other targets: only their descriptors and
// configurations matter to the spec loader.

struct SpiralsConfig: PluginConfig {
    var classes = 3
    var train = 1000
    var test = 1000
    var noise = 0.1
    static let documentation: [String: FieldDoc] = [
        "classes": FieldDoc("Number of spiral arms.", range: .atLeast(2)),
        "train": FieldDoc("Training examples.", range: .atLeast(1)),
        "test": FieldDoc("Test examples.", range: .atLeast(1)),
        "noise": FieldDoc("Standard deviation of the noise added to each point.", range: .nonNegative),
    ]
}

struct CSVDataConfig: PluginConfig {
    var file = ""
    var cacheDir: String? = nil
    static let documentation: [String: FieldDoc] = [
        "file": FieldDoc("CSV file with one example per row.", required: true, path: .existingFile),
        "cache_dir": FieldDoc("Where decoded tensors are cached.", type: .string, path: .any),
    ]
}

struct MLPConfig: PluginConfig {
    enum Activation: String, Codable, CaseIterable { case relu, gelu, tanh }
    var hidden = [64, 64]
    var activation = Activation.relu
    var dropout = 0.0
    static let documentation: [String: FieldDoc] = [
        "hidden": FieldDoc("Width of each hidden layer.", range: .atLeast(1)),
        "activation": FieldDoc("Nonlinearity between layers.", choices: Activation.self),
        "dropout": FieldDoc("Dropout probability after each hidden layer.", range: FieldRange.atLeast(0).below(1)),
    ]
}

struct AdamWConfig: PluginConfig {
    var lr = 1e-3
    var betas = [0.9, 0.999]
    var weightDecay = 0.01
    var eps = 1e-8
    static let documentation: [String: FieldDoc] = [
        "lr": FieldDoc("Peak learning rate; the schedule scales it.", range: .positive),
        "betas": FieldDoc(
            "Decay rates of the first and second moment estimates.", range: FieldRange.atLeast(0).below(1)),
        "weight_decay": FieldDoc("Decoupled weight decay.", range: .nonNegative),
        "eps": FieldDoc("Added to the denominator for stability.", range: .positive),
    ]
    func validate(_ v: inout ConfigValidator) {
        v.check(betas.count == 2, key: "betas", "must hold exactly two values (beta1, beta2)")
    }
}

struct SGDConfig: PluginConfig {
    var lr = 0.1
    var momentum = 0.0
    var nesterov = false
    static let documentation: [String: FieldDoc] = [
        "lr": FieldDoc("Learning rate.", range: .positive),
        "momentum": FieldDoc("Momentum factor.", range: FieldRange.atLeast(0).below(1)),
        "nesterov": FieldDoc("Use Nesterov momentum."),
    ]
    func validate(_ v: inout ConfigValidator) {
        v.check(!nesterov || momentum > 0, key: "nesterov", "needs momentum > 0")
    }
}

struct SupervisedConfig: PluginConfig {
    var labelSmoothing = 0.0
    var gradClip: Double? = nil
    static let documentation: [String: FieldDoc] = [
        "label_smoothing": FieldDoc("Label smoothing factor.", range: FieldRange.atLeast(0).below(1)),
        "grad_clip": FieldDoc("Clip the global gradient norm to this value.", range: .positive, type: .number),
    ]
}

struct AccuracyConfig: PluginConfig {
    var topK = 1
    static let documentation: [String: FieldDoc] = [
        "top_k": FieldDoc("Count a hit when the label is among the top k.", range: .atLeast(1))
    ]
}

struct NoConfig: PluginConfig {
    static let documentation: [String: FieldDoc] = [:]
}

struct PruneConfig: PluginConfig {
    var sparsity = 0.0
    var schedule = Schedule()
    struct Schedule: Codable, Sendable {
        var steps = 1
        var permanent = true
    }
    static let documentation: [String: FieldDoc] = [
        "sparsity": FieldDoc("Fraction of weights removed.", range: FieldRange.atLeast(0).below(1), required: true),
        "schedule": FieldDoc("How pruning is spread over time."),
        "schedule.steps": FieldDoc("Rounds of pruning.", range: .atLeast(1)),
        "schedule.permanent": FieldDoc("Remove masked weights for good at the end."),
    ]
}

enum FakePlugins {
    static let descriptors: [PluginDescriptor] = [
        PluginDescriptor(
            id: "data.spirals", kind: .dataset, version: "1.0.0", summary: "Interleaved 2-D spirals",
            config: SpiralsConfig.self),
        PluginDescriptor(
            id: "data.csv", kind: .dataset, version: "1.0.0", summary: "Rows of a CSV file", config: CSVDataConfig.self),
        PluginDescriptor(
            id: "model.mlp", kind: .model, version: "1.2.0", summary: "Multi-layer perceptron", config: MLPConfig.self),
        PluginDescriptor(
            id: "optim.adamw", kind: .optimizer, version: "1.0.0", summary: "Adam with decoupled weight decay",
            config: AdamWConfig.self),
        PluginDescriptor(
            id: "optim.adam", kind: .optimizer, version: "1.0.0", summary: "Adam", config: AdamWConfig.self),
        PluginDescriptor(
            id: "optim.sgd", kind: .optimizer, version: "1.0.0", summary: "Stochastic gradient descent",
            config: SGDConfig.self),
        PluginDescriptor(
            id: "train.supervised", kind: .method, version: "1.0.0", summary: "Cross-entropy training",
            config: SupervisedConfig.self),
        PluginDescriptor(
            id: "eval.accuracy", kind: .evaluator, version: "1.0.0", summary: "Top-k accuracy",
            config: AccuracyConfig.self),
        PluginDescriptor(
            id: "eval.loss", kind: .evaluator, version: "1.0.0", summary: "Mean loss", config: NoConfig.self),
        PluginDescriptor(
            id: "stage.prune-magnitude", kind: .stage, version: "0.1.0", summary: "Magnitude pruning",
            config: PruneConfig.self),
    ]

    static var registry: PluginRegistry {
        get throws { try PluginRegistry(descriptors) }
    }
}
