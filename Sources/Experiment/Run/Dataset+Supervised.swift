import TensorEngine

extension Dataset {
    /// The kind of data this is.
    public var kind: DataKind {
        switch self {
        case .labeled: .labeled
        case .graph: .graph
        case .text: .text
        }
    }

    /// The examples a method trains and is evaluated on: a labeled dataset as it is; a graph's nodes with their
    /// features, the train mask's nodes for training and the test mask's for evaluation (edges are not used: an MLP
    /// on node features is the usual graph-free baseline); text as its windows (``TextDataset/windowed()``), nil
    /// when a split is shorter than one window (``TextDataset/windowingProblem`` says why).
    public var supervisedView: LabeledDataset? {
        switch self {
        case .labeled(let d): return d
        case .graph(let g):
            func nodes(_ mask: [Bool]) -> DataSplit {
                let indices = mask.indices.filter { mask[$0] }
                return DataSplit(inputs: g.features.rows(at: indices), labels: g.labels.rows(at: indices))
            }
            return LabeledDataset(
                name: g.name, train: nodes(g.trainMask), test: nodes(g.testMask), classCount: g.classCount,
                classNames: g.classNames)
        case .text(let t): return t.windowingProblem == nil ? t.windowed() : nil
        }
    }
}
