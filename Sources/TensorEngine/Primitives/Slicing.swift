extension Tensor {
    /// The elements in `range` along `axis`: [..., n, ...] → [..., range.count, ...]. Copies; records.
    ///
    /// `x.slice(axis: 1, 2..<5)`, `x.slice(axis: -1, ..<3)`, `x.slice(axis: 0, 4...)`.
    public func slice(axis: Int, _ range: some RangeExpression<Int>) -> Tensor {
        let a = normalizedAxis(axis, "slice")
        var ranges = shape.map { 0..<$0 }
        ranges[a] = range.relative(to: 0..<shape[a])
        return slice(ranges)
    }

    /// Slices the leading axes: `ranges[i]` along axis i, later axes whole. [4, 5, 6] with `[1..<3, 0..<2]`
    /// → [2, 2, 6]. Copies; records. d = g zero-padded back to this shape.
    public func slice(_ ranges: [Range<Int>]) -> Tensor {
        precondition(ranges.count <= rank, "slice: \(ranges.count) ranges for shape \(shape)")
        let full = ranges + shape[ranges.count...].map { 0..<$0 }
        for (i, r) in full.enumerated() {
            precondition(r.lowerBound >= 0 && r.upperBound <= shape[i],
                         "slice: range \(r) out of bounds for axis \(i) of shape \(shape)")
        }
        let outShape = full.map(\.count)
        if outShape == shape { return self }
        let st = strides
        let offset = zip(full, st).reduce(0) { $0 + $1.0.lowerBound * $1.1 }
        let out = Tensor.make(shape: outShape) { dst in
            stridedTransfer(from: storage.base + offset, strides: st, to: dst.baseAddress!,
                            strides: Tensor.strides(of: outShape), shape: outShape)
        }
        let pads = zip(full, shape).map { (before: $0.lowerBound, after: $1 - $0.upperBound) }
        // d slice = g placed at the slice's position in zeros.
        return Tensor.record("slice", out, [self]) { g, _ in [g.padded(by: pads)] }
    }

    /// The sub-tensor at position `index` along `axis`, that axis dropped: [..., n, ...] → [..., ...].
    /// A negative index counts from the end. Records (a slice and a reshape).
    public func index(_ index: Int, along axis: Int = 0) -> Tensor {
        let a = normalizedAxis(axis, "index")
        let i = index < 0 ? index + shape[a] : index
        precondition(i >= 0 && i < shape[a], "index: \(index) out of range for axis \(axis) of shape \(shape)")
        return slice(axis: a, i..<(i + 1)).squeezed(at: a)
    }

    /// Pads every axis with `before` and `after` elements of `value` (zeros by default):
    /// [n₀, n₁, …] → [n₀ + b₀ + a₀, …]. `pads.count` must equal the rank. Records; d = g sliced back.
    public func padded(by pads: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        precondition(pads.count == rank, "pad: \(pads.count) pads for shape \(shape)")
        precondition(pads.allSatisfy { $0.before >= 0 && $0.after >= 0 }, "pad: negative padding \(pads) for \(shape)")
        let outShape = zip(shape, pads).map { $0 + $1.before + $1.after }
        if outShape == shape { return self }
        let outStrides = Tensor.strides(of: outShape)
        let offset = zip(pads, outStrides).reduce(0) { $0 + $1.0.before * $1.1 }
        let inShape = shape
        let out = Tensor.make(shape: outShape) { dst in
            dst.update(repeating: value)
            stridedTransfer(from: storage.base, strides: Tensor.strides(of: inShape), to: dst.baseAddress! + offset,
                            strides: outStrides, shape: inShape)
        }
        let ranges = zip(pads, inShape).map { $0.before..<($0.before + $1) }
        // d pad = g without the padding.
        return Tensor.record("pad", out, [self]) { g, _ in [g.slice(ranges)] }
    }
}
