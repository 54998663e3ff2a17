/// A vector-Jacobian product: given dL/d(output) and which inputs need a gradient, returns dL/d(input) for each
/// input (nil where not needed). Runs with gradients disabled.
package typealias VJP = (_ g: Tensor, _ needs: [Bool]) -> [Tensor?]

/// One node of the eager autodiff tape.
///
/// Leaves belong to tensors that require gradients (parameters, inputs of an attack); their `grad` persists and
/// accumulates across backward passes until cleared. Op nodes hold the VJP closure, which captures what the
/// derivative needs; both are released once the backward pass has used them.
package final class GradNode {
    package let parents: [GradNode?]
    package var vjp: VJP?
    package var grad: Tensor?
    package let shape: [Int]
    package let op: String
    package var isLeaf: Bool { op == "leaf" }

    package init(leafShape shape: [Int]) {
        self.parents = []
        self.vjp = nil
        self.shape = shape
        self.op = "leaf"
    }

    package init(op: String, shape: [Int], parents: [GradNode?], vjp: @escaping VJP) {
        self.parents = parents
        self.vjp = vjp
        self.shape = shape
        self.op = op
    }

    /// Adds an incoming gradient; a tensor used twice gets the sum of both.
    package func accumulate(_ g: Tensor) {
        precondition(g.shape == shape, "backward(\(op)): gradient of shape \(g.shape) for a value of shape \(shape)")
        if var existing = grad {
            grad = nil  // drop our reference so the in-place add below need not copy
            existing.addInPlace(g)
            grad = existing
        } else {
            grad = g
        }
    }
}

/// Whether ops record on the graph. A task-local, so a no-grad scope covers exactly the code it wraps.
public enum GradMode {
    @TaskLocal package static var isEnabled = true
}

/// Runs `body` without recording on the graph (evaluation, optimizer updates, attacks' projection steps).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}
