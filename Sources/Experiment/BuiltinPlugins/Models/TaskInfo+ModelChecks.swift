import TensorEngine

extension TaskInfo {
    /// The size of the task's images `[C, H, W]`; an invalid-spec error naming the `model` plugin when the
    /// examples are not images (vectors, a graph's nodes).
    func imageShape(for model: String) throws(RunError) -> (channels: Int, height: Int, width: Int) {
        let kind: DataKind = graph == nil ? .labeled : .graph
        if let mismatch = ModelInput.images.mismatch(with: kind, exampleShape: exampleShape, dataset: "the dataset") {
            throw .invalidSpec("model.plugin: '\(model)' \(mismatch)")
        }
        return (exampleShape[0], exampleShape[1], exampleShape[2])
    }

    /// The task's graph; an invalid-spec error naming the `model` plugin when the data is not a graph.
    func graphForModel(_ model: String) throws(RunError) -> TaskGraph {
        guard let graph, exampleShape.isEmpty else {
            throw .invalidSpec(
                "model.plugin: '\(model)' classifies the nodes of a graph, but the dataset gives examples of shape "
                    + "\(exampleShape), not a graph")
        }
        return graph
    }
}

/// The invalid-spec error of an image model whose layers would shrink the task's images to nothing.
func imagesTooSmall(_ model: String, height: Int, width: Int, need: String) -> RunError {
    .invalidSpec("model.plugin: '\(model)' \(need), but the dataset's images are \(height)×\(width)")
}
