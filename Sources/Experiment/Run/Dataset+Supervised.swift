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

    /// The examples a supervised method trains and is evaluated on, for a model that reads examples: a labeled
    /// dataset as it is; a graph's nodes with their features, the train mask's nodes for training and the test
    /// mask's for evaluation (edges are not used: an MLP on node features is the usual graph-free baseline); nil
    /// for text.
    public var supervisedView: LabeledDataset? { supervisedView(for: .examples) }

    /// The examples a supervised method trains and is evaluated on, as a model with `input` reads them: for
    /// ``ModelInput/graphNodes`` the inputs are node ids `[n]` (the train mask's nodes, and the test mask's for
    /// evaluation) and the model finds features and edges in ``TaskInfo/graph``; for ``ModelInput/text`` the
    /// text's windows (``TextDataset/windowed()``). Nil when the model cannot read this data at all (node ids of
    /// data that is not a graph, text for a model that is not a language model, a language model on other data)
    /// or a text split is shorter than one window (``TextDataset/windowingProblem`` says why).
    public func supervisedView(for input: ModelInput) -> LabeledDataset? {
        switch (self, input) {
        case (.text(let t), .text): return t.windowingProblem == nil ? t.windowed() : nil
        case (.text, _), (_, .text): return nil
        case (.labeled, .graphNodes): return nil
        case (.labeled(let d), _): return d
        case (.graph(let g), _):
            func nodes(_ mask: [Bool]) -> DataSplit {
                let indices = mask.indices.filter { mask[$0] }
                // Node ids are exact as floats up to 2²⁴ nodes.
                let inputs =
                    input == .graphNodes
                    ? Tensor([indices.count], indices.map(Float.init)) : g.features.rows(at: indices)
                return DataSplit(inputs: inputs, labels: g.labels.rows(at: indices))
            }
            return LabeledDataset(
                name: g.name, train: nodes(g.trainMask), test: nodes(g.testMask), classCount: g.classCount,
                classNames: g.classNames)
        }
    }
}
