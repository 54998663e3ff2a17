import Foundation
import TensorEngine

/// The principal-eigenvalue terms of robustness.md (b), built on ``PerronRoot``.
enum SpectralPenalty {
    /// How the gradient of λ_max with respect to the confusion entries becomes per-entry loss weights.
    enum Squash: String, Codable, CaseIterable, Sendable {
        /// `2·(G − min G)/(max G − min G) + 0.01`, every weight in [0.01, 2.01] (the confusional-spectral code).
        case minmax
        /// `G / mean(G)`: proportional to the gradient, mean 1.
        case mean
    }

    /// Per-entry weights `[K, K]` (row prediction, column true class) from ∂λ/∂C; all ones when G is constant.
    static func weights(from gradient: [Double], squash: Squash) -> [Double] {
        let lo = gradient.min() ?? 0, hi = gradient.max() ?? 0
        switch squash {
        case .minmax:
            guard hi > lo else { return gradient.map { _ in 1 } }
            return gradient.map { 2 * ($0 - lo) / (hi - lo) + 0.01 }
        case .mean:
            let mean = gradient.reduce(0, +) / Double(Swift.max(gradient.count, 1))
            guard mean > 0 else { return gradient.map { _ in 1 } }
            return gradient.map { $0 / mean }
        }
    }

    /// The soft per-batch error-confusion matrix, recorded: `C[i][j]` = mean over the batch's class-j rows of
    /// `probabilities[b][i]` (`rates`) or their sum (`counts`), for i ≠ j; 0 on the diagonal and in columns of
    /// classes absent from the batch. `probabilities` `[B, K]`, `labels` `[B]` → `[K, K]`.
    static func softConfusion(
        probabilities p: Tensor, labels: Tensor, normalization: ErrorConfusion.Normalization
    ) -> Tensor {
        precondition(p.rank == 2 && labels.count == p.shape[0],
                     "softConfusion: probabilities \(p.shape) and labels \(labels.shape)")
        let (b, k) = (p.shape[0], p.shape[1])
        let ids = labels.scalars.map { Int($0) }
        var support = [Int](repeating: 0, count: k)
        for y in ids {
            precondition((0..<k).contains(y), "softConfusion: label \(y) outside 0..<\(k)")
            support[y] += 1
        }
        // Column j of the selector averages (or sums) the rows of class j: C = pᵀ·S.
        var selector = [Float](repeating: 0, count: b * k)
        for (row, y) in ids.enumerated() {
            selector[row * k + y] = normalization == .rates ? 1 / Float(support[y]) : 1
        }
        var offDiagonal = [Float](repeating: 1, count: k * k)
        for i in 0..<k { offDiagonal[i * k + i] = 0 }
        return p.transposed().matmul(Tensor([b, k], selector)) * Tensor([k, k], offDiagonal)
    }

    /// λ_max(C + εJ) of a recorded `[K, K]` matrix C as a recorded scalar, with the root it came from.
    ///
    /// The value is `Σ G ⊙ (C + ε)` with G = y·xᵀ/(y·x) held constant: that equals yᵀ(C + εJ)x/(y·x) = λ, and its
    /// gradient with respect to C is G = ∂λ/∂C, so autodiff carries the Perron-vector gradient with no new primitive.
    static func lambdaMax(_ c: Tensor, smoothing: Double) -> (value: Tensor, root: PerronRoot) {
        precondition(c.rank == 2 && c.shape[0] == c.shape[1], "lambdaMax: matrix must be square, got \(c.shape)")
        let k = c.shape[0]
        // Rounding in float32 can leave −0 or a tiny negative off-diagonal entry; λ is defined on C ≥ 0.
        let root = PerronRoot(c.detached().scalars.map { Swift.max(0, Double($0)) }, k: k, smoothing: smoothing)
        let g = Tensor([k, k], root.gradient.map { Float($0) })
        return (((c + Float(smoothing)) * g).sum(), root)
    }
}
