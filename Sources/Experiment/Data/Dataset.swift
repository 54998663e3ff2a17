public import TensorEngine

/// Inputs and their class labels: one split of a supervised dataset.
///
/// Not `Sendable`: it holds tensors, which belong to the one task that runs the job.
public struct DataSplit {
    /// `[N, ...features]`: vectors `[N, F]` or images `[N, C, H, W]`.
    public var inputs: Tensor
    /// `[N]`: class ids stored as floats (`0, 1, …, classCount − 1`).
    public var labels: Tensor

    /// A split; `inputs` and `labels` must agree on `N`.
    public init(inputs: Tensor, labels: Tensor) {
        precondition(inputs.rank >= 1 && labels.rank == 1 && inputs.shape[0] == labels.shape[0],
                     "DataSplit: inputs \(inputs.shape) and labels \(labels.shape) disagree on N")
        self.inputs = inputs
        self.labels = labels
    }

    /// Number of examples `N`.
    public var count: Int { labels.shape[0] }
    /// Shape of one example (`inputs.shape` without `N`).
    public var exampleShape: [Int] { Array(inputs.shape.dropFirst()) }

    /// Examples per class, indexed by class id (labels outside `0..<classCount` are ignored).
    public func classCounts(classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        labels.withUnsafeElements { for y in $0 { let c = Int(y); if c >= 0 && c < classCount { counts[c] += 1 } } }
        return counts
    }

    /// The examples at `indices`, in that order (host-side copy; records nothing on the graph).
    public func subset(_ indices: [Int]) -> DataSplit {
        DataSplit(inputs: inputs.rows(at: indices), labels: labels.rows(at: indices))
    }
}

/// A supervised dataset: train and test splits of inputs and class labels.
public struct LabeledDataset {
    /// Short identifier (`"blobs"`, `"mnist"`, a file name).
    public var name: String
    /// The training split.
    public var train: DataSplit
    /// The held-out split.
    public var test: DataSplit
    /// Number of classes `C`; labels lie in `0..<C`.
    public var classCount: Int
    /// Optional human-readable class names, `classCount` of them.
    public var classNames: [String]?

    /// A dataset; both splits must have the same example shape.
    public init(name: String, train: DataSplit, test: DataSplit, classCount: Int, classNames: [String]? = nil) {
        precondition(train.exampleShape == test.exampleShape,
                     "LabeledDataset: train examples \(train.exampleShape) and test \(test.exampleShape) differ")
        precondition(classNames.map { $0.count == classCount } ?? true,
                     "LabeledDataset: \(classNames?.count ?? 0) class names for \(classCount) classes")
        self.name = name
        self.train = train
        self.test = test
        self.classCount = classCount
        self.classNames = classNames
    }

    /// Splits one pool of examples into train and test with a seeded shuffle; `testFraction` in `[0, 1)`.
    public static func splitting(
        name: String, _ all: DataSplit, testFraction: Double, classCount: Int, classNames: [String]? = nil,
        using rng: inout RandomGenerator
    ) -> LabeledDataset {
        precondition(testFraction >= 0 && testFraction < 1, "splitting: testFraction \(testFraction) not in [0, 1)")
        let order = rng.permutation(all.count)
        let nTest = Int((Double(all.count) * testFraction).rounded())
        return LabeledDataset(
            name: name, train: all.subset(Array(order[nTest...])), test: all.subset(Array(order[..<nTest])),
            classCount: classCount, classNames: classNames)
    }
}

/// Node classification on one graph: features, labels, edges and train/validation/test node masks.
public struct GraphDataset {
    /// Short identifier (`"csbm"`, a file name).
    public var name: String
    /// `[N, F]` node features.
    public var features: Tensor
    /// `[N]` class ids stored as floats.
    public var labels: Tensor
    /// Directed edges; an undirected graph lists each edge in both directions.
    public var edges: EdgeList
    /// `[N]` node masks; a node is in at most one of them.
    public var trainMask: [Bool]
    /// Nodes for model selection.
    public var validationMask: [Bool]
    /// Nodes for the final evaluation.
    public var testMask: [Bool]
    /// Number of classes `C`.
    public var classCount: Int
    /// Optional class names, `classCount` of them.
    public var classNames: [String]?

