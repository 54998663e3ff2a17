import Foundation
public import TensorEngine

/// Small generated classification tasks for tests and examples, drawn from an explicit generator.
public enum SyntheticData {
    /// Two interleaved spirals in the plane: inputs `[count, 2]`, labels `[count]` (0 or 1, as floats).
    ///
    /// Point i of arm c sits at radius r = t and angle t·turns·2π + c·π, t uniform in [0.05, 1]; Gaussian noise
    /// of standard deviation `noise` is added to both coordinates. Arms alternate, so labels are balanced.
    public static func twoSpirals(
        count: Int, turns: Double = 1.5, noise: Float = 0.02,
        using rng: inout RandomGenerator
    ) -> (inputs: Tensor, labels: Tensor) {
        let t = Tensor.uniform([count], low: 0.05, high: 1, using: &rng).scalars
        let jitter = Tensor.normal([count, 2], std: noise, using: &rng).scalars
        var xs = [Float](repeating: 0, count: count * 2)
        var ys = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let arm = i % 2
            let r = Double(t[i])
            let angle = r * turns * 2 * Double.pi + Double(arm) * Double.pi
            xs[2 * i] = Float(r * cos(angle)) + jitter[2 * i]
            xs[2 * i + 1] = Float(r * sin(angle)) + jitter[2 * i + 1]
            ys[i] = Float(arm)
        }
        return (Tensor([count, 2], xs), Tensor([count], ys))
    }

    /// `classes` isotropic Gaussian blobs in `dimensions` dimensions: centres uniform in [−spread, spread],
    /// unit standard deviation. Inputs `[count, dimensions]`, labels `[count]` cycling through the classes.
    public static func gaussianBlobs(
        count: Int, classes: Int, dimensions: Int = 2, spread: Float = 5,
        using rng: inout RandomGenerator
    ) -> (inputs: Tensor, labels: Tensor) {
        let centres = Tensor.uniform([classes, dimensions], low: -spread, high: spread, using: &rng).scalars
        let noise = Tensor.normal([count, dimensions], using: &rng).scalars
        var xs = [Float](repeating: 0, count: count * dimensions)
        var ys = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let c = i % classes
            for d in 0..<dimensions { xs[i * dimensions + d] = centres[c * dimensions + d] + noise[i * dimensions + d] }
            ys[i] = Float(c)
        }
        return (Tensor([count, dimensions], xs), Tensor([count], ys))
    }
}
