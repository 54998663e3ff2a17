extension Tensor {
    /// Joins tensors along an existing `axis`: shapes equal except there, [..., nᵢ, ...] → [..., Σ nᵢ, ...].
    /// Copies; records. Each input's gradient is its slab of g.
    public static func concatenate(_ parts: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!parts.isEmpty, "concatenate: no tensors")
        let first = parts[0]
        let a = first.normalizedAxis(axis, "concatenate")
        for p in parts {
            let fits = p.rank == first.rank && p.shape.indices.allSatisfy { $0 == a || p.shape[$0] == first.shape[$0] }
            precondition(fits, "concatenate: shapes \(parts.map(\.shape)) differ off axis \(axis)")
        }
        if parts.count == 1 { return first }
        let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
        let widths = parts.map { $0.shape[a] * inner }
        let starts = widths.reduce(into: [0]) { $0.append($0.last! + $1) }
        let total = starts.last!
        var outShape = first.shape
        outShape[a] = parts.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor.make(shape: outShape) { dst in
            let d = dst.baseAddress!
            parallelFor(outer, grain: Swift.max(1, parallelGrain / Swift.max(total, 1))) { r in
                for o in r {
                    for (p, (w, s)) in zip(parts, zip(widths, starts)) {
                        (d + o * total + s).update(from: p.storage.base + o * w, count: w)
                    }
                }
            }
        }
        let shapes = parts.map(\.shape)
        // d concat = g cut back into the inputs' slabs.
        return record("concat", out, parts) { g, needs in
            shapes.indices.map { i in
                guard needs[i] else { return nil }
                let w = widths[i], s = starts[i]
                return Tensor.make(shape: shapes[i]) { dst in
                    let d = dst.baseAddress!
                    parallelFor(outer, grain: Swift.max(1, parallelGrain / Swift.max(w, 1))) { r in
                        for o in r { (d + o * w).update(from: g.storage.base + o * total + s, count: w) }
                    }
                }
            }
        }
    }

    /// Stacks equally shaped tensors along a new `axis` (0...rank): k tensors of [A, B] with axis 1 → [A, k, B].
    /// Records (reshapes and a concatenation).
    public static func stack(_ parts: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!parts.isEmpty, "stack: no tensors")
        let shape = parts[0].shape
        precondition(parts.allSatisfy { $0.shape == shape }, "stack: shapes \(parts.map(\.shape)) differ")
        let a = axis < 0 ? axis + shape.count + 1 : axis
        precondition(a >= 0 && a <= shape.count, "stack: axis \(axis) out of range for shape \(shape)")
        return concatenate(parts.map { $0.expandingDims(at: a) }, axis: a)
    }
}
