import TensorEngine
import TensorNN

/// Names the first non-finite tensor behind a non-finite loss, in the order a reader would look for the cause:
/// the batch's inputs, then the parameters (by path), then what the method watched, then the loss itself.
enum NonFiniteCheck {
    /// True when every element of `t` is finite.
    static func isFinite(_ t: Tensor) -> Bool {
        t.withUnsafeElements { buffer in
            // x·0 is 0 for finite x and NaN for NaN or ±inf, so one branch-free pass that vectorises tells both.
            var sum: Float = 0
            for x in buffer { sum += x * 0 }
            return sum == 0
        }
    }

    /// The description of the first non-finite tensor, with a count of its bad elements.
    static func diagnose(inputs: Tensor, model: any Module, watched: [(name: String, tensor: Tensor)], loss: Tensor)
        -> (tensor: String, detail: String)
    {
        if !isFinite(inputs) { return ("input batch", summary(inputs)) }
        for p in model.namedParameters() where !isFinite(p.parameter.value) {
            return ("parameter \(p.name)", summary(p.parameter.value))
        }
        for (name, t) in watched where !isFinite(t) { return (name, summary(t)) }
        return ("loss", "value \(loss.count == 1 ? "\(loss.item)" : summary(loss))")
    }

    private static func summary(_ t: Tensor) -> String {
        t.withUnsafeElements { b in
            let nan = b.filter(\.isNaN).count
            let inf = b.filter(\.isInfinite).count
            return "shape \(t.shape): \(nan) NaN and \(inf) infinite of \(b.count) elements"
        }
    }
}
