import Foundation

/// The largest eigenvalue of a non-negative square matrix and its gradient, via the Perron vectors.
///
/// For a positive matrix A the Perron root λ is simple, with positive right and left eigenvectors
/// (A·x = λx, Aᵀ·y = λy), and ∂λ/∂A[i][j] = y_i·x_j / (y·x). An error-confusion matrix is often reducible
/// (a class never predicted, or never mistaken), where λ may be repeated, the vectors not unique and y·x = 0
/// (NaN). So the value computed is λ of A + ε·J (J all ones, ε = `smoothing`): positive, hence irreducible and
/// primitive, with a unique gradient everywhere, within ε·K of λ(A).
struct PerronRoot {
    /// λ_max(A + εJ).
    let value: Double
    /// Right Perron vector, entries summing to 1.
    let right: [Double]
    /// Left Perron vector, entries summing to 1.
    let left: [Double]
    /// ∂λ/∂A[i][j] = y_i·x_j / (y·x), row-major `[K, K]`; non-negative, and Σ_i y_i x_i / (y·x) = 1 on the trace.
    let gradient: [Double]

    /// The Perron root of `matrix` (row-major `[k, k]`, non-negative entries) smoothed by `smoothing` > 0.
    init(_ matrix: [Double], k: Int, smoothing: Double) {
        precondition(k >= 1 && matrix.count == k * k, "PerronRoot: \(matrix.count) entries for a \(k)×\(k) matrix")
        precondition(smoothing > 0, "PerronRoot: smoothing must be positive, got \(smoothing)")
        precondition(matrix.allSatisfy { $0 >= 0 && $0.isFinite }, "PerronRoot: entries must be finite and ≥ 0")
        let a = matrix.map { $0 + smoothing }
        var transposed = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k { transposed[j * k + i] = a[i * k + j] } }
        let (lambda, x) = Self.powerIteration(a, k: k)
        let (_, y) = Self.powerIteration(transposed, k: k)
        let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        var gradient = [Double](repeating: 0, count: k * k)
        for i in 0..<k { for j in 0..<k { gradient[i * k + j] = y[i] * x[j] / dot } }
        value = lambda
        right = x
        left = y
        self.gradient = gradient
    }

    /// The dominant eigenpair of a positive matrix, starting from the all-ones vector.
    ///
    /// Iterates with A + sI, s half the largest column sum: a zero-diagonal matrix has trace 0, so it always has
    /// negative eigenvalues (for K = 2 exactly −λ), which make plain power iteration crawl; the shift moves them
    /// towards 0 without changing the eigenvectors.
    private static func powerIteration(_ a: [Double], k: Int) -> (Double, [Double]) {
        var columnSums = [Double](repeating: 0, count: k)
        for i in 0..<k { for j in 0..<k { columnSums[j] += a[i * k + j] } }
        let shift = 0.5 * (columnSums.max() ?? 0)
        var v = [Double](repeating: 1 / Double(k), count: k)
        var w = v
        for _ in 0..<200_000 {
            for i in 0..<k {
                var s = shift * v[i]
                for j in 0..<k { s += a[i * k + j] * v[j] }
                w[i] = s
            }
            let total = w.reduce(0, +)
            var change = 0.0
            for i in 0..<k {
                let next = w[i] / total
                change = Swift.max(change, Swift.abs(next - v[i]))
                v[i] = next
            }
            if change < 1e-14 { break }
        }
        // v sums to 1, so Σ(Av) / Σv is the Rayleigh-type estimate of λ; exact at convergence.
        var av = 0.0
        for i in 0..<k { for j in 0..<k { av += a[i * k + j] * v[j] } }
        return (av, v)
    }
}
