package import TensorEngine

extension Tensor {
    /// Rows `indices` of the leading axis, in that order: `[N, ...] → [indices.count, ...]`.
    ///
    /// A host-side copy for batching and splitting; it records nothing on the graph.
    package func rows(at indices: [Int]) -> Tensor {
        precondition(rank >= 1, "rows(at:): needs rank ≥ 1, got shape \(shape)")
        let n = shape[0], row = shape.dropFirst().reduce(1, *)
        var outShape = shape
        outShape[0] = indices.count
        return withUnsafeElements { src in
            Tensor.make(shape: outShape) { out in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < n, "rows(at:): index \(i) outside 0..<\(n)")
                    guard row > 0 else { continue }
                    (out.baseAddress! + k * row).update(from: src.baseAddress! + i * row, count: row)
                }
            }
        }
    }
}
