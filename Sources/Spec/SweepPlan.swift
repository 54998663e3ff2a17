public import Foundation
public import PluginAPI

/// One swept key and the values it takes.
public struct SweepAxis: Sendable, Equatable {
    /// How the key's values are chosen.
    public enum Values: Sendable, Equatable {
        /// Every listed value, crossed with every other grid axis.
        case grid([ConfigValue])
        /// Uniform draws in `[low, high]`: whole numbers when the swept key is an integer, numbers otherwise.
        case uniform(low: ConfigValue, high: ConfigValue)
        /// Draws whose logarithm is uniform in `[log low, log high]`, rounded when the swept key is an integer.
        case logUniform(low: ConfigValue, high: ConfigValue)
        /// Uniform draws among the listed values.
        case choice([ConfigValue])
    }

    /// The key being swept, from the spec's root: `optimizer.lr`, `stages[1].sparsity`.
    public var path: ConfigKeyPath
    /// Its values.
    public var values: Values

    /// True for drawn axes, false for grid axes.
    public var isRandom: Bool {
        if case .grid = values { return false }
        return true
    }
}

/// One key set to one value in a sweep child.
public struct SweepAssignment: Sendable, Equatable {
    /// The key, from the spec's root.
    public var path: ConfigKeyPath
    /// Its value in this child.
    public var value: ConfigValue
}

/// One point of a sweep: a complete run of its own.
public struct SweepChild: Sendable, Equatable {
    /// Position in the sweep, from 0; the order is stable for a given spec and seed.
    public var index: Int
    /// `000-lr=0.001,batch=64`: the index, then each swept key's last component and value.
    public var label: String
    /// Where the child's run goes, relative to the spec's directory: `NAME.sweep/000-lr=0.001` for `NAME.yaml`.
    public var directory: String
    /// The values this child sets, in axis order.
    public var assignments: [SweepAssignment]
    /// The child's resolved spec, named `NAME/LABEL`.
    public var spec: ExperimentSpec
}

/// A spec with `sweep:`, expanded into its children.
public struct SweepPlan: Sendable, Equatable {
    /// The parent's run name.
    public var name: String
    /// The spec file.
    public var source: URL
    /// The swept keys, in the order the spec lists them.
    public var axes: [SweepAxis]
    /// Random draws per grid point (1 when there are no random axes).
    public var samples: Int
    /// Every child, grid order outermost (last grid axis fastest), then sample.
    public var children: [SweepChild]

    /// The folder holding the children and the summary, relative to the spec's directory: `NAME.sweep` beside
    /// the spec file `NAME.yaml`, named after the file like the parent's `NAME.run`, whatever its `name:` key.
    public var directory: String { "\(source.deletingPathExtension().lastPathComponent).sweep" }
}

/// The outcome of loading a spec: one run, or a sweep of runs.
public enum LoadedSpec: Sendable, Equatable {
    /// A spec without `sweep:`.
    case single(ExperimentSpec)
    /// A spec with `sweep:`, already expanded; every child is validated.
    case sweep(SweepPlan)

    /// The runs to execute, in order.
    public var runs: [ExperimentSpec] {
        switch self {
        case .single(let spec): [spec]
        case .sweep(let plan): plan.children.map(\.spec)
        }
    }
}
