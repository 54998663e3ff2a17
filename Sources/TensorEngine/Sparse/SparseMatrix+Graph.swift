/// Graph preprocessing on adjacency matrices: degrees, self-loops and the usual normalisations.
///
/// These are host-side steps done once per graph: they read the current values and return matrices whose values
/// are off the graph (not recorded). For a learned normalisation, compute the values with tensor ops and use
/// `withValues`.
extension SparseMatrix {
    /// Row sums of the values: a node's (weighted) in-degree, counting its self-loop if it has one.
    public func rowSums() -> [Float] {
        let v = values.scalars
        var out = [Float](repeating: 0, count: rows)
        for e in 0..<nnz { out[Int(pattern.rowIndex.segments[e])] += v[e] }
        return out
    }

    /// Column sums of the values: a node's (weighted) out-degree.
    public func columnSums() -> [Float] {
        let v = values.scalars
        var out = [Float](repeating: 0, count: cols)
        for e in 0..<nnz { out[Int(pattern.colIndex.segments[e])] += v[e] }
        return out
    }

    /// A + w·I for a square matrix: `weight` is added to the diagonal, creating the entries that are missing.
    /// Not recorded.
    public func addingSelfLoops(weight: Float = 1) -> SparseMatrix {
        precondition(rows == cols, "addingSelfLoops: matrix is \(rows)×\(cols), not square")
        let r = pattern.rowIndex.segments.map(Int.init), c = pattern.colIndex.segments.map(Int.init)
        return SparseMatrix(rows: rows, cols: cols, rowIndices: r + Array(0..<rows), colIndices: c + Array(0..<rows),
                            values: values.scalars + [Float](repeating: weight, count: rows))
    }

    /// D^-1/2 A D^-1/2 with D the row sums (Kipf and Welling's normalisation when A already has self-loops):
    /// entry (i, j) becomes a_ij / √(dᵢ·dⱼ). Rows with zero degree stay zero. Not recorded. For a non-symmetric
    /// A the column scaling also uses row sums (in-degrees), as PyTorch Geometric's `gcn_norm` does.
    public func symmetricallyNormalized() -> SparseMatrix {
        precondition(rows == cols, "symmetricallyNormalized: matrix is \(rows)×\(cols), not square")
        let invSqrt = rowSums().map { $0 > 0 ? 1 / $0.squareRoot() : 0 }
        return scaled { e, v in invSqrt[Int(pattern.rowIndex.segments[e])] * v * invSqrt[Int(pattern.colIndex.segments[e])] }
    }

    /// D^-1 A: every row divided by its sum, so `matmul` averages a node's neighbours (mean aggregation).
    /// Rows with zero sum stay zero. Not recorded.
    public func rowNormalized() -> SparseMatrix {
        let inv = rowSums().map { $0 != 0 ? 1 / $0 : 0 }
        return scaled { e, v in v * inv[Int(pattern.rowIndex.segments[e])] }
    }

    /// The same pattern with values `f(entry, value)`, off the graph.
    private func scaled(_ f: (Int, Float) -> Float) -> SparseMatrix {
        let v = values.scalars
        return withValues(Tensor([nnz], (0..<nnz).map { f($0, v[$0]) }))
    }
}