    /// A graph dataset; sizes must agree (features, labels, edge list and masks all over `N` nodes).
    public init(
        name: String, features: Tensor, labels: Tensor, edges: EdgeList, trainMask: [Bool], validationMask: [Bool],
        testMask: [Bool], classCount: Int, classNames: [String]? = nil
    ) {
        let n = labels.shape.first ?? 0
        precondition(features.rank == 2 && labels.rank == 1 && features.shape[0] == n,
                     "GraphDataset: features \(features.shape) and labels \(labels.shape) disagree on N")
        precondition(edges.nodeCount == n, "GraphDataset: edge list over \(edges.nodeCount) nodes, labels for \(n)")
        precondition([trainMask, validationMask, testMask].allSatisfy { $0.count == n },
                     "GraphDataset: masks must have \(n) entries")
        self.name = name
        self.features = features
        self.labels = labels
        self.edges = edges
        self.trainMask = trainMask
        self.validationMask = validationMask
        self.testMask = testMask
        self.classCount = classCount
        self.classNames = classNames
    }

    /// Number of nodes `N`.
    public var nodeCount: Int { edges.nodeCount }
    /// Class id of every node.
    public var classIDs: [Int] { labels.scalars.map { Int($0) } }
    /// Nodes per class.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for c in classIDs where c >= 0 && c < classCount { counts[c] += 1 }
        return counts
    }
}

/// Byte-level text for language modelling: a training and a validation byte sequence.
public struct TextDataset: Sendable, Equatable {
    /// Short identifier (`"text-grammar"`, a file name).
    public var name: String
    /// Training bytes.
    public var train: [UInt8]
    /// Validation bytes.
    public var validation: [UInt8]
    /// How the run driver cuts the bytes into examples (see ``TextWindowing``).
    public var windowing: TextWindowing
    /// Always 256: every byte value is a token.
    public var vocabularySize: Int { 256 }

    /// A text dataset from its two splits.
    public init(name: String, train: [UInt8], validation: [UInt8], windowing: TextWindowing = TextWindowing()) {
        self.name = name
        self.train = train
        self.validation = validation
        self.windowing = windowing
    }

    /// Splits one byte sequence: the first `1 − validationFraction` for training, the rest for validation.
    public init(name: String, bytes: [UInt8], validationFraction: Double, windowing: TextWindowing = TextWindowing()) {
        precondition(validationFraction >= 0 && validationFraction < 1,
                     "TextDataset: validationFraction \(validationFraction) not in [0, 1)")
        let cut = bytes.count - Int((Double(bytes.count) * validationFraction).rounded())
        self.init(name: name, train: Array(bytes[..<cut]), validation: Array(bytes[cut...]), windowing: windowing)
    }
}

/// Any dataset a spec's dataset component can produce.
public enum Dataset {
    /// Examples with class labels (vectors or images).
    case labeled(LabeledDataset)
    /// One graph for node classification.
    case graph(GraphDataset)
    /// A byte sequence for language modelling.
    case text(TextDataset)

    /// The dataset's identifier, whatever its kind.
    public var name: String {
        switch self {
        case .labeled(let d): d.name
        case .graph(let d): d.name
        case .text(let d): d.name
        }
    }
    /// The labeled dataset, or nil for other kinds.
    public var labeled: LabeledDataset? { if case .labeled(let d) = self { d } else { nil } }
    /// The graph dataset, or nil for other kinds.
    public var graph: GraphDataset? { if case .graph(let d) = self { d } else { nil } }
    /// The text dataset, or nil for other kinds.
    public var text: TextDataset? { if case .text(let d) = self { d } else { nil } }
}
