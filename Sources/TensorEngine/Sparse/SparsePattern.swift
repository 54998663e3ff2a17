/// Where the stored entries of a sparse `rows × cols` matrix are: CSR order (sorted by row, then column, no
/// duplicates), with the column-major grouping (the transpose) computed once at construction.
///
/// Entry e sits at (`rowIndex.segments[e]`, `colIndex.segments[e]`). `rowIndex` is sorted, so its offsets are the
/// CSR row pointers; `colIndex`'s grouping lists each column's entries in row order, which is the CSR of the
/// transpose. Read as a graph, entry (i, j) is an edge j → i: `colIndex` gives every edge's source and `rowIndex`
/// its destination, the two indices `gatherRows` and `segmentSum` take. Immutable and shared between matrices
/// that differ only in values (a learned edge weighting, a normalisation).
public final class SparsePattern: Sendable {
    /// Rows of the matrix (destination nodes).
    public let rows: Int
    /// Columns of the matrix (source nodes).
    public let cols: Int
    /// The row of each entry, sorted: the CSR row pointers are its offsets.
    public let rowIndex: SegmentIndex
    /// The column of each entry; grouped by column it is the transpose's CSR.
    public let colIndex: SegmentIndex
    /// The row of each entry in column order (`colIndex`'s grouping): the column ids of the transpose's CSR, laid
    /// out contiguously so Aᵀ·G reads them in sequence.
    package let transposedRows: [Int32]

    /// A pattern from entries already in CSR order (rows sorted, columns sorted and unique within a row).
    public init(rows: Int, cols: Int, sortedRows: [Int32], sortedCols: [Int32]) {
        precondition(sortedRows.count == sortedCols.count,
                     "SparsePattern: \(sortedRows.count) row ids but \(sortedCols.count) column ids")
        for e in 1..<Swift.max(sortedRows.count, 1) {
            let ordered = sortedRows[e - 1] < sortedRows[e]
                || (sortedRows[e - 1] == sortedRows[e] && sortedCols[e - 1] < sortedCols[e])
            precondition(ordered, "SparsePattern: entries \(e - 1) and \(e) are not in strict (row, column) order")
        }
        self.rows = rows
        self.cols = cols
        self.rowIndex = SegmentIndex(sortedRows, segmentCount: rows)
        let colIndex = SegmentIndex(sortedCols, segmentCount: cols)
        self.colIndex = colIndex
        self.transposedRows = colIndex.order.map { $0.map { sortedRows[Int($0)] } } ?? sortedRows
    }

    /// Number of stored entries (edges).
    public var nnz: Int { rowIndex.count }

    /// Sorts COO entries into CSR order and merges duplicates. Returns the pattern and, for every input entry, the
    /// entry it landed on (so values can be summed: duplicates meet in input order, which keeps sums deterministic).
    public static func fromCOO(rows: Int, cols: Int, rowIndices: [Int], colIndices: [Int]) -> (
        pattern: SparsePattern, slot: [Int]
    ) {
        precondition(rowIndices.count == colIndices.count,
                     "SparsePattern.fromCOO: \(rowIndices.count) row ids but \(colIndices.count) column ids")
        precondition(rows >= 0 && cols >= 0 && rows < Int(Int32.max) && cols < Int(Int32.max),
                     "SparsePattern.fromCOO: shape \(rows)×\(cols) out of range")
        for (i, (r, c)) in zip(rowIndices, colIndices).enumerated() {
            precondition(r >= 0 && r < rows && c >= 0 && c < cols,
                         "SparsePattern.fromCOO: entry \(i) at (\(r), \(c)) outside \(rows)×\(cols)")
        }
        // Counting sort by row (stable), then each row's entries by (column, input position).
        var start = [Int](repeating: 0, count: rows + 1)
        for r in rowIndices { start[r + 1] += 1 }
        for r in 0..<rows { start[r + 1] += start[r] }
        var byRow = [Int](repeating: 0, count: rowIndices.count)
        var next = Array(start.dropLast())
        for (i, r) in rowIndices.enumerated() {
            byRow[next[r]] = i
            next[r] += 1
        }
        var sortedRows: [Int32] = [], sortedCols: [Int32] = []
        sortedRows.reserveCapacity(rowIndices.count)
        sortedCols.reserveCapacity(rowIndices.count)
        var slot = [Int](repeating: 0, count: rowIndices.count)
        for r in 0..<rows {
            var entries = byRow[start[r]..<start[r + 1]].map { (col: colIndices[$0], at: $0) }
            entries.sort { $0.col != $1.col ? $0.col < $1.col : $0.at < $1.at }
            var last = -1
            for (c, at) in entries {
                if c != last {
                    sortedRows.append(Int32(r))
                    sortedCols.append(Int32(c))
                    last = c
                }
                slot[at] = sortedCols.count - 1
            }
        }
        return (SparsePattern(rows: rows, cols: cols, sortedRows: sortedRows, sortedCols: sortedCols), slot)
    }

    /// The transposed pattern (`cols × rows`) and, for each of its entries, the entry of this pattern it mirrors.
    public func transposed() -> (pattern: SparsePattern, source: [Int32]) {
        var rowsT = [Int32](), colsT = [Int32](), source = [Int32]()
        rowsT.reserveCapacity(nnz)
        colsT.reserveCapacity(nnz)
        source.reserveCapacity(nnz)
        colIndex.withPointers { _, offsets, order in
            for c in 0..<cols {
                for k in offsets[c]..<offsets[c + 1] {
                    let e = order.map { Int($0[k]) } ?? k
                    rowsT.append(Int32(c))
                    colsT.append(rowIndex.segments[e])
                    source.append(Int32(e))
                }
            }
        }
        return (SparsePattern(rows: cols, cols: rows, sortedRows: rowsT, sortedCols: colsT), source)
    }
}
