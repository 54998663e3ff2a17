public import PluginAPI

/// Any plugin Kiln can compile in: a type with a descriptor, conforming to exactly one of the component
/// protocols (``DatasetPlugin``, ``ModelPlugin``, ``OptimizerPlugin``, ``MethodPlugin``, ``EvaluatorPlugin``,
/// ``StagePlugin``) whose kind matches the descriptor's.
///
/// A list of plugin types is what `KilnCLI.main(plugins:)` takes and what ``PluginCatalog`` checks:
///
/// ```swift
/// KilnCLI.main(plugins: BuiltinPlugins.all + [LionPlugin.self])
/// ```
///
/// `SendableMetatype` lets the list of types cross into the run's task; instances (a method with tensors) need
/// not be `Sendable`.
public protocol KilnPlugin: SendableMetatype {
    /// Id, kind, version, summary and configuration type: everything the spec loader, `kiln plugins` and the
    /// JSON Schema know. The configuration type must be the protocol's `Config`.
    static var descriptor: PluginDescriptor { get }
}

/// The shape of the supervised task a model is built for and a method trains on.
public struct TaskInfo: Sendable, Equatable {
    /// Shape of one example without the batch axis: `[F]` for vectors, `[C, H, W]` for images, `[]` for the
    /// node ids a graph model reads.
    public var exampleShape: [Int]
    /// Number of classes; labels lie in `0..<classCount`.
    public var classCount: Int
    /// Class names when the dataset has them.
    public var classNames: [String]?
    /// The graph, when the dataset is one graph (node classification); nil otherwise.
    public var graph: TaskGraph?

    /// A task with examples of `exampleShape` in `classCount` classes, on `graph` for node classification.
    public init(exampleShape: [Int], classCount: Int, classNames: [String]? = nil, graph: TaskGraph? = nil) {
        self.exampleShape = exampleShape
        self.classCount = classCount
        self.classNames = classNames
        self.graph = graph
    }

    /// Elements per example: the input width of a model that flattens (`C·H·W` for images).
    public var inputFeatures: Int { exampleShape.reduce(1, *) }
}

/// What a dataset plugin produces, so a spec that pairs a dataset with a method that cannot use it is rejected
/// before anything runs.
public enum DataKind: String, Sendable, CaseIterable, Comparable {
    /// Examples with class labels (vectors or images): ``LabeledDataset``.
    case labeled
    /// One graph for node classification: ``GraphDataset``. Supervised methods see its node features.
    case graph
    /// A byte sequence: ``TextDataset``.
    case text

    /// Declaration order.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
