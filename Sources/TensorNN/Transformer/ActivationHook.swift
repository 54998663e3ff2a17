public import TensorEngine

/// A place in a transformer where an `ActivationHook` sees, and may replace, an activation.
public struct ActivationSite: Hashable, Sendable, CustomStringConvertible {
    /// Which activation of a block.
    public enum Point: String, Hashable, Sendable, CaseIterable {
        /// The residual stream entering the block, [B, T, D].
        case blockInput = "block_input"
        /// The attention branch's output (after its out projection), before the residual add, [B, T, D].
        case attentionOutput = "attention_output"
        /// The MLP's hidden activation after the nonlinearity, [B, T, 4·D]: the input ("keys") of the MLP's
        /// output projection, which MEMIT, Wanda and GPTQ read.
        case mlpHidden = "mlp_hidden"
        /// The MLP branch's output, before the residual add, [B, T, D].
        case mlpOutput = "mlp_output"
        /// The residual stream leaving the block, [B, T, D].
        case blockOutput = "block_output"
    }

    /// Block index, from 0.
    public var layer: Int
    /// Which activation.
    public var point: Point

    /// The site `point` of block `layer`.
    public init(layer: Int, point: Point) {
        self.layer = layer
        self.point = point
    }

    /// `blocks.2.mlp_hidden`.
    public var description: String { "blocks.\(layer).\(point.rawValue)" }
}

/// Called at every `ActivationSite` of a forward pass with the activation there; returns the tensor the model
/// continues with, of the same shape: the argument itself to only read it (capture keys at a token, collect
/// statistics), or an edited one (steering, patching, ablation). Gradients flow through whatever it returns.
///
///     var keys: Tensor?
///     _ = model.forward(ids) { site, x in
///         if site == ActivationSite(layer: 1, point: .mlpHidden) { keys = x.index(5, along: 1).detached() }
///         return x
///     }
public typealias ActivationHook = (_ site: ActivationSite, _ activation: Tensor) -> Tensor

extension Optional where Wrapped == ActivationHook {
    /// The hook's result at `site` (shape-checked), or `x` when there is no hook.
    func at(_ layer: Int, _ point: ActivationSite.Point, _ x: Tensor) -> Tensor {
        guard let hook = self else { return x }
        let y = hook(ActivationSite(layer: layer, point: point), x)
        precondition(y.shape == x.shape, "ActivationHook at blocks.\(layer).\(point.rawValue): returned \(y.shape) for \(x.shape)")
        return y
    }
}
