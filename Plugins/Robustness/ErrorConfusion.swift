import Foundation
import TensorEngine

/// The smoothed error-confusion matrix of robustness.md (b): `C[i][j]` is how often a class-j example is predicted
/// as class i ≠ j; the diagonal is 0 (a matrix that kept it and normalised columns would always have λ_max = 1).
/// Columns are the true class, rows the prediction.
struct ErrorConfusion {
    /// How an entry is scaled.
    enum Normalization: String, Codable, CaseIterable, Sendable {
        /// `C[i][j] = errors(i | j) / n_j`, the estimate of P(prediction = i | class j); its column sums are the
        /// per-class error rates.
        case rates
        /// Raw error counts, as the confusional-spectral code keeps them (skewed by class frequency when classes
        /// are imbalanced).
        case counts
    }

    let classCount: Int
    /// `counts[i * K + j]`: class-j examples predicted as i (diagonal: correct ones).
    private(set) var counts: [Int]
    /// Examples of each class seen.
    private(set) var support: [Int]

    /// An empty matrix for `classCount` classes.
    init(classCount: Int) {
        self.classCount = classCount
        counts = [Int](repeating: 0, count: classCount * classCount)
        support = [Int](repeating: 0, count: classCount)
    }

    /// Whether nothing has been counted.
    var isEmpty: Bool { support.allSatisfy { $0 == 0 } }

    /// Counts one prediction of an example of class `label`.
    mutating func add(prediction: Int, label: Int) {
        precondition((0..<classCount).contains(label) && (0..<classCount).contains(prediction),
                     "ErrorConfusion: label \(label) or prediction \(prediction) outside 0..<\(classCount)")
        counts[prediction * classCount + label] += 1
        support[label] += 1
    }

    /// The matrix, row-major `[K, K]`, with a zero diagonal; columns of unseen classes are 0.
    func matrix(_ normalization: Normalization) -> [Double] {
        let k = classCount
        var m = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k where i != j && support[j] > 0 {
                let c = Double(counts[i * k + j])
                m[i * k + j] = normalization == .rates ? c / Double(support[j]) : c
            }
        }
        return m
    }

    /// Error rate of each class (nil for classes not seen).
    var classErrors: [Double?] {
        (0..<classCount).map { j in
            support[j] > 0 ? 1 - Double(counts[j * classCount + j]) / Double(support[j]) : nil
        }
    }

    /// The seen class with the highest error rate (the lowest index on ties).
    var worstClass: (label: Int, error: Double)? {
        var worst: (label: Int, error: Double)? = nil
        for (j, e) in classErrors.enumerated() {
            if let e, e > (worst?.error ?? -1) { worst = (j, e) }
        }
        return worst
    }
}
