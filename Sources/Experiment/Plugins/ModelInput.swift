/// What a model reads, so that a spec pairing it with data it cannot read is rejected before anything runs.
public enum ModelInput: String, Sendable, CaseIterable {
    /// Examples of any shape, flattened as needed (an MLP); on a graph dataset, the nodes' feature vectors.
    case examples
    /// Images `[C, H, W]` of a labeled dataset (a CNN).
    case images
    /// Node ids `[B]` of a graph dataset's one graph (``TaskInfo/graph``): the model propagates over the whole
    /// graph and returns the rows of those nodes (a GCN).
    case graphNodes = "graph-nodes"
    /// Windows `[T + 1]` of a text dataset's bytes: the model reads the first T as ids `[B, T]` and returns
    /// next-byte logits `[B, T, 256]` (a language model).
    case text

    /// Why data of `kind` from `dataset` (a name to quote), with examples of `exampleShape` when that is known,
    /// does not suit this input, phrased to follow the model's id; nil when it does or cannot be told yet.
    public func mismatch(with kind: DataKind, exampleShape: [Int]?, dataset: String) -> String? {
        switch (self, kind) {
        case (.text, .text):
            return nil
        case (.text, .labeled):
            return "is a byte-level language model, but \(dataset) gives labeled examples, not text"
        case (.text, .graph):
            return "is a byte-level language model, but \(dataset) gives a graph, not text"
        case (_, .text):
            return "does not read text, but \(dataset) gives text; language models read it (model.gpt)"
        case (.graphNodes, .labeled):
            return "classifies the nodes of a graph, but \(dataset) gives labeled examples, not a graph"
        case (.images, .graph):
            return "needs images [C, H, W], but \(dataset) gives a graph (node feature vectors)"
        case (.images, .labeled):
            guard let shape = exampleShape, shape.count != 3 else { return nil }
            return "needs images [C, H, W], but \(dataset) gives examples of shape \(shape)"
        case (.examples, _), (.graphNodes, .graph):
            return nil
        }
    }
}
