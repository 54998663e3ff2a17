/// A sparse `rows × cols` float32 matrix in CSR form: a shared `SparsePattern` and one value per stored entry.
///
/// The values are a `Tensor` [nnz], so edge weights can be computed (gates, attention) or learned and get
/// gradients through `matmul`. Graph adjacency reads entry (i, j) as an edge j → i, so `A.matmul(X)` sums each
/// node's incoming messages: out[i] = Σⱼ A[i, j]·X[j].
///
///     let a = SparseMatrix.adjacency(nodes: 3, sources: [0, 1], destinations: [1, 2])
///     let â = a.addingSelfLoops().symmetricallyNormalized()   // D^-1/2 (A + I) D^-1/2
///     let h = â.matmul(x)                                     // [3, F], records on the graph
public struct SparseMatrix {
    /// Where the entries are (shared, immutable).
    public let pattern: SparsePattern
    /// One value per entry in CSR order, [nnz]; may be on the graph.
    public let values: Tensor

    /// A matrix with the given pattern and values [nnz].
    public init(pattern: SparsePattern, values: Tensor) {
        precondition(values.shape == [pattern.nnz],
                     "SparseMatrix: values of shape \(values.shape) for a pattern with \(pattern.nnz) entries")
        self.pattern = pattern
        self.values = values
    }

    /// A matrix from COO entries (any order): duplicates are summed, in input order.
    public init(rows: Int, cols: Int, rowIndices: [Int], colIndices: [Int], values: [Float]) {
        precondition(values.count == rowIndices.count,
                     "SparseMatrix: \(values.count) values for \(rowIndices.count) entries")
        let (pattern, slot) = SparsePattern.fromCOO(rows: rows, cols: cols, rowIndices: rowIndices, colIndices: colIndices)
        var summed = [Float](repeating: 0, count: pattern.nnz)
        for (i, v) in values.enumerated() { summed[slot[i]] += v }
        self.init(pattern: pattern, values: Tensor([pattern.nnz], summed))
    }

    /// The 0/1 adjacency of a directed edge list over `nodes` nodes: entry (d, s) is 1 for every edge s → d.
    /// Repeated edges count once. Pass both directions of each edge for an undirected graph.
    public static func adjacency(nodes: Int, sources: [Int], destinations: [Int]) -> SparseMatrix {
        let (pattern, _) = SparsePattern.fromCOO(rows: nodes, cols: nodes, rowIndices: destinations, colIndices: sources)
        return SparseMatrix(pattern: pattern, values: Tensor.ones([pattern.nnz]))
    }

    /// Rows.
    public var rows: Int { pattern.rows }
    /// Columns.
    public var cols: Int { pattern.cols }
    /// Stored entries.
    public var nnz: Int { pattern.nnz }
    /// `[rows, cols]`.
    public var shape: [Int] { [rows, cols] }

    /// The same pattern with other values [nnz] (a learned or computed edge weighting).
    public func withValues(_ newValues: Tensor) -> SparseMatrix { SparseMatrix(pattern: pattern, values: newValues) }

    /// The matrix as a dense tensor [rows, cols] (for tests and small graphs). Not recorded.
    public func toDense() -> Tensor {
        let v = values.scalars
        return Tensor.make(shape: [rows, cols]) { out in
            out.update(repeating: 0)
            for e in 0..<nnz {
                out[Int(pattern.rowIndex.segments[e]) * cols + Int(pattern.colIndex.segments[e])] += v[e]
            }
        }
    }

    /// The transpose (`cols × rows`). Records: the values are a permutation of these, and their gradient flows back.
    public func transposed() -> SparseMatrix {
        let (t, source) = pattern.transposed()
        return SparseMatrix(pattern: t, values: values.indexSelect(axis: 0, indices: Tensor([nnz], source.map(Float.init))))
    }
}
