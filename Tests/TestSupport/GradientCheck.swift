public import Testing
public import TensorEngine

/// Checks the autodiff gradients of `f` against central finite differences at every input.
///
/// The loss is Σ f(xs)·r with fixed random weights r, so every output element contributes with a different
/// weight and a wrong sign, a missing term or a mixed-up index changes the result. The engine is float32, so
/// the step is large (1e-2) and the tolerance relative; both still catch a wrong rule by orders of magnitude.
public func expectGradientsMatch(
    _ xs: [Tensor], step h: Float = 1e-2, relative: Double = 2e-2, absolute: Double = 2e-3, seed: UInt64 = 99,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor
) {
    var rng = RandomGenerator(seed: seed)
    let probeShape = withoutGradients { f(xs).shape }
    let r = Tensor.uniform(probeShape, low: 0.5, high: 1.5, using: &rng)
    let leaves = xs.map { $0.detached().requiringGrad() }
    let loss = (f(leaves) * r).sum()
    loss.backward()
    func value(_ inputs: [Tensor]) -> Double {
        withoutGradients {
            let y = f(inputs)
            return zip(y.scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
    }
    for (k, x) in xs.enumerated() {
        let analytic = leaves[k].grad?.scalars ?? [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = xs, minus = xs
            var p = x.scalars, m = x.scalars
            p[i] += h
            m[i] -= h
            plus[k] = Tensor(x.shape, p)
            minus[k] = Tensor(x.shape, m)
            let numeric = (value(plus) - value(minus)) / (2 * Double(h))
            let a = Double(analytic[i])
            #expect(Swift.abs(numeric - a) <= absolute + relative * Swift.abs(numeric),
                    "input \(k) element \(i): autodiff \(a) vs finite difference \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// A random tensor with values kept away from 0 (and kinks there) by at least `margin`.
public func awayFromZero(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let u = Tensor.uniform(shape, low: margin, high: 1.5, using: &rng)
    let s = Tensor.bernoulli(shape, p: 0.5, using: &rng) * 2 - 1
    return withoutGradients { u * s }
}

/// Asserts two float arrays agree element-wise within `tolerance` (absolute + relative).
public func expectClose(
    _ a: [Float], _ b: [Float], tolerance: Float = 1e-5, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) elements", sourceLocation: sourceLocation)
    var worst: (Int, Float, Float)? = nil
    for i in 0..<min(a.count, b.count) where Swift.abs(a[i] - b[i]) > tolerance * (1 + Swift.abs(b[i])) {
        if worst == nil { worst = (i, a[i], b[i]) }
    }
    if let (i, x, y) = worst {
        Issue.record("\(what): element \(i) is \(x), expected \(y)", sourceLocation: sourceLocation)
    }
}
