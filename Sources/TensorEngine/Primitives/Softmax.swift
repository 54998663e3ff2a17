extension Tensor {
    /// Softmax along `axis`. d = y·(g − Σ g·y)
    public func softmax(axis: Int = -1) -> Tensor {
        let (x, restore) = movedToLast(axis)
        let y = Tensor.make(shape: x.shape) { out in
            softmaxRows(x.storage.base, out.baseAddress!, rows: x.count / Swift.max(x.shape.last!, 1), n: x.shape.last!, log: false)
        }
        let rec = Tensor.record("softmax", y, [x]) { g, _ in [y * (g - (g * y).sum(axes: [-1], keepingDims: true))] }
        return restore(rec)
    }

    /// Log-softmax along `axis`. d = g − softmax·Σ g
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let (x, restore) = movedToLast(axis)
        let y = Tensor.make(shape: x.shape) { out in
            softmaxRows(x.storage.base, out.baseAddress!, rows: x.count / Swift.max(x.shape.last!, 1), n: x.shape.last!, log: true)
        }
        let rec = Tensor.record("log_softmax", y, [x]) { g, _ in
            [g - y.exp() * g.sum(axes: [-1], keepingDims: true)]
        }
        return restore(rec)
    }

    /// Moves `axis` last (a recorded permute when needed) and returns the inverse move.
    private func movedToLast(_ axis: Int) -> (Tensor, (Tensor) -> Tensor) {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "softmax: axis \(axis) out of range for \(shape)")
        if a == rank - 1 { return (self, { $0 }) }
        var order = Array(0..<rank)
        order.remove(at: a)
        order.append(a)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return (permuted(order), { $0.permuted(inverse) })
    }
}
