import Foundation
public import PluginAPI

// The spec's own sections are configurations like any plugin's: the same overlay checks them, the
// same tables document them for `kiln schema`, and their defaults live beside their types.

/// The spec's top-level scalar keys.
struct SpecHeader: PluginConfig {
    var name = ""
    var seed = 0
    var priority = 0
    var startFrom: String? = nil

    static let documentation: [String: FieldDoc] = [
        "name": FieldDoc("Name of the run and of its folder; defaults to the spec's file name without extension."),
        "seed": FieldDoc("Seed for every random generator of the run, and for sweep draws.", range: .nonNegative),
        "priority": FieldDoc("Queue priority; higher runs first.", range: .between(-100, 100)),
        "start_from": FieldDoc(
            "Checkpoint of another run to start from, relative to the spec; it must stay inside the run roots.",
            type: .string, path: .existingFile),
    ]

    func validate(_ v: inout ConfigValidator) {
        v.check(
            Self.isValidName(name), key: "name",
            "'\(name)' is not a usable run name: letters, digits and . _ = , + - only, starting with a letter or digit")
    }

    /// Run names become folder names: one or more safe segments joined by `/` (sweep children use it).
    static func isValidName(_ name: String) -> Bool {
        let segment = "[A-Za-z0-9][A-Za-z0-9._=,+-]*"
        return name.count <= 200 && name.range(of: "^\(segment)(/\(segment))*$", options: .regularExpression) != nil
    }
}

/// How long a training method runs and on how many examples per step.
public struct TrainingLoop: PluginConfig, Equatable {
    /// Optimizer steps to run.
    public var steps = 0
    /// Examples per step.
    public var batch = 32

    /// The defaults (`steps` must still be set by the spec).
    public init() {}

    /// Documentation, ranges and requirements of each key.
    public static let documentation: [String: FieldDoc] = [
        "steps": FieldDoc("Optimizer steps to run.", range: .atLeast(1), required: true),
        "batch": FieldDoc("Examples per step.", range: .atLeast(1)),
    ]
}

/// The learning-rate schedule applied on top of the optimizer's peak rate.
public struct LRSchedule: PluginConfig, Equatable {
    /// The schedule's shape after warm-up.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// The peak rate throughout.
        case constant
        /// A straight line from the peak to `final_ratio` × peak.
        case linear
        /// Half a cosine from the peak to `final_ratio` × peak.
        case cosine
    }
    /// The shape after warm-up.
    public var kind = Kind.constant
    /// Steps of linear warm-up from 0 to the peak rate.
    public var warmup = 0
    /// The rate at the last step as a fraction of the peak (linear and cosine).
    public var finalRatio = 0.0

    /// A constant rate without warm-up.
    public init() {}

    /// Documentation, ranges and requirements of each key.
    public static let documentation: [String: FieldDoc] = [
        "kind": FieldDoc("Shape after warm-up.", choices: Kind.self),
        "warmup": FieldDoc("Steps of linear warm-up from 0 to the peak learning rate.", range: .nonNegative),
        "final_ratio": FieldDoc(
            "Learning rate at the last step as a fraction of the peak (linear, cosine).", range: .unitInterval),
    ]
}

/// Evaluation cadence; the evaluators themselves are listed beside it.
struct EvalSection: PluginConfig {
    var every = 0
    static let documentation: [String: FieldDoc] = [
        "every": FieldDoc("Steps between evaluations; 0 evaluates only at the end.", range: .nonNegative)
    ]
}

/// When checkpoints are written and how many are kept.
public struct CheckpointPolicy: PluginConfig, Equatable {
    /// Steps between checkpoints; 0 saves only the final one.
    public var every = 0
    /// How many recent checkpoints to keep; 0 keeps all.
    public var keep = 3

    /// Final checkpoint only, three kept.
    public init() {}

    /// Documentation, ranges and requirements of each key.
    public static let documentation: [String: FieldDoc] = [
        "every": FieldDoc("Steps between checkpoints; 0 saves only the final one.", range: .nonNegative),
        "keep": FieldDoc("How many recent checkpoints to keep; 0 keeps all.", range: .nonNegative),
    ]
}

/// Hints for the scheduler; unset hints leave the choice to the daemon.
public struct ResourceHints: PluginConfig, Equatable {
    /// Compute threads the run expects to use.
    public var threads: Int? = nil
    /// Peak memory the run expects, in MiB.
    public var memoryMB: Int? = nil
    /// Wall-clock limit, in minutes.
    public var maxMinutes: Double? = nil

    /// No hints.
    public init() {}

    /// Documentation, ranges and requirements of each key.
    public static let documentation: [String: FieldDoc] = [
        "threads": FieldDoc("Compute threads the run expects to use.", range: .atLeast(1), type: .integer),
        "memory_mb": FieldDoc("Peak memory the run expects, in MiB.", range: .atLeast(1), type: .integer),
        "max_minutes": FieldDoc(
            "Wall-clock limit in minutes; the run is stopped after it.", range: .positive, type: .number),
    ]
}
