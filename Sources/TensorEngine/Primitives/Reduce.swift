extension Tensor {
    /// Normalises axes (negative counts from the end), sorted and unique.
    package func normalizedAxes(_ axes: [Int]?) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let out = Set(axes.map { a -> Int in
            let n = a < 0 ? a + rank : a
            precondition(n >= 0 && n < Swift.max(rank, 1), "reduce: axis \(a) out of range for shape \(shape)")
            return n
        })
        return out.sorted()
    }

    /// Shape after reducing `axes`, with those dimensions kept as 1 or dropped.
    package func reducedShape(_ axes: [Int], keepingDims: Bool) -> [Int] {
        keepingDims
            ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Unrecorded reduction over sorted axes; runs of adjacent axes reduce in one pass.
    package func reduced(_ kind: ReduceKind, axes: [Int]) -> Tensor {
        var x = self
        // Reduce the last run first so earlier axis numbers stay valid (kept dims are 1 while reducing).
        var remaining = axes
        while let last = remaining.last {
            var first = last
            while let prev = remaining.dropLast(last - first + 1).last, prev == first - 1 { first = prev }
            remaining.removeLast(last - first + 1)
            let outer = x.shape[..<first].reduce(1, *)
            let n = x.shape[first...last].reduce(1, *)
            let inner = x.shape[(last + 1)...].reduce(1, *)
            var newShape = x.shape
            for a in first...last { newShape[a] = 1 }
            let src = x
            x = Tensor.make(shape: newShape) { out in
                reduceForward(kind, src.storage.base, outer: outer, n: n, inner: inner, out.baseAddress!)
            }
        }
        return x
    }

    /// Sum over `axes` (all when nil). d = g broadcast back over the reduced axes.
    public func sum(axes: [Int]? = nil, keepingDims: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        let kept = reduced(.sum, axes: ax)
        let out = kept.reshaped(reducedShape(ax, keepingDims: keepingDims))
        let inShape = shape, keptShape = kept.shape
        return Tensor.record("sum", out, [self]) { g, _ in [g.reshaped(keptShape).broadcast(to: inShape)] }
    }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepingDims: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        let n = ax.reduce(1) { $0 * shape[$1] }
        return sum(axes: ax, keepingDims: keepingDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Variance over `axes`, population (÷n) unless `unbiased` (÷(n-1)).
    public func variance(axes: [Int]? = nil, keepingDims: Bool = false, unbiased: Bool = false) -> Tensor {
        let ax = normalizedAxes(axes)
        let n = ax.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(axes: ax, keepingDims: true)
        let ss = (centered * centered).sum(axes: ax, keepingDims: keepingDims)
        return ss * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
    }

    /// Maximum over `axes`; the gradient is shared equally among tied maxima.
    public func max(axes: [Int]? = nil, keepingDims: Bool = false) -> Tensor { extremum(.max, axes, keepingDims) }
    /// Minimum over `axes`; the gradient is shared equally among tied minima.
    public func min(axes: [Int]? = nil, keepingDims: Bool = false) -> Tensor { extremum(.min, axes, keepingDims) }

    private func extremum(_ kind: ReduceKind, _ axes: [Int]?, _ keepingDims: Bool) -> Tensor {
        let ax = normalizedAxes(axes)
        let kept = reduced(kind, axes: ax)
        let out = kept.reshaped(reducedShape(ax, keepingDims: keepingDims))
        let x = self
        return Tensor.record(kind == .max ? "max" : "min", out, [x]) { g, _ in
            let hit = x.equal(kept)
            let ties = hit.reduced(.sum, axes: ax)
            return [hit * (g.reshaped(kept.shape) / ties)]
        }
    }

    /// Sums a broadcast gradient back to `target` (the inverse of broadcasting `target` to this shape).
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let pad = rank - target.count
        precondition(pad >= 0, "sumToShape: cannot reduce \(shape) to \(target)")
        var axes: [Int] = Array(0..<pad)
        for (i, d) in target.enumerated() where d == 1 && shape[i + pad] != 1 { axes.append(i + pad) }
        return sum(axes: axes, keepingDims: true).reshaped(target)
    }
}
