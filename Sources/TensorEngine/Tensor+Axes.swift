extension Tensor {
    /// `axis` counted from the end when negative, checked against the rank; `op` names the caller in the message.
    package func normalizedAxis(_ axis: Int, _ op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(op): axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// The sizes of this tensor viewed as [outer, n, inner] around `axis` (already normalised).
    package func split(around axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The elements as integer indices, each checked to be a whole number in `0..<bound`.
    package func indexValues(_ op: String, bound: Int) -> [Int] {
        withUnsafeElements { src in
            src.enumerated().map { i, v in
                precondition(v >= 0 && v < Float(bound) && v == v.rounded(.towardZero),
                             "\(op): index \(v) at position \(i) is not an integer in 0..<\(bound)")
                return Int(v)
            }
        }
    }
}
